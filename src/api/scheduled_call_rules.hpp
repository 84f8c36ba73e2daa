#pragma once
// The rules a scheduled call's recipients and time must satisfy, apart from any transport.
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "api/context.hpp"
#include "api/errors.hpp"
#include "calling_window/time_zones.hpp"
#include "store/model.hpp"

#include <boost/json/value.hpp>

namespace va::api {

// Every recipient checked: the good entries in E.164 with duplicates dropped (first occurrence
// kept), and one error per bad entry in order, each naming it, e.g. field "toPhoneNumbers[3]" (or
// one error for the whole list when it is empty or too long).
struct RecipientCheck {
    std::vector<std::string> numbers;
    std::vector<ApiError> errors;
};
RecipientCheck check_recipients(const core::PhoneValidator& phones, std::size_t max_recipients,
                                const std::vector<std::string>& raw);

// The `recipients` form of a request: [{"phoneNumber": "...", "variables": {name: text}, "timeZone":
// IANA name}] (variables and timeZone optional). Checked like check_recipients, each error naming
// its entry ("recipients[3].variables.first name"), plus: at most 32 variables a recipient, names
// [a-zA-Z_][a-zA-Z0-9_]{0,63}, values strings of at most 500 characters; a repeated number is an
// error ("duplicate of recipients[0]"), since its variables could differ.
struct RecipientEntries {
    std::vector<std::string> numbers;              // E.164, in order
    std::vector<core::Variables> variables;        // one per number
    std::map<std::string, std::string> time_zones;  // number → IANA name, where given
    std::vector<ApiError> errors;
};
RecipientEntries check_recipient_entries(const core::PhoneValidator& phones, std::size_t max_recipients,
                                         const boost::json::value& recipients);

// Every recipient has a value for each {{placeholder}} of the call's content and introduction that
// has no default: one error per recipient that lacks one, naming it and the placeholder.
// `field` names the recipients' list ("recipients" or "toPhoneNumbers").
std::vector<ApiError> check_placeholders(const store::ScheduledCall& call, const std::vector<core::Variables>& variables,
                                         const std::string& field);

// The numbers of check_recipients, or its first error.
ApiResult<std::vector<std::string>> normalize_recipients(const core::PhoneValidator& phones, std::size_t max_recipients,
                                                         const std::vector<std::string>& raw);

// RFC 3339 with an explicit offset; up to `past_tolerance` ago means now; at most `max_ahead` ahead.
ApiResult<core::TimePoint> resolve_schedule_time(const ApiOptions& options, std::string_view text, core::TimePoint now);

// The optional `retry` object: {"maxAttempts": 1..10, "delaySeconds": 10..86400}; both required.
ApiResult<store::RetryPolicy> read_retry_policy(const boost::json::value& value);

// The optional `callWindow` object: {"start": "HH:MM", "end": "HH:MM", "timeZone": IANA name,
// "recipientTimeZones": {number: IANA name}} (zones optional). Keys of recipientTimeZones are
// normalised like toPhoneNumbers and must be among `numbers` (already normalised).
ApiResult<store::CallingWindow> read_call_window(const boost::json::value& value, const core::PhoneValidator& phones,
                                                const std::vector<std::string>& numbers);

// Every recipient has some time inside the window within the next days (a zone is known for its
// country, and a country's zones share an hour of it), so that no recipient waits for ever.
ApiResult<> check_call_window(const store::CallingWindow& window, const std::vector<std::string>& numbers,
                              const calling_window::CountryZones& zones, core::TimePoint from);

}  // namespace va::api
