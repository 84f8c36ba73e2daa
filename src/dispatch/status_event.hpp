#pragma once
// Twilio's view of a call (a status callback's form, or a fetched Call resource) as the store's
// StatusEvent. Pure functions: no I/O.
#include <optional>
#include <string>
#include <string_view>

#include "store/dispatch.hpp"
#include "telephony/twilio/form.hpp"

namespace va::dispatch {

// Twilio's CallStatus spelling → the recipient's status; "initiated" (callbacks only) is queued.
std::optional<store::RecipientStatus> parse_call_status(std::string_view status);

struct CallbackError {
    std::string message;
};

// A status callback: CallSid and CallStatus are required; Timestamp (RFC 2822), CallDuration and
// AnsweredBy are read when present. `now` stands in for a missing Timestamp.
std::optional<store::StatusEvent> event_from_callback(const store::AttemptKey& key, const twilio::Params& form,
                                                      core::TimePoint now, CallbackError& error);

}  // namespace va::dispatch
