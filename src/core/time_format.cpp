#include "core/time_format.hpp"

#include <cstdio>

namespace va::core {

namespace {
using namespace std::chrono;

constexpr sys_days kEarliest{year{1} / January / 1};
constexpr sys_days kPastLatest{year{10000} / January / 1};

// Reads exactly `n` digits at `pos`.
bool digits(std::string_view s, size_t pos, size_t n, int& out) {
    if (pos + n > s.size()) return false;
    out = 0;
    for (size_t i = pos; i < pos + n; ++i) {
        if (s[i] < '0' || s[i] > '9') return false;
        out = out * 10 + (s[i] - '0');
    }
    return true;
}
}  // namespace

std::optional<TimePoint> parse_rfc3339(std::string_view s) {
    int y, mo, d, h, mi, sec;
    if (!digits(s, 0, 4, y) || s.size() < 20 || s[4] != '-' || !digits(s, 5, 2, mo) || s[7] != '-' ||
        !digits(s, 8, 2, d) || (s[10] != 'T' && s[10] != 't' && s[10] != ' ') || !digits(s, 11, 2, h) ||
        s[13] != ':' || !digits(s, 14, 2, mi) || s[16] != ':' || !digits(s, 17, 2, sec)) {
        return std::nullopt;
    }
    if (y < 1 || h > 23 || mi > 59 || sec > 59) return std::nullopt;  // no leap seconds
    year_month_day date{year{y}, month{static_cast<unsigned>(mo)}, day{static_cast<unsigned>(d)}};
    if (!date.ok()) return std::nullopt;

    size_t pos = 19;
    long long millis = 0;
    if (s[pos] == '.') {
        size_t start = ++pos;
        int scale = 100;
        while (pos < s.size() && s[pos] >= '0' && s[pos] <= '9') {
            millis += (s[pos] - '0') * scale;  // digits past the third add 0: truncation
            scale /= 10;
            ++pos;
        }
        if (pos == start) return std::nullopt;
    }
    if (pos >= s.size()) return std::nullopt;  // naive local time: no offset

    minutes offset{0};
    if (s[pos] == 'Z' || s[pos] == 'z') {
        ++pos;
    } else if (s[pos] == '+' || s[pos] == '-') {
        int oh, om;
        if (!digits(s, pos + 1, 2, oh) || pos + 3 >= s.size() || s[pos + 3] != ':' || !digits(s, pos + 4, 2, om) ||
            oh > 23 || om > 59) {
            return std::nullopt;
        }
        offset = minutes{(oh * 60 + om) * (s[pos] == '-' ? -1 : 1)};
        pos += 6;
    } else {
        return std::nullopt;
    }
    if (pos != s.size()) return std::nullopt;

    auto local = sys_days{date} + hours{h} + minutes{mi} + seconds{sec} + milliseconds{millis};
    auto utc = time_point_cast<Millis>(local - offset);
    // An offset can push an instant at the edge of the calendar into year 0 or 10000, which has no
    // four-digit form; refusing it keeps format_rfc3339(parse_rfc3339(x)) valid RFC 3339.
    if (utc < kEarliest || utc >= kPastLatest) return std::nullopt;
    return utc;
}

std::string format_rfc3339(TimePoint t) {
    auto day_point = floor<days>(t);
    year_month_day date{day_point};
    hh_mm_ss<Millis> time{t - day_point};
    char buf[40];
    std::snprintf(buf, sizeof buf, "%04d-%02u-%02uT%02lld:%02lld:%02lld.%03lldZ", static_cast<int>(date.year()),
                  static_cast<unsigned>(date.month()), static_cast<unsigned>(date.day()),
                  static_cast<long long>(time.hours().count()), static_cast<long long>(time.minutes().count()),
                  static_cast<long long>(time.seconds().count()), static_cast<long long>(time.subseconds().count()));
    return buf;
}

std::string format_time_of_day(int minute_of_day) {
    char text[8];
    std::snprintf(text, sizeof text, "%02d:%02d", (minute_of_day / 60) % 24, minute_of_day % 60);
    return text;
}

}  // namespace va::core
