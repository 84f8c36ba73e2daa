#pragma once
// The rules a scheduled call's recipients and time must satisfy, apart from any transport.
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "api/context.hpp"
#include "api/errors.hpp"
#include "store/model.hpp"

#include <boost/json/value.hpp>

namespace va::api {

// Parses every number to E.164 and drops duplicates (first occurrence kept). Errors name the
// offending entry, e.g. field "toPhoneNumbers[3]".
std::optional<ApiError> normalize_recipients(const core::PhoneValidator& phones, std::size_t max_recipients,
                                             const std::vector<std::string>& raw, std::vector<std::string>& out);

// RFC 3339 with an explicit offset; up to `past_tolerance` ago means now; at most `max_ahead` ahead.
std::optional<ApiError> resolve_schedule_time(const ApiOptions& options, std::string_view text, core::TimePoint now,
                                              core::TimePoint& out);

// The optional `retry` object: {"maxAttempts": 1..10, "delaySeconds": 10..86400}; both required.
std::optional<ApiError> read_retry_policy(const boost::json::value& value, store::RetryPolicy& out);

}  // namespace va::api
