#include "store/mongodb/dispatch_limits.hpp"

#include <cstdlib>

namespace va::store::mongodb {

namespace {
using std::chrono::milliseconds;

std::int64_t millis(TimePoint t) { return std::chrono::duration_cast<milliseconds>(t.time_since_epoch()).count(); }

constexpr const char* kTicket = "live-ticket";
constexpr const char* kSlots = "send-slots";
constexpr const char* kDailyDials = "daily-dials";
constexpr const char* kNumberDial = "number-dial";

ObjectId ticket_id(int index) { return derived_id({kTicket, std::to_string(index)}); }
ObjectId day_id(TimePoint day) { return derived_id({kDailyDials, std::to_string(millis(day))}); }
// Keyed by a hash of the number: the number itself is kept only where retention can mask it.
ObjectId number_id(const std::string& number) { return derived_id({kNumberDial, number}); }

}  // namespace

Bson live_statuses() { return any_of({"dialing", "unknown", "queued", "ringing", "in-progress"}); }

TimePoint utc_day_of(TimePoint t) {
    return std::chrono::floor<std::chrono::days>(t);
}

std::optional<ObjectId> DispatchLimits::take_ticket(const std::string& holder, int max_live, TimePoint now) {
    if (max_live <= 0) return std::nullopt;
    const auto unheld = doc("kind", kTicket, "index", doc("$lt", max_live), "holder", "");
    for (int round = 0; round < 4; ++round) {
        if (auto ticket = c_.dispatch_state.find_one_and_update(unheld, doc("$set", doc("holder", holder, "takenAt", now)))) {
            return ObjectId{View(ticket->get()).text("_id")};
        }
        // None free: make the next one while there are fewer than the cap (a racing worker may
        // make the same one: its _id is the index's), else free the tickets left behind.
        const auto made = c_.dispatch_state.count(doc("kind", kTicket, "index", doc("$lt", max_live)));
        if (made < max_live) {
            const auto index = static_cast<int>(made);
            c_.dispatch_state.insert_one(doc("_id", ticket_id(index), "kind", kTicket, "index", index, "holder", ""));
        } else if (free_stale_tickets(now) == 0) {
            return std::nullopt;
        }
    }
    return std::nullopt;
}

void DispatchLimits::ensure_ticket(const std::string& holder, int max_live, TimePoint now) {
    if (c_.dispatch_state.count(doc("kind", kTicket, "holder", holder)) == 0) take_ticket(holder, max_live, now);
}

void DispatchLimits::give_back_ticket(const std::string& holder) {
    c_.dispatch_state.update_many(doc("kind", kTicket, "holder", holder), doc("$set", doc("holder", "")));
}

void DispatchLimits::give_back_ticket(const ObjectId& ticket) {
    c_.dispatch_state.update_one(doc("_id", ticket), doc("$set", doc("holder", "")));
}

// A ticket whose holder is not live: a crash came between an attempt's last write and giving its
// ticket back. Not one just taken, whose holder is about to be claimed. Freed only if it still has
// that holder.
std::size_t DispatchLimits::free_stale_tickets(TimePoint now) {
    std::size_t freed = 0;
    auto settled = doc("$lt", now - std::chrono::minutes(1));
    for (const auto& t : c_.dispatch_state.find(doc("kind", kTicket, "holder", doc("$ne", ""), "takenAt", settled))) {
        const auto holder = View(t.get()).text("holder");
        const auto hash = holder.find('#');
        auto id = object_id(holder.substr(0, hash));
        if (id && hash != std::string::npos) {
            const int attempt = std::atoi(holder.c_str() + hash + 1);
            if (c_.recipients.count(doc("_id", *id, "attempt", attempt, "status", live_statuses())) > 0) continue;
        }
        auto ticket = doc("_id", *object_id(View(t.get()).text("_id")), "holder", holder);
        freed += static_cast<std::size_t>(c_.dispatch_state.update_one(ticket, doc("$set", doc("holder", ""))).modified);
    }
    return freed;
}

std::optional<TimePoint> DispatchLimits::take_slot(TimePoint not_before, std::optional<TimePoint> latest,
                                                   milliseconds interval) {
    const auto id = derived_id({kSlots});
    if (!slots_made_.load()) {
        c_.dispatch_state.insert_one(doc("_id", id, "kind", kSlots, "nextSlotAtMs", 0L));
        slots_made_ = true;
    }
    // The frontier never lags behind the earliest slot wanted; then one slot is taken off it.
    c_.dispatch_state.update_one(doc("_id", id, "nextSlotAtMs", doc("$lt", millis(not_before))),
                                 doc("$set", doc("nextSlotAtMs", millis(not_before))));
    auto filter = doc("_id", id);
    if (latest) filter.append("nextSlotAtMs", doc("$lte", millis(*latest)));
    FindAndModify before;
    before.return_new = false;
    auto taken = c_.dispatch_state.find_one_and_update(
        filter, doc("$inc", doc("nextSlotAtMs", static_cast<long long>(std::max<std::int64_t>(1, interval.count())))),
        before);
    if (!taken) return std::nullopt;
    return TimePoint(milliseconds(View(taken->get()).integer("nextSlotAtMs").value_or(0)));
}

std::int64_t DispatchLimits::dials_on(TimePoint at) {
    auto day = c_.dispatch_state.find_one(doc("_id", day_id(utc_day_of(at))));
    return day ? View(day->get()).integer("dials").value_or(0) : 0;
}

bool DispatchLimits::take_dial(TimePoint at, int budget) {
    if (budget <= 0) return false;
    const auto day = utc_day_of(at);
    const auto below = doc("_id", day_id(day), "dials", doc("$lt", budget));
    const auto one_more = doc("$inc", doc("dials", 1), "$setOnInsert", doc("kind", kDailyDials, "day", day));
    auto taken = c_.dispatch_state.update_one(below, one_more, true);
    // The day's first dials race to make its document; the loser's upsert meets the winner's _id
    // (the server does not retry an upsert whose filter is not all equalities): count again.
    if (taken.duplicate) taken = c_.dispatch_state.update_one(below, one_more, true);
    if (taken.upserted) {
        // A new day: the days before yesterday are no longer needed (a window deferral may still
        // give a dial back to yesterday, never to an older day).
        c_.dispatch_state.delete_many(doc("kind", kDailyDials, "day", doc("$lt", day - std::chrono::hours(24))));
    }
    return taken.matched == 1 || taken.upserted;
}

void DispatchLimits::give_back_dial(TimePoint claimed_at, TimePoint now) {
    const auto day = utc_day_of(claimed_at);
    auto back = c_.dispatch_state.update_one(doc("_id", day_id(day), "dials", doc("$gt", 0)), doc("$inc", doc("dials", -1)));
    if (back.modified == 0 || day != utc_day_of(now)) return;
    // The claim that counted this dial may have pushed others past the budget to midnight: the
    // first of them takes the dial back now, instead of waiting for tomorrow with a dial unused.
    FindAndModify first;
    first.sort = doc("nextAttemptAt", 1, "scheduledCallId", 1, "position", 1);
    c_.recipients.find_one_and_update(
        doc("status", "pending", "deferredReason", "daily-budget", "nextAttemptAt", doc("$gt", now)),
        doc("$set", doc("nextAttemptAt", now)), first);
}

std::optional<DispatchLimits::NumberDial> DispatchLimits::take_number(const std::string& number,
                                                                      const std::string& call_id, TimePoint at,
                                                                      milliseconds cooldown) {
    const auto id = number_id(number);
    for (int attempt = 0; attempt < 8; ++attempt) {
        auto found = c_.dispatch_state.find_one(doc("_id", id));
        if (!found) {
            if (c_.dispatch_state.insert_one(doc("_id", id, "kind", kNumberDial, "lastDialAt", at, "scheduledCallId",
                                                 call_id, "priorDialAt", nullptr, "priorCallId", ""))) {
                return std::nullopt;
            }
            continue;  // another worker made it first: read it
        }
        View d(found->get());
        const auto last = d.time("lastDialAt");
        const auto last_call = d.text("scheduledCallId");
        if (last && last_call != call_id && *last + cooldown > at) return NumberDial{*last, last_call};
        // Compare-and-set on what was read: a racing dial of the number makes this match nothing.
        auto filter = doc("_id", id, "lastDialAt", last, "scheduledCallId", last_call);
        auto set = doc("lastDialAt", at, "scheduledCallId", call_id, "priorDialAt", last, "priorCallId", last_call);
        if (c_.dispatch_state.update_one(filter, doc("$set", set)).matched == 1) return std::nullopt;
    }
    throw store::Unavailable("the dial record of a number kept changing under its writers");
}

void DispatchLimits::give_back_number(const std::string& number, const std::string& call_id, TimePoint at) {
    const auto id = number_id(number);
    auto found = c_.dispatch_state.find_one(doc("_id", id, "lastDialAt", at, "scheduledCallId", call_id));
    if (!found) return;  // a later dial replaced it: that one stays the latest
    View d(found->get());
    auto set = doc("lastDialAt", d.time("priorDialAt"), "scheduledCallId", d.text("priorCallId"), "priorDialAt", nullptr,
                   "priorCallId", "");
    c_.dispatch_state.update_one(doc("_id", id, "lastDialAt", at, "scheduledCallId", call_id), doc("$set", set));
}

}  // namespace va::store::mongodb
