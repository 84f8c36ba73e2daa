#include "telephony/twilio/dates.hpp"

#include <array>
#include <chrono>
#include <cstdio>

namespace va::twilio {

namespace {
using namespace std::chrono;

constexpr std::array<std::string_view, 7> kDays{"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
constexpr std::array<std::string_view, 12> kMonths{"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                                    "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};

// A small cursor over the text: each step consumes exactly what it expects or fails.
struct Cursor {
    std::string_view s;
    size_t pos = 0;

    bool literal(std::string_view lit) {
        if (s.substr(pos, lit.size()) != lit) return false;
        pos += lit.size();
        return true;
    }
    // Between min_n and max_n digits.
    bool number(size_t min_n, size_t max_n, int& out) {
        size_t start = pos;
        out = 0;
        while (pos < s.size() && pos - start < max_n && s[pos] >= '0' && s[pos] <= '9') {
            out = out * 10 + (s[pos] - '0');
            ++pos;
        }
        return pos - start >= min_n;
    }
    // Index of the three-letter name at the cursor, or -1.
    template <size_t N>
    int name(const std::array<std::string_view, N>& names) {
        for (size_t i = 0; i < N; ++i) {
            if (literal(names[i])) return static_cast<int>(i);
        }
        return -1;
    }
    bool at_end() const { return pos == s.size(); }
};

}  // namespace

std::string format_rfc2822(core::TimePoint t) {
    auto day_point = floor<days>(t);
    year_month_day date{day_point};
    weekday wd{day_point};
    hh_mm_ss<seconds> time{floor<seconds>(t - day_point)};
    char buf[64];
    std::snprintf(buf, sizeof buf, "%s, %02u %s %04d %02lld:%02lld:%02lld +0000", kDays[wd.c_encoding()].data(),
                  static_cast<unsigned>(date.day()), kMonths[static_cast<unsigned>(date.month()) - 1].data(),
                  static_cast<int>(date.year()), static_cast<long long>(time.hours().count()),
                  static_cast<long long>(time.minutes().count()), static_cast<long long>(time.seconds().count()));
    return buf;
}

std::optional<core::TimePoint> parse_rfc2822(std::string_view text) {
    Cursor c{text};
    int weekday_index = -1;
    if (text.size() > 3 && text[3] == ',') {
        weekday_index = c.name(kDays);
        if (weekday_index < 0 || !c.literal(", ")) return std::nullopt;
    }
    int d, y, h, mi, sec = 0, off_h, off_m;
    if (!c.number(1, 2, d) || !c.literal(" ")) return std::nullopt;
    int month_index = c.name(kMonths);
    if (month_index < 0 || !c.literal(" ") || !c.number(4, 4, y) || !c.literal(" ")) return std::nullopt;
    if (!c.number(2, 2, h) || !c.literal(":") || !c.number(2, 2, mi)) return std::nullopt;
    if (c.literal(":") && !c.number(2, 2, sec)) return std::nullopt;
    if (!c.literal(" ")) return std::nullopt;
    int sign = c.literal("+") ? 1 : c.literal("-") ? -1 : 0;
    if (sign == 0 || !c.number(2, 2, off_h) || !c.number(2, 2, off_m) || !c.at_end()) return std::nullopt;
    if (h > 23 || mi > 59 || sec > 59 || off_h > 23 || off_m > 59) return std::nullopt;

    year_month_day date{year{y}, month{static_cast<unsigned>(month_index + 1)}, day{static_cast<unsigned>(d)}};
    if (!date.ok()) return std::nullopt;
    sys_days day_point{date};
    if (weekday_index >= 0 && weekday{day_point}.c_encoding() != static_cast<unsigned>(weekday_index)) {
        return std::nullopt;
    }
    auto local = day_point + hours{h} + minutes{mi} + seconds{sec};
    return time_point_cast<core::Millis>(local - minutes{sign * (off_h * 60 + off_m)});
}

std::string format_http_date(core::TimePoint t) {
    auto text = format_rfc2822(t);
    return text.replace(text.size() - 5, 5, "GMT");
}

std::optional<core::TimePoint> parse_http_date(std::string_view text) {
    // IMF-fixdate is RFC 2822 with the zone spelled GMT and every field present.
    if (text.size() != 29 || !text.ends_with(" GMT")) return std::nullopt;
    std::string numeric(text.substr(0, text.size() - 3));
    return parse_rfc2822(numeric + "+0000");
}

}  // namespace va::twilio
