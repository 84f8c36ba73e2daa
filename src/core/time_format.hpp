#pragma once
// RFC 3339 timestamps: strict parsing (explicit offset or Z required) and canonical UTC output.
#include <optional>
#include <string>
#include <string_view>

#include "core/clock.hpp"

namespace va::core {

// Accepts "YYYY-MM-DDTHH:MM:SS[.fraction](Z|+HH:MM|-HH:MM)"; 't'/'z' lowercase and a space for
// 'T' are accepted as RFC 3339 allows. Fractions beyond milliseconds are truncated.
// Returns nullopt for naive local times, impossible dates, leap seconds and anything malformed.
std::optional<TimePoint> parse_rfc3339(std::string_view text);

// "2026-11-25T10:00:00.000Z", the shape JavaScript's Date.toISOString() produces.
std::string format_rfc3339(TimePoint t);

// A local time of day given in minutes since midnight, as "HH:MM" (540 → "09:00").
std::string format_time_of_day(int minute_of_day);

}  // namespace va::core
