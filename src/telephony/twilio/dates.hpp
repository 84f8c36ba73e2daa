#pragma once
// RFC 2822 dates, the format of Twilio's date_created/date_updated and of callback Timestamps;
// and HTTP's Date header.
#include <optional>
#include <string>
#include <string_view>

#include "core/clock.hpp"

namespace va::twilio {

// "Tue, 31 Aug 2010 20:36:28 +0000": always UTC, English names, two-digit day, milliseconds dropped.
std::string format_rfc2822(core::TimePoint t);

// Accepts "[Ddd, ]D[D] Mon YYYY HH:MM[:SS] (+|-)HHMM" with single spaces. The day name, when
// present, must be the right one for the date. Named zones (GMT, EST...), impossible dates, leap
// seconds and anything else give nullopt.
std::optional<core::TimePoint> parse_rfc2822(std::string_view text);

// HTTP's Date header (RFC 9110 IMF-fixdate, "Tue, 31 Aug 2010 20:36:28 GMT"), as Twilio's REST API
// sends it: how far its clock is from ours. The parser takes that form only (not the obsolete ones).
std::string format_http_date(core::TimePoint t);
std::optional<core::TimePoint> parse_http_date(std::string_view text);

}  // namespace va::twilio
