#pragma once
// Calling windows: "nobody gets called at 3 a.m.". Pure functions over the system tz database
// (cctz reading /usr/share/zoneinfo, or $TZDIR); safe to call from any thread.
#include <chrono>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "core/clock.hpp"

namespace va::calling_window {

// Local times of day, [start, end). end < start spans midnight (20:00–08:00 = evening and early
// morning); end == start is invalid (it would mean "never" or "always", so we ask for clarity).
// "Until midnight" is 09:00–00:00.
struct CallWindow {
    std::chrono::minutes start{0};
    std::chrono::minutes end{0};
    std::string time_zone;  // IANA name; empty = the zones of the number's country
};

// The search for an allowed instant stops this far after `t`.
inline constexpr std::chrono::days kSearchHorizon{8};

// Thrown by next_allowed for a zone the tz database does not have. The API validates names with
// is_known_time_zone up front, so at dispatch time this means tzdata changed under us (or a
// caller skipped validation): a fault to log and surface, not a reason to call anyway.
class UnknownTimeZone : public std::runtime_error {
public:
    explicit UnknownTimeZone(std::string zone);
    const std::string& zone() const { return zone_; }

private:
    std::string zone_;
};

// "HH:MM", 00:00–23:59, exactly two digits each; nullopt otherwise ("9:00", "24:00", "09:00Z").
std::optional<std::chrono::minutes> parse_local_time(std::string_view text);

// Both times within a day and start != end.
bool is_valid_window(const CallWindow& w);

// An IANA zone name present in the system tz database ("Europe/Paris", "UTC", links such as
// "US/Eastern"). Refuses paths ("/etc/...", ".."), "posix/" and "right/" copies, "localtime"
// and "Factory", so untrusted input can name nothing but a zone.
bool is_known_time_zone(std::string_view name);

// Whether the local time of day at t is inside the window in every zone (zones chosen, and
// errors thrown, as for next_allowed below). One tz lookup per zone.
bool is_allowed(core::TimePoint t, const CallWindow& w, const std::vector<std::string>& zones);

// The earliest instant >= t at which the local time of day in every zone is inside the window;
// t itself when it already is. The zones are w.time_zone when set, else `zones` (a country's
// zones: CountryZones::zones_for), whose intersection is taken. Local time is the wall clock:
// on a spring-forward day a window opening inside the skipped hour opens at the first wall time
// after it (02:30 → 03:00); on a fall-back day both passes of a repeated hour are inside.
// nullopt when no such instant lies in [t, t + kSearchHorizon) (e.g. a short window over a
// country that spans too many zones).
// Throws UnknownTimeZone for a zone not in the database, std::invalid_argument for an invalid
// window or when there is no zone at all (empty w.time_zone and empty `zones`: the caller must
// decide what an unknown region means, not this function).
// Cost: one tz lookup per zone when t is allowed; otherwise a few per zone and DST transition
// in the horizon (no minute-by-minute scan). Loaded zones are cached for the process.
std::optional<core::TimePoint> next_allowed(core::TimePoint t, const CallWindow& w,
                                            const std::vector<std::string>& zones);

}  // namespace va::calling_window
