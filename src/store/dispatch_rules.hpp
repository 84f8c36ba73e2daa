#pragma once
// The dispatcher's state rules, decided once for every backend. Pure: no SQL, no I/O, no clock
// (the caller passes `now`). A backend reads what a decision needs (a recipient's row, its call's
// status and retry policy), asks this module what to write, and applies that as its own fenced,
// conditional write (SQLite: `WHERE ... AND fence = ?`; MongoDB: the same conditions in the
// filter), so two backends cannot drift apart on what a status event or a failed dial means.
//
// The rules, by section below:
// - Ranks: an attempt only moves forward (pending/dialing/unknown < queued < ringing < in-progress <
//   final); its call log too, in Twilio's spelling. Final outcomes stick.
// - Status events (decide_status): an ordered table of refusals (event_rules(): unknown attempt,
//   another call's CallSid, past attempt, final outcome, waiting to be redialed, not forward); the
//   first that matches decides. An event none refuses is applied: a live status is recorded (and
//   says "hang up" when the call is canceled); a final one ends the attempt, or schedules the redial
//   the retry policy allows, or ends the recipient `canceled` when its call is.
// - The dispatcher's own outcomes: an attempt not placed (decide_not_placed), a dial given back by
//   the calling window (decide_defer).
// - Completion: a pending or in-progress call is completed once every recipient has a final outcome.
//
// Leaving a final state. Today nothing does: a final outcome is refused by the rule
// "final_outcome_sticks" and completion only moves a call from pending/in_progress. The one way
// out planned, a redial asked for by a user (the recipient back to `pending`, its call back to
// `in_progress`), is not a status event, so neither of those rules changes; it is added as one
// more decision in its own section at the end of this file:
//     struct RedialDecision { RecipientStatus status; TimePoint next_attempt_at; CallStatus call; };
//     std::optional<RedialDecision> decide_redial(const RecipientState&, CallStatus call, TimePoint now);
// refusing a canceled call and a recipient without a final outcome. Late events of the attempt
// before it need no new rule: the recipient is then `pending` with that attempt's CallSid, so
// "waiting_for_redial" refuses them, and its next claim raises the attempt number. (One that
// failed unplaced has no CallSid: a late report of its attempt would reopen it, as it reopens any
// attempt declared not placed; decide there whether the redial should keep it.) The test
// "OnlyARedialLeavesAFinalOutcome" in tests/store/dispatch_rules_test.cpp is where it gets listed.
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "store/dispatch.hpp"
#include "store/model.hpp"

namespace va::store::rules {

// ---- Ranks ------------------------------------------------------------------------------------

// How far along an attempt is: 0 (pending, dialing, unknown), 1 queued, 2 ringing, 3 in-progress,
// 4 a final outcome. A status event only ever moves a recipient to a higher rank.
int rank(RecipientStatus s);
// The same for a call log, in Twilio's spelling ("initiated" is its first state): initiated and
// queued 1, ringing 2, in-progress 3, anything else (the final ones) 4.
int log_rank(std::string_view twilio_status);
// A call log moves from `current` to `next` only forward.
bool log_advances(std::string_view current, std::string_view next);

// The recipient statuses that end it: completed, busy, no-answer, failed, canceled (the same as
// model.hpp's is_final; `unknown` is an ambiguous dial, not an outcome).
std::span<const RecipientStatus> final_outcomes();
bool is_final_outcome(RecipientStatus s);

// ---- Status events ----------------------------------------------------------------------------

// What a backend reads of the recipient an event names.
struct RecipientState {
    RecipientStatus status = RecipientStatus::pending;
    int attempt = 0;         // attempts claimed so far
    int unplaced = 0;        // of those, attempts that never became calls
    std::string call_sid;    // of the latest attempt ("" until placed)
    std::string phone_number;
};

// An attempt declared not placed (pending again, no CallSid, its redial waiting) that Twilio then
// reports: the call exists after all, so the attempt is live again and its redial called off.
bool reopens(const RecipientState& state, const StatusEvent& event);

// What to do with a status event.
struct StatusDecision {
    StatusResult result = StatusResult::unknown;
    std::string_view rule;   // the rule that decided: an event_rules() name, or "applied"
    // Reopened (see reopens()): before the write below, unplaced - 1 and the waiting redial's
    // nextAttemptAt and errorMessage cleared.
    bool reopens = false;
    // The rest only for applied / applied_to_canceled.
    RecipientStatus status = RecipientStatus::pending;  // the recipient's new status
    std::string call_sid;
    // Only when the attempt ends (a final event): the lease is cleared, and the redial's due time
    // and message are written (nullopt and "" when there is none). A live event writes none of them.
    bool clear_lease = false;
    std::optional<TimePoint> next_attempt_at;
    std::string error_message;  // "attempt N: busy" when redialed
    bool check_completion = false;  // the recipient has a final outcome: see is_complete()
    // Upsert the attempt's call log, and move it to this status if log_advances() from its own.
    std::string log_status;
};

// A refusal: when `refuses` holds for the recipient and the event, the event changes nothing and is
// answered `result`. Checked in table order.
struct EventRule {
    std::string_view name;
    bool (*refuses)(const RecipientState&, const StatusEvent&);
    StatusResult result = StatusResult::stale;
};
std::span<const EventRule> event_rules();

// The decision for `event` on the recipient in `state` (the backend answers `unknown` itself when
// there is no such recipient). `policy` is the call's own retry policy, else the default;
// `call_canceled`: its scheduled call is canceled.
StatusDecision decide_status(const RecipientState& state, const StatusEvent& event, const RetryPolicy& policy,
                             bool call_canceled, TimePoint now);

// ---- The dispatcher's own outcomes ------------------------------------------------------------

// An attempt that never became a call (reconciliation found none; `dialing`/`unknown` under the
// claim's fence): canceled when its call is, failed once `max_unplaced` attempts never became
// calls, else pending again at `retry_at` (a new attempt, not counted by the retry policy).
struct NotPlacedDecision {
    RecipientStatus status = RecipientStatus::pending;
    int unplaced = 0;                          // the new count
    std::optional<TimePoint> next_attempt_at;  // pending only
    bool check_completion = false;
};
NotPlacedDecision decide_not_placed(int unplaced, int max_unplaced, TimePoint retry_at, bool call_canceled);

// A dial the calling window gave back (no request sent): canceled when its call is, else pending
// again at `until`, deferred for reason `window`.
struct DeferDecision {
    RecipientStatus status = RecipientStatus::pending;
    std::optional<TimePoint> next_attempt_at;
    DeferredReason reason = DeferredReason::none;
    bool check_completion = false;
};
DeferDecision decide_defer(TimePoint until, bool call_canceled);

// ---- Completion -------------------------------------------------------------------------------

// The call statuses completion moves from (pending, in_progress): canceled, completed and failed
// calls keep theirs.
std::span<const CallStatus> completable_call_statuses();
// Completed once every recipient has a final outcome: stricter than "every call initiated".
bool is_complete(CallStatus call, std::span<const RecipientStatus> recipients);

}  // namespace va::store::rules
