#include "calling_window/call_window.hpp"

#include <cctz/time_zone.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <functional>
#include <mutex>
#include <shared_mutex>
#include <unordered_map>

namespace va::calling_window {

namespace {
using namespace std::chrono;
using Seconds = sys_seconds;

constexpr minutes kDay{24 * 60};

// A half-open span of instants, [begin, end).
struct Span {
    Seconds begin;
    Seconds end;
};

cctz::time_point<cctz::seconds> to_cctz(Seconds s) { return time_point_cast<cctz::seconds>(s); }
Seconds from_cctz(cctz::time_point<cctz::seconds> s) { return time_point_cast<seconds>(s); }

// IANA names are ASCII letters, digits and "_-+." in '/'-separated components that never start
// with '.'; checking that first keeps paths ("/etc/passwd", "../x") away from cctz, which would
// open them as files.
bool looks_like_zone_name(std::string_view name) {
    if (name.empty() || name.size() > 64 || name.front() == '/' || name.back() == '/') return false;
    bool component_start = true;
    for (char c : name) {
        if (c == '/') {
            if (component_start) return false;  // "//"
            component_start = true;
            continue;
        }
        bool ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' ||
                  c == '-' || c == '+' || c == '.';
        if (!ok || (component_start && c == '.')) return false;
        component_start = false;
    }
    // Files in the zoneinfo tree that are not zones in their own right: copies with other
    // conventions (right/ counts leap seconds), the host's own setting, and "zone unknown".
    if (name.starts_with("posix/") || name.starts_with("right/")) return false;
    return name != "localtime" && name != "posixrules" && name != "Factory";
}

// cctz caches every name it was asked about, found or not, for the life of the process; asking
// it only about names that exist as files bounds that cache by the tz database. Ours holds the
// found zones behind a shared lock, so concurrent dispatchers do not serialize on cctz's mutex.
class ZoneCache {
public:
    std::optional<cctz::time_zone> find(std::string_view name) {
        {
            std::shared_lock lock(mutex_);
            if (auto it = zones_.find(name); it != zones_.end()) return it->second;
        }
        if (!looks_like_zone_name(name)) return std::nullopt;
        std::error_code ec;
        if (!std::filesystem::is_regular_file(zone_dir() / name, ec)) return std::nullopt;
        cctz::time_zone tz;
        if (!cctz::load_time_zone(std::string(name), &tz)) return std::nullopt;  // not TZif (e.g. zone1970.tab)
        std::unique_lock lock(mutex_);
        zones_.emplace(std::string(name), tz);
        return tz;
    }

private:
    // The directory cctz reads (it honours TZDIR the same way).
    static std::filesystem::path zone_dir() {
        const char* env = std::getenv("TZDIR");
        return env != nullptr && *env != '\0' ? env : "/usr/share/zoneinfo";
    }

    struct Hash {
        using is_transparent = void;
        size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
    };
    std::shared_mutex mutex_;
    std::unordered_map<std::string, cctz::time_zone, Hash, std::equal_to<>> zones_;
};

ZoneCache& zone_cache() {
    static ZoneCache cache;
    return cache;
}

cctz::time_zone load_zone(const std::string& name) {
    auto tz = zone_cache().find(name);
    if (!tz) throw UnknownTimeZone(name);
    return *tz;
}

bool in_window(minutes time_of_day, const CallWindow& w) {
    if (w.start < w.end) return time_of_day >= w.start && time_of_day < w.end;
    return time_of_day >= w.start || time_of_day < w.end;  // spans midnight
}

bool allowed_at(const cctz::time_zone& tz, core::TimePoint t, const CallWindow& w) {
    auto local = tz.lookup(to_cctz(floor<seconds>(t))).cs;
    return in_window(minutes{local.hour() * 60 + local.minute()}, w);
}

// Appends to `out`, merging with its last span when they touch, so a window that continues
// across a transition (the repeated hour of a fall-back day) stays one span.
void append(std::vector<Span>& out, Span s) {
    if (!out.empty() && out.back().end >= s.begin) {
        out.back().end = std::max(out.back().end, s.end);
    } else {
        out.push_back(s);
    }
}

// The instants of [a, b), during which the zone's offset is constant, whose wall clock is in the
// window: per local day, the window's local span shifted back by the offset.
void add_spans(Seconds a, Seconds b, seconds offset, const CallWindow& w, std::vector<Span>& out) {
    const Seconds local_a = a + offset;
    const Seconds local_b = b + offset;
    // Start a day early: an overnight window opened yesterday may still be open at local_a.
    for (auto day = floor<days>(local_a) - days{1}; day < local_b; day += days{1}) {
        Seconds open = day + w.start;
        Seconds close = w.start < w.end ? day + w.end : day + kDay + w.end;
        Seconds lo = std::max(open, local_a);
        Seconds hi = std::min(close, local_b);
        if (lo < hi) append(out, Span{lo - offset, hi - offset});
    }
}

// The zone's allowed spans within [from, until), sorted and disjoint: walk the offset changes
// (DST transitions) so that each piece has one offset, instead of scanning minute by minute.
std::vector<Span> allowed_spans(const cctz::time_zone& tz, const CallWindow& w, Seconds from, Seconds until) {
    std::vector<Span> out;
    for (Seconds a = from; a < until;) {
        seconds offset{tz.lookup(to_cctz(a)).offset};
        Seconds b = until;
        cctz::time_zone::civil_transition transition;
        if (tz.next_transition(to_cctz(a), &transition)) {
            Seconds at = from_cctz(tz.lookup(transition.to).trans);
            if (at > a && at < until) b = at;  // at <= a "cannot happen"; guard against looping
        }
        add_spans(a, b, offset, w, out);
        a = b;
    }
    return out;
}

std::vector<Span> intersect(const std::vector<Span>& x, const std::vector<Span>& y) {
    std::vector<Span> out;
    size_t i = 0, j = 0;
    while (i < x.size() && j < y.size()) {
        Seconds lo = std::max(x[i].begin, y[j].begin);
        Seconds hi = std::min(x[i].end, y[j].end);
        if (lo < hi) out.push_back(Span{lo, hi});
        if (x[i].end < y[j].end) {
            ++i;
        } else {
            ++j;
        }
    }
    return out;
}

// The zones a window applies in: its own, else the country's.
std::vector<cctz::time_zone> zones_of(const CallWindow& w, const std::vector<std::string>& zones) {
    if (!is_valid_window(w)) throw std::invalid_argument("invalid call window");
    std::vector<cctz::time_zone> tzs;
    if (!w.time_zone.empty()) {
        tzs.push_back(load_zone(w.time_zone));
    } else {
        tzs.reserve(zones.size());
        for (const auto& name : zones) tzs.push_back(load_zone(name));
    }
    if (tzs.empty()) throw std::invalid_argument("call window without a time zone");
    return tzs;
}

bool allowed_in_all(const std::vector<cctz::time_zone>& tzs, core::TimePoint t, const CallWindow& w) {
    return std::all_of(tzs.begin(), tzs.end(), [&](const auto& tz) { return allowed_at(tz, t, w); });
}
}  // namespace

UnknownTimeZone::UnknownTimeZone(std::string zone)
    : std::runtime_error("unknown time zone: " + zone), zone_(std::move(zone)) {}

std::optional<minutes> parse_local_time(std::string_view s) {
    auto digit = [&](size_t i) { return s[i] >= '0' && s[i] <= '9'; };
    if (s.size() != 5 || !digit(0) || !digit(1) || s[2] != ':' || !digit(3) || !digit(4)) return std::nullopt;
    int h = (s[0] - '0') * 10 + (s[1] - '0');
    int m = (s[3] - '0') * 10 + (s[4] - '0');
    if (h > 23 || m > 59) return std::nullopt;
    return minutes{h * 60 + m};
}

bool is_valid_window(const CallWindow& w) {
    auto in_day = [](minutes m) { return m >= minutes{0} && m < kDay; };
    return in_day(w.start) && in_day(w.end) && w.start != w.end;
}

bool is_known_time_zone(std::string_view name) { return zone_cache().find(name).has_value(); }

bool is_allowed(core::TimePoint t, const CallWindow& w, const std::vector<std::string>& zones) {
    return allowed_in_all(zones_of(w, zones), t, w);
}

std::optional<core::TimePoint> next_allowed(core::TimePoint t, const CallWindow& w,
                                            const std::vector<std::string>& zones) {
    const auto tzs = zones_of(w, zones);
    // The common case, and the only one that needs millisecond precision: t itself is allowed.
    if (allowed_in_all(tzs, t, w)) return t;

    // Nearly every answer is within a day or so: look two days ahead before the whole horizon.
    const Seconds from = floor<seconds>(t);
    for (days horizon : {days{2}, kSearchHorizon}) {
        const Seconds until = from + horizon;
        std::vector<Span> spans = allowed_spans(tzs.front(), w, from, until);
        for (size_t i = 1; i < tzs.size() && !spans.empty(); ++i) {
            spans = intersect(spans, allowed_spans(tzs[i], w, from, until));
        }
        // Offsets and windows are whole seconds, and t is not allowed, so the first span starts
        // after t's second: no instant inside it is lost to the rounding.
        if (!spans.empty()) return std::max(t, core::TimePoint{spans.front().begin});
    }
    return std::nullopt;
}

}  // namespace va::calling_window
