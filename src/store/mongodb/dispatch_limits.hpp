#pragma once
// Internal to store/mongodb: the dispatcher's limits shared by every worker on the deployment,
// each kept in documents of `dispatch_state` and changed only by single-document conditional
// writes (no transaction):
// - live tickets: the concurrency cap. Ticket i (i < max_live) is held by at most one live
//   attempt; a claim takes one before it claims the recipient, and the attempt gives it back
//   when it stops being live. A ticket whose holder is not live a minute after it was taken (a
//   crash between two writes) is freed when the cap is reached.
// - the send-slot frontier: one document whose nextSlotAt only moves forward by an interval per
//   dial ($inc), so no two dials share a slot.
// - the dials of each UTC day: {dials} incremented only while below the budget.
// - each number's latest dial and the call it was from, changed by compare-and-set, so that
//   two workers cannot both dial a number from two calls within the cooldown.
#include <atomic>
#include <chrono>
#include <optional>
#include <string>

#include "store/mongodb/repositories.hpp"

namespace va::store::mongodb {

class DispatchLimits {
public:
    explicit DispatchLimits(Collections& c) : c_(c) {}

    // A ticket for `holder` ("<recipient _id>#<attempt>"), or nullopt when all max_live are held.
    // Tickets are made as they are first needed.
    std::optional<ObjectId> take_ticket(const std::string& holder, int max_live, TimePoint now);
    // A live attempt that holds no ticket (copied from another store, created for an original
    // system's call, reopened) takes one if one is free: it counts toward the cap from then on.
    void ensure_ticket(const std::string& holder, int max_live, TimePoint now);
    // The tickets `holder` holds, or the one ticket `ticket`, become free.
    void give_back_ticket(const std::string& holder);
    void give_back_ticket(const ObjectId& ticket);

    // The next send slot no later than `latest`, at least `interval` after every slot handed out
    // before and no earlier than `not_before`; nullopt when the next free slot is after `latest`.
    std::optional<TimePoint> take_slot(TimePoint not_before, std::optional<TimePoint> latest,
                                       std::chrono::milliseconds interval);

    // Dials counted for the UTC day of `at`.
    std::int64_t dials_on(TimePoint at);
    // One more dial on the day of `at`, if the day has fewer than `budget`.
    bool take_dial(TimePoint at, int budget);
    // A dial that never became a request goes back to its day; if that day is today, the first
    // recipient deferred for the budget is due again at `now`.
    void give_back_dial(TimePoint claimed_at, TimePoint now);

    // The latest dial of `number` from another scheduled call than `call_id`, if the number's
    // record has one.
    struct NumberDial {
        TimePoint at{};
        std::string call_id;
    };
    // Records a dial of `number` for `call_id` at `at`, unless a dial from another call is less
    // than `cooldown` before `at`: then that dial.
    std::optional<NumberDial> take_number(const std::string& number, const std::string& call_id, TimePoint at,
                                          std::chrono::milliseconds cooldown);
    // Takes back the dial take_number() recorded at `at` for `call_id` (the previous one is the
    // number's latest again).
    void give_back_number(const std::string& number, const std::string& call_id, TimePoint at);

private:
    std::size_t free_stale_tickets(TimePoint now);
    Collections& c_;
    std::atomic<bool> slots_made_{false};
};

// {$in: [...]} of the statuses in which a recipient is live: being dialed or on a call.
Bson live_statuses();

// The UTC midnight that starts the day of `t`, and the one after it.
TimePoint utc_day_of(TimePoint t);
inline TimePoint next_utc_midnight(TimePoint t) { return utc_day_of(t) + std::chrono::hours(24); }

}  // namespace va::store::mongodb
