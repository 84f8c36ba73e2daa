#pragma once
// The per-call token our TwiML hands to Twilio as a <Parameter> and Twilio hands back in the
// stream's start.customParameters. It proves the stream belongs to a call we answered: bound to
// the scheduled call, the attempt, the call log and the CallSid of the signed voice webhook, valid
// for a short time, and single-use (the store attaches one stream per call log, see
// store::CallLogRepository::record_stream_start).
// Stateless, so any of several server processes sharing the auth token can check it.
#include <optional>
#include <string>
#include <string_view>

#include "core/clock.hpp"

namespace va::call {

struct StreamGrant {
    std::string scheduled_call_id;  // "" for an inbound call
    std::string attempt_id;         // "" for an inbound call
    std::string call_log_id;
    std::string call_sid;  // the stream's start must name this call
    core::TimePoint expires_at{};
    bool operator==(const StreamGrant&) const = default;
};

class StreamTokens {
public:
    // The key is derived from `secret` (the Twilio auth token), under a label of its own, so a
    // token is never a valid Twilio signature or the other way round.
    explicit StreamTokens(std::string_view secret);

    // Throws std::invalid_argument when a field holds '|' (ids never do).
    std::string issue(const StreamGrant& grant) const;
    // nullopt when the token is malformed, forged or expired at `now`.
    std::optional<StreamGrant> verify(std::string_view token, core::TimePoint now) const;

private:
    std::string mac(std::string_view payload) const;
    std::string key_;
};

}  // namespace va::call
