#pragma once
// Country → IANA zones, from tzdata's zone1970.tab. Loaded once (file I/O in the constructor),
// immutable afterwards, so one instance can be shared by every thread.
#include <filesystem>
#include <stdexcept>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace va::calling_window {

// A zone table that is missing or malformed; what() names the path and, for bad content, the line.
class ZoneTableError : public std::runtime_error {
public:
    ZoneTableError(const std::filesystem::path& path, size_t line, const std::string& message);
    size_t line() const { return line_; }  // 0 when the file could not be read at all

private:
    size_t line_;
};

class CountryZones {
public:
    static constexpr const char* kDefaultPath = "/usr/share/zoneinfo/zone1970.tab";

    // Throws ZoneTableError.
    explicit CountryZones(const std::filesystem::path& path = kDefaultPath);

    // The zones of an ISO 3166 alpha-2 region ("US", as libphonenumber reports it; case is
    // ignored), in the file's order (most populous first); empty for an unknown region, and for
    // libphonenumber's "ZZ" (unknown) and "001" (non-geographic).
    const std::vector<std::string>& zones_for(std::string_view region) const;

private:
    std::unordered_map<std::string, std::vector<std::string>> zones_;
};

}  // namespace va::calling_window
