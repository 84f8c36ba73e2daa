#include "store/dispatch.hpp"

#include <charconv>

namespace va::store {

std::string to_string(const AttemptKey& key) {
    return key.scheduled_call_id + "-" + std::to_string(key.position) + "-" + std::to_string(key.attempt);
}

namespace {
std::optional<int> parse_count(std::string_view text, int min) {
    int value = 0;
    auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (ec != std::errc() || end != text.data() + text.size() || text.empty() || value < min) return std::nullopt;
    if (text.size() > 1 && text.front() == '0') return std::nullopt;  // one spelling per key
    return value;
}
}  // namespace

std::optional<AttemptKey> parse_attempt_id(std::string_view id) {
    auto last = id.rfind('-');
    if (last == std::string_view::npos || last == 0) return std::nullopt;
    auto middle = id.rfind('-', last - 1);
    if (middle == std::string_view::npos || middle == 0) return std::nullopt;
    auto call_id = id.substr(0, middle);
    if (call_id.size() > 64) return std::nullopt;
    for (char c : call_id) {
        bool ok = (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
        if (!ok) return std::nullopt;
    }
    auto position = parse_count(id.substr(middle + 1, last - middle - 1), 0);
    auto attempt = parse_count(id.substr(last + 1), 1);
    if (!position || !attempt) return std::nullopt;
    return AttemptKey{std::string(call_id), *position, *attempt};
}

}  // namespace va::store
