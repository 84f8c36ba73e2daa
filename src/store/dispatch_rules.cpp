#include "store/dispatch_rules.hpp"

#include <algorithm>
#include <array>

namespace va::store::rules {

namespace {
constexpr std::array kFinalOutcomes{RecipientStatus::completed, RecipientStatus::busy, RecipientStatus::no_answer,
                                    RecipientStatus::failed, RecipientStatus::canceled};
constexpr std::array kCompletable{CallStatus::pending, CallStatus::in_progress};

// Outcomes worth another attempt under the retry policy; completed is not one.
bool retryable(RecipientStatus s) {
    return s == RecipientStatus::busy || s == RecipientStatus::no_answer || s == RecipientStatus::failed;
}

// In order. "past_attempt" comes after "another_call": an older attempt with a different CallSid
// is a late event of that attempt (stale), while the same attempt with a different CallSid is not
// ours at all (unknown).
constexpr std::array<EventRule, 6> kEventRules{{
    {"no_such_attempt",
     [](const RecipientState& s, const StatusEvent& e) { return e.key.attempt > s.attempt || e.call_sid.empty(); },
     StatusResult::unknown},
    {"another_call",
     [](const RecipientState& s, const StatusEvent& e) {
         return e.key.attempt == s.attempt && !s.call_sid.empty() && s.call_sid != e.call_sid;
     },
     StatusResult::unknown},
    {"past_attempt", [](const RecipientState& s, const StatusEvent& e) { return e.key.attempt < s.attempt; },
     StatusResult::stale},
    {"final_outcome_sticks", [](const RecipientState& s, const StatusEvent&) { return is_final_outcome(s.status); },
     StatusResult::stale},
    // Pending with a redial due (or never claimed): the attempt the event names has its outcome.
    {"waiting_for_redial",
     [](const RecipientState& s, const StatusEvent& e) {
         return s.status == RecipientStatus::pending && !reopens(s, e);
     },
     StatusResult::stale},
    // A duplicate or a reordered event. A reopened attempt takes whatever Twilio says.
    {"not_forward",
     [](const RecipientState& s, const StatusEvent& e) { return rank(e.status) <= rank(s.status) && !reopens(s, e); },
     StatusResult::stale},
}};
}  // namespace

int rank(RecipientStatus s) {
    switch (s) {
        case RecipientStatus::pending:
        case RecipientStatus::dialing:
        case RecipientStatus::unknown:
            return 0;
        case RecipientStatus::queued:
            return 1;
        case RecipientStatus::ringing:
            return 2;
        case RecipientStatus::in_progress:
            return 3;
        default:
            return 4;  // a final outcome
    }
}

int log_rank(std::string_view status) {
    if (status == "initiated" || status == "queued") return 1;
    if (status == "ringing") return 2;
    if (status == "in-progress") return 3;
    return 4;
}

bool log_advances(std::string_view current, std::string_view next) { return log_rank(next) > log_rank(current); }

std::span<const RecipientStatus> final_outcomes() { return kFinalOutcomes; }

bool is_final_outcome(RecipientStatus s) { return std::ranges::find(kFinalOutcomes, s) != kFinalOutcomes.end(); }

bool reopens(const RecipientState& state, const StatusEvent& event) {
    return state.status == RecipientStatus::pending && state.call_sid.empty() && state.unplaced > 0 &&
           event.key.attempt == state.attempt;
}

std::span<const EventRule> event_rules() { return kEventRules; }

StatusDecision decide_status(const RecipientState& state, const StatusEvent& event, const RetryPolicy& policy,
                             bool call_canceled, TimePoint now) {
    StatusDecision d;
    for (const auto& rule : kEventRules) {
        if (rule.refuses(state, event)) {
            d.result = rule.result;
            d.rule = rule.name;
            return d;
        }
    }
    d.rule = "applied";
    d.reopens = reopens(state, event);
    d.call_sid = event.call_sid;
    d.log_status = std::string(to_string(event.status));
    if (!is_final_outcome(event.status)) {
        // Still live: recorded even on a canceled call, whose caller must hang it up.
        d.status = event.status;
        d.result = call_canceled ? StatusResult::applied_to_canceled : StatusResult::applied;
        return d;
    }
    // The attempt ended. Attempts that never became calls do not use up the policy (a reopened one
    // became a call after all, so it counts again).
    const int unplaced = state.unplaced - (d.reopens ? 1 : 0);
    const bool redial = retryable(event.status) && state.attempt - unplaced < policy.max_attempts && !call_canceled;
    d.result = StatusResult::applied;
    d.clear_lease = true;
    if (redial) {
        d.status = RecipientStatus::pending;
        d.next_attempt_at = now + policy.delay;
        d.error_message = "attempt " + std::to_string(state.attempt) + ": " + std::string(to_string(event.status));
    } else {
        // A canceled call's recipient ends canceled whatever Twilio said (its call log keeps that).
        d.status = call_canceled ? RecipientStatus::canceled : event.status;
        d.check_completion = true;
    }
    return d;
}

NotPlacedDecision decide_not_placed(int unplaced, int max_unplaced, TimePoint retry_at, bool call_canceled) {
    NotPlacedDecision d;
    d.unplaced = unplaced + 1;
    if (call_canceled) {
        d.status = RecipientStatus::canceled;
    } else if (d.unplaced >= max_unplaced) {
        d.status = RecipientStatus::failed;  // Twilio never takes this number's calls: stop
    } else {
        d.status = RecipientStatus::pending;
        d.next_attempt_at = retry_at;
    }
    d.check_completion = is_final_outcome(d.status);
    return d;
}

DeferDecision decide_defer(TimePoint until, bool call_canceled) {
    DeferDecision d;
    if (call_canceled) {
        d.status = RecipientStatus::canceled;
        d.check_completion = true;
    } else {
        d.status = RecipientStatus::pending;
        d.next_attempt_at = until;
        d.reason = DeferredReason::window;
    }
    return d;
}

std::span<const CallStatus> completable_call_statuses() { return kCompletable; }

bool is_complete(CallStatus call, std::span<const RecipientStatus> recipients) {
    return std::ranges::find(kCompletable, call) != kCompletable.end() &&
           std::ranges::all_of(recipients, is_final_outcome);
}

}  // namespace va::store::rules
