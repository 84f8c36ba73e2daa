#pragma once
// What the dispatcher needs from a store: claim due work under a lease, record each step of an
// attempt conditionally on the lease's fence, and apply Twilio's status events idempotently.
// Blocking, like every repository (run it off the network threads). See DESIGN.md, "Dispatch
// semantics", and src/dispatch/README.md for how the dispatcher drives it.
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "store/model.hpp"

namespace va::store {

// The stable key of one attempt for one recipient. Its text form, the attempt id, travels in the
// Url and StatusCallback we give Twilio: "<scheduledCallId>-<position>-<attempt>".
struct AttemptKey {
    std::string scheduled_call_id;
    int position = 0;  // the recipient's index in toPhoneNumbers
    int attempt = 0;   // 1 for the first attempt
    bool operator==(const AttemptKey&) const = default;
};
std::string to_string(const AttemptKey& key);
std::optional<AttemptKey> parse_attempt_id(std::string_view id);

enum class ClaimKind {
    dial,       // a due attempt: dial it at `slot`
    reconcile,  // an attempt left `dialing`/`unknown` by a worker whose lease ran out: look it up in
                // Twilio's call list, never redial blindly
    check,      // a placed call whose final status is overdue (lost callbacks): fetch it
};

struct Claim {
    ClaimKind kind = ClaimKind::dial;
    AttemptKey key;
    std::int64_t fence = 0;     // every write of this claim is conditional on it
    TimePoint lease_until{};
    std::string phone_number;   // E.164
    std::string call_sid;       // check: the call to fetch
    TimePoint dialed_at{};      // when this attempt was first claimed (reconcile: calls since then;
                                // dial: the claim's `now`, whose UTC day counted the dial)
    TimePoint slot{};           // dial: the earliest time the request may be sent (rate limit)
    std::optional<RetryPolicy> retry;  // the scheduled call's own policy, if it has one
    std::optional<CallingWindow> call_window;  // dial: only inside it
};

struct ClaimRequest {
    std::string owner;
    TimePoint now{};
    std::chrono::milliseconds lease{30'000};
    int limit = 64;
    // Concurrency cap: dial claims stop when this many recipients are being dialed or are on a
    // live call (dialing, unknown, queued, ringing, in-progress), across every worker.
    int max_live = 100;
    // Rate limit: each dial gets a send slot at least this far after every slot given before,
    // by any worker; claims stop at slots beyond now + lookahead.
    std::chrono::milliseconds slot_interval{1000};
    std::chrono::milliseconds lookahead{2000};
    // Toll fraud: at most this many dial claims per UTC day (of `now`), counted in the store for
    // every worker; a window deferral gives its dial back. Recipients past it wait for the next
    // UTC midnight (reason daily_budget). 0 or less: nothing is dialed.
    int max_dials_per_day = 10'000;
    // Toll fraud: a number dialed from another scheduled call less than this long ago waits until
    // this long after that dial (reason cooldown). Redials of the same scheduled call are exempt.
    // Zero or less turns it off.
    std::chrono::milliseconds min_hours_between_calls_to_a_number{std::chrono::hours(24)};
};

// A due recipient the claim did not dial: still `pending`, due again at `until`.
struct Deferral {
    std::string scheduled_call_id;
    int position = 0;
    std::string phone_number;  // E.164: mask it before logging
    DeferredReason reason = DeferredReason::none;
    TimePoint until{};
};

struct ClaimBatch {
    std::vector<Claim> claims;
    std::vector<Deferral> deferred;  // by the daily budget or the per-number cooldown
};

// Twilio accepted a call for the attempt (or reconciliation found it).
struct PlacedCall {
    std::string call_sid;
    std::string from;
    RecipientStatus status = RecipientStatus::queued;  // what Twilio answered (usually queued)
    std::string log_id;        // id for the calllogs record created now
    TimePoint check_at{};      // fetch the call then if no final status has arrived by then
};

// A status from a callback, or from fetching the call.
struct StatusEvent {
    AttemptKey key;
    std::string call_sid;
    RecipientStatus status = RecipientStatus::queued;  // queued .. in_progress or a final one
    std::string answered_by;
    std::optional<int> duration;  // seconds, on final events
    TimePoint at{};               // Twilio's Timestamp (or now)
    std::string log_id;           // used if the calllogs record does not exist yet
    std::string from;             // idem
};

enum class StatusResult {
    applied,   // the recipient and its call log moved forward
    applied_to_canceled,  // the same, but the scheduled call is canceled and this call still live: hang it up
    stale,     // older than what is recorded (reordered, duplicated, or a past attempt): nothing changed
    unknown,   // no such attempt, or the CallSid does not match it
};

class DispatchRepository {
public:
    virtual ~DispatchRepository() = default;

    // Atomically claims due work for `owner`: reconcile and check claims first, then dial claims
    // within the concurrency cap and the rate (each with its slot). A dial claim moves the
    // recipient to `dialing` with attempt + 1 and its scheduled call to `in_progress`, and clears
    // its deferred reason. In the same step, due recipients that the daily dial budget or the
    // per-number cooldown forbid are deferred (`deferred`), so both limits hold across workers.
    virtual ClaimBatch claim(const ClaimRequest& request) = 0;
    // The earliest time at which claim() may return something; nullopt when nothing is waiting.
    virtual std::optional<TimePoint> next_due() = 0;

    // Extends the lease (false when the fence is stale: the claim is lost, stop working on it).
    virtual bool renew(const Claim& claim, TimePoint lease_until) = 0;
    // Renews the lease and reserves the next free send slot, no earlier than `not_before` (after a
    // 429). Slots are handed out in order from one frontier, so reserve when the slot is wanted.
    virtual std::optional<TimePoint> reserve_slot(const Claim& claim, TimePoint not_before,
                                                  std::chrono::milliseconds slot_interval,
                                                  std::chrono::milliseconds lease) = 0;

    // The attempt's call exists: records the CallSid, creates its calls log (status `initiated`),
    // releases the lease. A status a callback already recorded is not moved back. False when the
    // fence is stale, or the CallSid is another attempt's (reconciliation must then look again).
    virtual bool record_placed(const Claim& claim, const PlacedCall& call, TimePoint now) = 0;
    // The request may or may not have placed a call: `unknown`, lease kept by the reconciler.
    virtual bool record_unknown(const Claim& claim, TimePoint now, TimePoint lease_until) = 0;
    // No call exists for the attempt: the recipient is due again at `retry_at` (a new attempt),
    // or `failed` with `error_message` once `max_unplaced` attempts never became calls.
    virtual bool record_not_placed(const Claim& claim, TimePoint now, TimePoint retry_at, int max_unplaced,
                                   const std::string& error_message) = 0;
    // Twilio refused the call for good (e.g. 21211), or we must not make it: `failed` with the code
    // (0 = none of Twilio's) and message.
    virtual bool record_refused(const Claim& claim, TimePoint now, int code, const std::string& message) = 0;
    // Outside the calling window: no request was sent, so the attempt is given back (its number
    // too, its dial to the daily budget, and it does not count as a dial for the cooldown) and
    // the recipient is due again at `until`, deferred for reason `window`.
    virtual bool defer(const Claim& claim, TimePoint until, TimePoint now) = 0;
    // A check found the call still live: check again at `check_at`, lease released.
    virtual bool release_check(const Claim& claim, TimePoint check_at) = 0;

    // Forward only and idempotent: final states stick, a duplicate or reordered event changes
    // nothing. A final busy / no-answer / failed schedules the next attempt when the policy (the
    // call's own, else `default_retry`) allows. Completes the scheduled call once every recipient
    // has a final outcome. When the scheduled call is canceled, a final event ends the recipient
    // `canceled` (the call log keeps Twilio's status), and a live one says to hang up.
    virtual StatusResult apply_status(const StatusEvent& event, const RetryPolicy& default_retry, TimePoint now) = 0;

    // CallSids this store has recorded for calls to `phone_number` by attempts other than
    // `reconciling`: reconciliation must not adopt a call that belongs to another attempt, and
    // may adopt its own (a stream or a callback can record it before the lost answer is found).
    virtual std::vector<std::string> known_call_sids(const std::string& phone_number, const AttemptKey& reconciling) = 0;
};

}  // namespace va::store
