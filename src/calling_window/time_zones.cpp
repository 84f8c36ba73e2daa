#include "calling_window/time_zones.hpp"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fstream>

namespace va::calling_window {

namespace {
bool is_country_code(std::string_view s) {
    return s.size() == 2 && std::all_of(s.begin(), s.end(), [](char c) { return c >= 'A' && c <= 'Z'; });
}

std::vector<std::string_view> split(std::string_view s, char sep) {
    std::vector<std::string_view> parts;
    for (size_t pos = 0;;) {
        size_t next = s.find(sep, pos);
        parts.push_back(s.substr(pos, next == std::string_view::npos ? std::string_view::npos : next - pos));
        if (next == std::string_view::npos) return parts;
        pos = next + 1;
    }
}

std::string upper(std::string_view s) {
    std::string out(s);
    for (char& c : out) {
        if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
    }
    return out;
}
}  // namespace

ZoneTableError::ZoneTableError(const std::filesystem::path& path, size_t line, const std::string& message)
    : std::runtime_error(path.string() + (line > 0 ? ":" + std::to_string(line) : std::string()) + ": " + message),
      line_(line) {}

CountryZones::CountryZones(const std::filesystem::path& path) {
    std::ifstream in(path);
    if (!in) throw ZoneTableError(path, 0, std::string("cannot open: ") + std::strerror(errno));
    std::string text;
    size_t line_no = 0;
    while (std::getline(in, text)) {
        ++line_no;
        std::string_view line = text;
        if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
        if (line.empty() || line.front() == '#') continue;
        // codes <TAB> coordinates <TAB> zone [<TAB> comments]
        auto columns = split(line, '\t');
        if (columns.size() < 3) throw ZoneTableError(path, line_no, "expected at least 3 tab-separated columns");
        std::string_view zone = columns[2];
        if (zone.empty() || zone.find(' ') != std::string_view::npos) {
            throw ZoneTableError(path, line_no, "bad zone name in column 3");
        }
        for (std::string_view code : split(columns[0], ',')) {
            if (!is_country_code(code)) {
                throw ZoneTableError(path, line_no, "bad country code '" + std::string(code) + "' in column 1");
            }
            auto& list = zones_[std::string(code)];
            if (std::find(list.begin(), list.end(), zone) == list.end()) list.emplace_back(zone);
        }
    }
    if (in.bad()) throw ZoneTableError(path, 0, "read error");
    // The real table lists hundreds of zones: an empty one is a wrong path, not a world without zones.
    if (zones_.empty()) throw ZoneTableError(path, 0, "no zones in the table");
}

const std::vector<std::string>& CountryZones::zones_for(std::string_view region) const {
    static const std::vector<std::string> kNone;
    if (region.size() != 2) return kNone;
    auto it = zones_.find(upper(region));
    return it == zones_.end() ? kNone : it->second;
}

}  // namespace va::calling_window
