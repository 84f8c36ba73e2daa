#include "dispatch/status_event.hpp"

#include <charconv>

#include "telephony/twilio/dates.hpp"

namespace va::dispatch {

using store::RecipientStatus;

std::optional<RecipientStatus> parse_call_status(std::string_view status) {
    if (status == "initiated" || status == "queued") return RecipientStatus::queued;
    if (status == "ringing") return RecipientStatus::ringing;
    if (status == "in-progress") return RecipientStatus::in_progress;
    if (status == "completed") return RecipientStatus::completed;
    if (status == "busy") return RecipientStatus::busy;
    if (status == "no-answer") return RecipientStatus::no_answer;
    if (status == "failed") return RecipientStatus::failed;
    if (status == "canceled") return RecipientStatus::canceled;
    return std::nullopt;
}

namespace {
bool is_call_sid(std::string_view sid) {
    if (sid.size() != 34 || !sid.starts_with("CA")) return false;
    for (char c : sid.substr(2)) {
        bool hex = (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
        if (!hex) return false;
    }
    return true;
}
}  // namespace

std::optional<store::StatusEvent> event_from_callback(const store::AttemptKey& key, const twilio::Params& form,
                                                      core::TimePoint now, CallbackError& error) {
    auto sid = twilio::find_param(form, "CallSid");
    if (!sid || !is_call_sid(*sid)) {
        error.message = "CallSid is missing or malformed";
        return std::nullopt;
    }
    auto status_text = twilio::find_param(form, "CallStatus");
    auto status = status_text ? parse_call_status(*status_text) : std::nullopt;
    if (!status) {
        error.message = "CallStatus is missing or not a Twilio call status";
        return std::nullopt;
    }
    store::StatusEvent event;
    event.key = key;
    event.call_sid = std::string(*sid);
    event.status = *status;
    event.at = now;
    if (auto stamp = twilio::find_param(form, "Timestamp")) {
        if (auto parsed = twilio::parse_rfc2822(*stamp)) event.at = *parsed;
    }
    if (auto duration = twilio::find_param(form, "CallDuration")) {
        int seconds = 0;
        auto [end, ec] = std::from_chars(duration->data(), duration->data() + duration->size(), seconds);
        if (ec == std::errc() && end == duration->data() + duration->size() && seconds >= 0) event.duration = seconds;
    }
    if (auto answered_by = twilio::find_param(form, "AnsweredBy")) event.answered_by = std::string(*answered_by);
    if (auto from = twilio::find_param(form, "From")) event.from = std::string(*from);
    return event;
}

}  // namespace va::dispatch
