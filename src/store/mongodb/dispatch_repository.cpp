// The dispatcher's store operations on MongoDB, without a multi-document transaction. What to
// write comes from store/dispatch_rules (as on SQLite); how it is written here:
// - a recipient is one document; each write to it is conditional: on the claim's fence, or on
//   the state it was decided from (compare-and-set, retried when another writer got there first);
// - the limits every worker shares are documents of their own (dispatch_limits.hpp);
// - a claim takes a live ticket, the day's dial, the number and a send slot, and only then the
//   recipient; what it took is given back when a later step refuses, so nothing is dialed that a
//   limit did not allow;
// - a call the original system wrote (no recipient documents) gets its recipients on its first
//   claim, insert-if-absent: `pending` ones are due, `in_progress` ones may have been dialed and
//   are `unknown`, for reconciliation, never dialed blindly.
#include <set>

#include <spdlog/spdlog.h>

#include "core/id.hpp"
#include "store/dispatch_rules.hpp"
#include "store/mongodb/dispatch_limits.hpp"
#include "store/mongodb/repositories.hpp"

namespace va::store::mongodb {

namespace {
using std::chrono::milliseconds;

constexpr int kCompareAndSetRounds = 16;

// Who holds a live ticket: the recipient's attempt (its next attempt takes a ticket of its own).
std::string ticket_holder(const AttemptKey& key) {
    return recipient_id(key.scheduled_call_id, key.position).hex + "#" + std::to_string(key.attempt);
}
Bson recipient_filter(const AttemptKey& key) { return doc("_id", recipient_id(key.scheduled_call_id, key.position)); }
Bson fenced(const Claim& claim) {
    auto f = recipient_filter(claim.key);
    f.append("fence", static_cast<long long>(claim.fence));
    return f;
}

rules::RecipientState state_of(const View& r) {
    return {parse_recipient_status(r.text("status")).value_or(RecipientStatus::unknown),
            static_cast<int>(r.integer("attempt").value_or(0)), static_cast<int>(r.integer("unplaced").value_or(0)),
            r.text("callSid"), r.text("phoneNumber")};
}

// The filter that matches the recipient only while it is still in `state` (compare-and-set).
Bson unchanged(const AttemptKey& key, const rules::RecipientState& state) {
    auto f = recipient_filter(key);
    f.append("status", to_string(state.status)).append("attempt", state.attempt).append("unplaced", state.unplaced);
    f.append("callSid", state.call_sid);
    return f;
}

// A call log whose CallSid the attempt `key` may hold: its own, or one without an attempt of the
// same scheduled call (answered by our voice webhook after the original system dialed it).
bool adoptable(const View& log, const AttemptKey& key) {
    const auto attempt = log.text("attemptId");
    return attempt == to_string(key) || (attempt.empty() && log.text("scheduledCallId") == key.scheduled_call_id);
}

// What adoptable() reads of a call log (not its transcript).
FindOptions log_owner() {
    FindOptions o;
    o.projection = doc("callSid", 1, "attemptId", 1, "scheduledCallId", 1);
    return o;
}

struct CallFacts {
    bool exists = false;
    CallStatus status = CallStatus::pending;
    std::optional<RetryPolicy> retry;
    std::optional<CallingWindow> call_window;
    bool canceled() const { return status == CallStatus::canceled; }
};

class MongoDispatchRepository final : public DispatchRepository {
public:
    explicit MongoDispatchRepository(Collections& c) : c_(c), limits_(c) {}

    ClaimBatch claim(const ClaimRequest& r) override {
        create_missing_recipients(r.now);
        finish_completions(r.now);
        finish_edits(r.now);
        ClaimBatch batch;
        try {
            claim_leased(ClaimKind::reconcile, any_of({"dialing", "unknown"}), r, batch.claims);
            claim_leased(ClaimKind::check, any_of({"queued", "ringing", "in-progress"}), r, batch.claims);
            claim_dials(r, batch);
        } catch (const std::exception& e) {
            // Not one transaction: what was claimed before the failure is claimed. Returned, it is
            // worked on now, instead of waiting out its lease and a reconciliation.
            if (batch.claims.empty() && batch.deferred.empty()) throw;
            spdlog::warn("dispatch: a claim stopped part-way ({} claimed): {}", batch.claims.size(), e.what());
        }
        return batch;
    }

    std::optional<TimePoint> next_due() override {
        std::optional<TimePoint> out;
        auto earliest = [&out](std::optional<TimePoint> t) {
            if (t && (!out || *t < *out)) out = t;
        };
        FindOptions first;
        first.sort = doc("nextAttemptAt", 1);
        if (auto d = c_.recipients.find_one(doc("status", "pending", "nextAttemptAt", doc("$ne", nullptr)), first)) {
            earliest(View(d->get()).time("nextAttemptAt"));
        }
        first.sort = doc("leaseExpiresAt", 1);
        if (auto d = c_.recipients.find_one(doc("status", live_statuses(), "leaseExpiresAt", doc("$ne", nullptr)), first)) {
            earliest(View(d->get()).time("leaseExpiresAt"));
        }
        // A call still without recipient documents is due when it says (its first claim makes them).
        for (const auto& d : c_.scheduled_calls.find(without_recipients(), limited(16))) {
            earliest(View(d.get()).time("scheduledDateTime").value_or(TimePoint{}));
        }
        return out;
    }

    bool renew(const Claim& claim, TimePoint lease_until) override {
        return c_.recipients.update_one(fenced(claim), doc("$set", doc("leaseExpiresAt", lease_until))).matched == 1;
    }

    std::optional<TimePoint> reserve_slot(const Claim& claim, TimePoint not_before, milliseconds interval,
                                          milliseconds lease) override {
        auto filter = fenced(claim);
        filter.append("status", "dialing");
        if (c_.recipients.count(filter) == 0) return std::nullopt;
        auto slot = limits_.take_slot(not_before, std::nullopt, interval);
        if (!slot) return std::nullopt;
        // The send moves: reconciliation's grace period counts from it.
        auto moved = c_.recipients.update_one(filter, doc("$set", doc("leaseExpiresAt", *slot + lease, "dialedAt", *slot)));
        if (moved.matched != 1) return std::nullopt;
        return slot;
    }

    bool record_placed(const Claim& claim, const PlacedCall& call, TimePoint now) override {
        // A CallSid another attempt holds is not this attempt's call.
        auto others = doc("callSid", call.call_sid, "_id", doc("$ne", recipient_id(claim.key.scheduled_call_id, claim.key.position)));
        if (c_.recipients.count(others) > 0) return false;
        for (const auto& d : c_.call_logs.find(doc("callSid", call.call_sid), log_owner())) {
            if (!adoptable(View(d.get()), claim.key)) return false;
        }
        // Two reconcilers (one number in several calls) must not both adopt one call: the CallSid
        // is taken for this attempt, once and for good, before the recipient records it.
        const auto taken = derived_id({"placed-call", call.call_sid});
        const auto attempt_id = to_string(claim.key);
        if (!c_.dispatch_state.insert_one(doc("_id", taken, "kind", "placed-call", "attemptId", attempt_id))) {
            auto holder = c_.dispatch_state.find_one(doc("_id", taken));
            if (!holder || View(holder->get()).text("attemptId") != attempt_id) return false;
        }
        std::string phone;
        for (int round = 0;; ++round) {
            if (round == kCompareAndSetRounds) throw Unavailable("record_placed: the recipient kept changing");
            auto found = c_.recipients.find_one(fenced(claim));
            if (!found) return false;
            View r(found->get());
            auto state = state_of(r);
            if (!state.call_sid.empty() && state.call_sid != call.call_sid) return false;
            // A callback may have arrived before Twilio's answer: keep the status it recorded.
            const bool unplaced = state.status == RecipientStatus::dialing || state.status == RecipientStatus::unknown;
            const bool is_live = unplaced || rules::rank(state.status) < 4;
            auto set = doc("callSid", call.call_sid, "leaseOwner", nullptr, "updatedAt", now, "leaseExpiresAt",
                           is_live ? std::optional(call.check_at) : std::nullopt);
            if (unplaced) set.append("status", to_string(call.status));
            auto filter = unchanged(claim.key, state);
            filter.append("fence", static_cast<long long>(claim.fence));
            if (c_.recipients.update_one(filter, doc("$set", set)).matched == 1) {
                phone = state.phone_number;
                break;
            }
        }
        upsert_log(claim.key, call.log_id, phone, call.from, call.call_sid, now);
        return true;
    }

    bool record_unknown(const Claim& claim, TimePoint now, TimePoint lease_until) override {
        auto filter = fenced(claim);
        filter.append("status", "dialing");
        auto set = doc("status", "unknown", "leaseExpiresAt", lease_until, "updatedAt", now);
        return c_.recipients.update_one(filter, doc("$set", set)).matched == 1;
    }

    bool record_not_placed(const Claim& claim, TimePoint now, TimePoint retry_at, int max_unplaced,
                           const std::string& error_message) override {
        auto filter = fenced(claim);
        filter.append("status", any_of({"dialing", "unknown"}));
        auto found = c_.recipients.find_one(filter);
        if (!found) return false;
        View r(found->get());
        const auto d = rules::decide_not_placed(static_cast<int>(r.integer("unplaced").value_or(0)), max_unplaced,
                                                retry_at, call_facts(claim.key.scheduled_call_id).canceled());
        filter = fenced(claim);
        filter.append("status", r.text("status")).append("unplaced", d.unplaced - 1);
        auto set = doc("status", to_string(d.status), "unplaced", d.unplaced, "nextAttemptAt", d.next_attempt_at,
                       "errorMessage", error_message, "leaseOwner", nullptr, "leaseExpiresAt", nullptr, "updatedAt", now);
        const auto mark = d.check_completion ? mark_for_completion(claim.key.scheduled_call_id, now) : "";
        if (c_.recipients.update_one(filter, doc("$set", set)).matched != 1) return false;
        limits_.give_back_ticket(ticket_holder(claim.key));
        if (d.check_completion) complete_if_done(claim.key.scheduled_call_id, mark, now);
        return true;
    }

    bool record_refused(const Claim& claim, TimePoint now, int code, const std::string& message) override {
        auto filter = fenced(claim);
        filter.append("status", any_of({"dialing", "unknown"}));
        auto set = doc("status", "failed", "errorCode", code ? std::optional(code) : std::nullopt, "errorMessage",
                       message, "leaseOwner", nullptr, "leaseExpiresAt", nullptr, "nextAttemptAt", nullptr,
                       "updatedAt", now);
        const auto mark = mark_for_completion(claim.key.scheduled_call_id, now);
        if (c_.recipients.update_one(filter, doc("$set", set)).matched != 1) return false;
        limits_.give_back_ticket(ticket_holder(claim.key));
        complete_if_done(claim.key.scheduled_call_id, mark, now);
        return true;
    }

    bool defer(const Claim& claim, TimePoint until, TimePoint now) override {
        const auto d = rules::decide_defer(until, call_facts(claim.key.scheduled_call_id).canceled());
        const auto mark = d.check_completion ? mark_for_completion(claim.key.scheduled_call_id, now) : "";
        if (!give_back(claim, d.status, d.next_attempt_at, d.reason, now, Taken{})) return false;
        if (d.check_completion) complete_if_done(claim.key.scheduled_call_id, mark, now);
        return true;
    }

    bool release_check(const Claim& claim, TimePoint check_at) override {
        auto filter = fenced(claim);
        filter.append("status", any_of({"queued", "ringing", "in-progress"}));
        return c_.recipients.update_one(filter, doc("$set", doc("leaseOwner", nullptr, "leaseExpiresAt", check_at)))
                   .matched == 1;
    }

    StatusResult apply_status(const StatusEvent& e, const RetryPolicy& default_retry, TimePoint now) override {
        if (e.call_sid.empty()) return StatusResult::unknown;
        const auto call = call_facts(e.key.scheduled_call_id);
        for (int round = 0; round < kCompareAndSetRounds; ++round) {
            auto found = c_.recipients.find_one(recipient_filter(e.key));
            if (!found) return StatusResult::unknown;
            const auto state = state_of(View(found->get()));
            const auto d = rules::decide_status(state, e, call.retry.value_or(default_retry), call.canceled(), now);
            if (d.result != StatusResult::applied && d.result != StatusResult::applied_to_canceled) return d.result;
            auto set = doc("status", to_string(d.status), "callSid", d.call_sid, "updatedAt", now);
            if (d.reopens) set.append("unplaced", state.unplaced - 1);
            if (d.clear_lease) {
                set.append("leaseOwner", nullptr).append("leaseExpiresAt", nullptr);
                set.append("nextAttemptAt", d.next_attempt_at).append("errorMessage", d.error_message);
            } else if (d.reopens) {
                set.append("nextAttemptAt", nullptr).append("errorMessage", "");  // its redial is called off
            }
            const auto mark = d.check_completion ? mark_for_completion(e.key.scheduled_call_id, now) : "";
            if (c_.recipients.update_one(unchanged(e.key, state), doc("$set", set)).matched != 1) continue;
            // The recipient first: a CallSid in a call log is one reconciliation must not adopt
            // (known_call_sids), so a log must never hold it while its recipient does not.
            upsert_log(e.key, e.log_id, state.phone_number, e.from, e.call_sid, now);
            advance_log(e, d.log_status, now);
            if (rules::rank(d.status) == 4 || d.status == RecipientStatus::pending) {
                limits_.give_back_ticket(ticket_holder({e.key.scheduled_call_id, e.key.position, state.attempt}));
            }
            if (d.check_completion) complete_if_done(e.key.scheduled_call_id, mark, now);
            return d.result;
        }
        throw Unavailable("apply_status: the recipient kept changing");
    }

    std::vector<std::string> known_call_sids(const std::string& phone_number, const AttemptKey& reconciling) override {
        std::set<std::string> out;
        FindOptions sids;
        sids.projection = doc("callSid", 1);
        for (const auto& d : c_.call_logs.find(doc("to", phone_number, "callSid", doc("$ne", "")), log_owner())) {
            View log(d.get());
            if (!adoptable(log, reconciling)) out.insert(log.text("callSid"));
        }
        auto others = doc("phoneNumber", phone_number, "callSid", doc("$ne", ""), "_id",
                          doc("$ne", recipient_id(reconciling.scheduled_call_id, reconciling.position)));
        for (const auto& d : c_.recipients.find(others, sids)) {
            out.insert(View(d.get()).text("callSid"));
        }
        return {out.begin(), out.end()};
    }

private:
    static FindOptions limited(std::int64_t n) {
        FindOptions o;
        o.limit = n;
        return o;
    }

    static Bson without_recipients() {
        return doc("status", any_of({"pending", "in_progress"}), "recipientsCreatedAt", doc("$exists", false));
    }

    CallFacts call_facts(const std::string& call_id) {
        CallFacts out;
        auto found = c_.scheduled_calls.find_one(id_filter(call_id));
        if (!found) return out;
        auto call = scheduled_call_from(View(found->get()));
        return {true, call.status, call.retry, call.call_window};
    }

    // Recipient documents for calls that have none: the original system's calls, and ours if a
    // crash came between writing a call and its recipients. Insert-if-absent on derived _ids, so
    // workers racing here create each recipient once.
    void create_missing_recipients(TimePoint now) {
        for (const auto& d : c_.scheduled_calls.find(without_recipients(), limited(16))) {
            auto call = scheduled_call_from(View(d.get()));
            const auto variables = recipient_variables(View(d.get()), call.to_phone_numbers.size());
            const bool maybe_dialed = call.status == CallStatus::in_progress;
            for (std::size_t i = 0; i < call.to_phone_numbers.size(); ++i) {
                const int position = static_cast<int>(i);
                auto r = new_recipient(call.to_phone_numbers[i], now, variables[i]);
                if (!maybe_dialed) {
                    c_.recipients.insert_one(recipient_document(call.id, position, r, call.scheduled_date_time));
                    continue;
                }
                // Dialed or not, by the original worker at its due time: reconciliation looks in
                // Twilio's call list for calls created since then (a lease already expired).
                r.status = RecipientStatus::unknown;
                r.attempt = 1;
                r.dialed_at = call.scheduled_date_time;
                auto unknown = recipient_document(call.id, position, r, std::nullopt);
                unknown.append("leaseExpiresAt", TimePoint{});
                c_.recipients.insert_one(unknown);
            }
            // Its times become BSON dates, if the original system wrote strings: a real server
            // never compares a string with a date, so listings by time would pass over it.
            c_.scheduled_calls.update_one(id_filter(call.id),
                                          doc("$set", doc("recipientsCreatedAt", now, "scheduledDateTime",
                                                          call.scheduled_date_time, "createdAt", call.created_at,
                                                          "updatedAt", call.updated_at)));
        }
    }

    // Edits of pending calls a dead process left frozen (update_pending).
    void finish_edits(TimePoint now) {
        std::set<std::string> calls;
        auto left = doc("status", "pending", "frozenAt", doc("$lt", now - std::chrono::minutes(1)));
        for (const auto& d : c_.recipients.find(left, limited(16))) calls.insert(View(d.get()).text("scheduledCallId"));
        for (const auto& id : calls) finish_edit(c_, id, now);
    }

    // Reconcile and check claims: recipients in `statuses` whose lease ran out, one at a time.
    void claim_leased(ClaimKind kind, const Bson& statuses, const ClaimRequest& r, std::vector<Claim>& out) {
        const auto until = r.now + r.lease;
        FindAndModify oldest;
        oldest.sort = doc("leaseExpiresAt", 1);
        while (static_cast<int>(out.size()) < r.limit) {
            auto taken = c_.recipients.find_one_and_update(
                doc("status", statuses, "leaseExpiresAt", doc("$lt", r.now)),
                doc("$set", doc("leaseOwner", r.owner, "leaseExpiresAt", until), "$inc", doc("fence", 1L)), oldest);
            if (!taken) return;
            View d(taken->get());
            Claim claim;
            claim.kind = kind;
            claim.key = {d.text("scheduledCallId"), static_cast<int>(d.integer("position").value_or(0)),
                         static_cast<int>(d.integer("attempt").value_or(0))};
            claim.fence = d.integer("fence").value_or(0);
            claim.lease_until = until;
            claim.phone_number = d.text("phoneNumber");
            claim.call_sid = d.text("callSid");
            claim.dialed_at = d.time("dialedAt").value_or(r.now);
            limits_.ensure_ticket(ticket_holder(claim.key), r.max_live, r.now);
            out.push_back(std::move(claim));
        }
    }

    // Dial claims, each due recipient in turn: the cooldown and the budget defer it (read first,
    // then taken: a racing worker may take the last dial); it takes a live ticket, its dial of the
    // day, its number and its send slot, and only then is it claimed.
    void claim_dials(const ClaimRequest& r, ClaimBatch& batch) {
        const auto cooldown = std::chrono::duration_cast<milliseconds>(r.min_hours_between_calls_to_a_number);
        const auto until = r.now + r.lookahead + r.lease;
        FindOptions due_order;
        due_order.sort = doc("nextAttemptAt", 1, "scheduledCallId", 1, "position", 1);
        due_order.limit = r.limit;
        std::vector<Bson> candidates = c_.recipients.find(doc("status", "pending", "nextAttemptAt", doc("$lte", r.now)), due_order);
        for (const auto& candidate : candidates) {
            if (static_cast<int>(batch.claims.size()) >= r.limit) return;
            View d(candidate.get());
            const AttemptKey key{d.text("scheduledCallId"), static_cast<int>(d.integer("position").value_or(0)),
                                 static_cast<int>(d.integer("attempt").value_or(0)) + 1};
            const auto phone = d.text("phoneNumber");
            Deferral deferral{key.scheduled_call_id, key.position, phone, DeferredReason::none, {}};
            if (cooldown.count() > 0) {
                if (auto last = last_dial_from_other_calls(phone, key.scheduled_call_id); last && *last + cooldown > r.now) {
                    deferral.reason = DeferredReason::cooldown;
                    deferral.until = *last + cooldown;
                }
            }
            if (deferral.reason == DeferredReason::none && limits_.dials_on(r.now) >= r.max_dials_per_day) {
                deferral.reason = DeferredReason::daily_budget;
                deferral.until = next_utc_midnight(r.now);
            }
            if (deferral.reason != DeferredReason::none) {
                if (defer_candidate(d, deferral, r.now)) batch.deferred.push_back(deferral);
                continue;
            }
            // The limits first, then the recipient: a limit that refuses leaves it untouched.
            Taken taken{false, false, false};
            const auto ticket = limits_.take_ticket(ticket_holder(key), r.max_live, r.now);
            if (!ticket) return;  // at the cap
            // Until the recipient is claimed, only this ticket is given back: a racing worker may
            // hold another for the same attempt.
            auto release_unclaimed = [&] {
                limits_.give_back_ticket(*ticket);
                release(key, phone, taken, r.now, r.now);
            };
            if (!(taken.dial = limits_.take_dial(r.now, r.max_dials_per_day))) {
                deferral.reason = DeferredReason::daily_budget;
                deferral.until = next_utc_midnight(r.now);
            } else if (cooldown.count() > 0) {
                if (auto other = limits_.take_number(phone, key.scheduled_call_id, r.now, cooldown)) {
                    deferral.reason = DeferredReason::cooldown;
                    deferral.until = other->at + cooldown;
                } else {
                    taken.number = true;
                }
            }
            if (deferral.reason != DeferredReason::none) {
                release_unclaimed();
                if (defer_candidate(d, deferral, r.now)) batch.deferred.push_back(deferral);
                continue;
            }
            auto slot = limits_.take_slot(r.now, r.now + r.lookahead, r.slot_interval);
            if (!slot) {
                release_unclaimed();
                return;  // the rate: the rest wait for the next claim
            }
            auto claim = take(d, key, r, until);
            if (!claim) {  // another worker took it; its slot goes unused
                release_unclaimed();
                continue;
            }
            claim->slot = *slot;
            // Its call is in progress from its first dial. A call canceled meanwhile gets no dial:
            // the attempt is given back canceled (cancel writes the call before its recipients).
            auto pending_call = id_filter(key.scheduled_call_id);
            pending_call.append("status", "pending");
            c_.scheduled_calls.update_one(pending_call, doc("$set", doc("status", "in_progress", "updatedAt", r.now)));
            const auto call = call_facts(key.scheduled_call_id);
            if (call.canceled()) {
                defer(*claim, r.now, r.now);
                continue;
            }
            claim->retry = call.retry;
            claim->call_window = call.call_window;
            batch.claims.push_back(std::move(*claim));
        }
    }

    std::optional<TimePoint> last_dial_from_other_calls(const std::string& phone, const std::string& call_id) {
        FindOptions latest;
        latest.sort = doc("dialedAt", -1);
        auto found = c_.recipients.find_one(
            doc("phoneNumber", phone, "scheduledCallId", doc("$ne", call_id), "dialedAt", doc("$ne", nullptr)), latest);
        if (!found) return std::nullopt;
        return View(found->get()).time("dialedAt");
    }

    bool defer_candidate(const View& d, const Deferral& deferral, TimePoint now) {
        auto filter = doc("_id", *object_id(d.text("_id")), "status", "pending", "fence",
                          static_cast<long long>(d.integer("fence").value_or(0)), "nextAttemptAt", doc("$lte", now));
        auto set = doc("nextAttemptAt", deferral.until, "deferredReason", to_string(deferral.reason), "updatedAt", now);
        return c_.recipients.update_one(filter, doc("$set", set)).matched == 1;
    }

    // The candidate moves to `dialing` under a new fence, if it is still as it was read.
    std::optional<Claim> take(const View& d, const AttemptKey& key, const ClaimRequest& r, TimePoint until) {
        // Still as read, and still due: an edit of its call freezes it by clearing its due time.
        auto filter = doc("_id", *object_id(d.text("_id")), "status", "pending", "fence",
                          static_cast<long long>(d.integer("fence").value_or(0)), "nextAttemptAt", doc("$lte", r.now));
        auto set = doc("status", "dialing", "attempt", key.attempt, "leaseOwner", r.owner, "leaseExpiresAt", until,
                       "dialedAt", r.now, "claimedAt", r.now, "priorDialedAt", d.time("dialedAt"), "callSid", "",
                       "errorCode", nullptr, "errorMessage", "", "nextAttemptAt", nullptr, "deferredReason", "",
                       "updatedAt", r.now);
        auto taken = c_.recipients.find_one_and_update(filter, doc("$set", set, "$inc", doc("fence", 1L)));
        if (!taken) return std::nullopt;
        View t(taken->get());
        Claim claim;
        claim.kind = ClaimKind::dial;
        claim.key = key;
        claim.fence = t.integer("fence").value_or(0);
        claim.lease_until = until;
        claim.phone_number = t.text("phoneNumber");
        claim.dialed_at = r.now;
        return claim;
    }

    // What a dial claim has taken of the limits.
    struct Taken {
        bool ticket = true, dial = true, number = true;
    };

    // Gives a claimed attempt back: no request was sent, so the attempt and its dialedAt (the
    // cooldown must not count it) go back, and what it took of the limits.
    bool give_back(const Claim& claim, RecipientStatus status, std::optional<TimePoint> due, DeferredReason reason,
                   TimePoint now, Taken taken) {
        auto filter = fenced(claim);
        filter.append("status", "dialing");
        auto found = c_.recipients.find_one(filter);
        if (!found) return false;
        View r(found->get());
        const auto claimed_at = r.time("claimedAt").value_or(claim.dialed_at);
        auto set = doc("status", to_string(status), "attempt", claim.key.attempt - 1, "nextAttemptAt", due,
                       "deferredReason", to_string(reason), "dialedAt", r.time("priorDialedAt"), "priorDialedAt",
                       nullptr, "leaseOwner", nullptr, "leaseExpiresAt", nullptr, "updatedAt", now);
        if (c_.recipients.update_one(filter, doc("$set", set)).matched != 1) return false;
        release(claim.key, claim.phone_number, taken, claimed_at, now);
        return true;
    }

    void release(const AttemptKey& key, const std::string& phone, Taken taken, TimePoint claimed_at, TimePoint now) {
        if (taken.ticket) limits_.give_back_ticket(ticket_holder(key));
        if (taken.dial) limits_.give_back_dial(claimed_at, now);
        if (taken.number) limits_.give_back_number(phone, key.scheduled_call_id, claimed_at);
    }

    // The attempt's call log: created once (at dial time, by an early callback, or by its
    // stream), then moved forward only.
    void upsert_log(const AttemptKey& key, const std::string& log_id, const std::string& to, const std::string& from,
                    const std::string& call_sid, TimePoint now) {
        const auto attempt_id = to_string(key);
        const auto id = attempt_log_id(c_, attempt_id, log_id);
        CallLog log;
        log.id = id;
        log.scheduled_call_id = key.scheduled_call_id;
        log.to = to;
        log.from = from;
        log.call_sid = call_sid;
        log.status = "initiated";
        log.attempt_id = attempt_id;
        log.started_at = now;
        log.created_at = now;
        log.updated_at = now;
        Bson on_insert;
        bson_copy_to_excluding_noinit(call_log_document(log).get(), on_insert.get(), "_id", "callSid", nullptr);
        c_.call_logs.update_one(id_filter(id), doc("$set", doc("callSid", call_sid), "$setOnInsert", on_insert), true);
        auto no_from = id_filter(id);
        no_from.append("from", "");
        c_.call_logs.update_one(no_from, doc("$set", doc("from", from)));
    }

    void advance_log(const StatusEvent& e, const std::string& status, TimePoint now) {
        const auto attempt_id = to_string(e.key);
        for (int round = 0; round < kCompareAndSetRounds; ++round) {
            auto found = c_.call_logs.find_one(doc("attemptId", attempt_id));
            if (!found) return;
            View log(found->get());
            const auto current = log.text("status");
            if (!rules::log_advances(current, status)) return;
            const bool final = rules::is_final_outcome(e.status);
            auto set = doc("status", status, "updatedAt", now);
            if (!e.answered_by.empty()) set.append("answeredBy", e.answered_by);
            if (status == "in-progress" && !log.has("answeredAt")) set.append("answeredAt", e.at);
            if (final) set.append("endedAt", e.at).append("duration", e.duration);
            auto filter = doc("_id", *object_id(log.text("_id")), "status", current);
            if (c_.call_logs.update_one(filter, doc("$set", set)).matched == 1) return;
        }
    }

    // Completion without a transaction. Before a write that may end a call's last live
    // recipient, the call is marked; after it, complete_if_done() looks at every recipient and
    // clears the mark it made. Of two recipients ending at once, the one that writes last sees
    // both final. A process killed between the write and the look leaves the mark, and a later
    // claim finishes the job (finish_completions).
    std::string mark_for_completion(const std::string& call_id, TimePoint now) {
        auto mark = core::new_object_id(now);
        c_.scheduled_calls.update_one(id_filter(call_id),
                                      doc("$set", doc("completionCheck", mark, "completionCheckAt", now)));
        return mark;
    }

    // rules::is_complete on what the call's recipients say now; a conditional write, so a call
    // canceled meanwhile stays canceled. Clears the mark `mark` if it is still the call's.
    void complete_if_done(const std::string& call_id, const std::string& mark, TimePoint now) {
        auto found = c_.scheduled_calls.find_one(id_filter(call_id));
        if (!found) return;
        const auto status = parse_call_status(View(found->get()).text("status")).value_or(CallStatus::failed);
        // One recipient still without an outcome settles it (the common case, at once); only
        // then are all of them read, their statuses alone.
        Array finals;
        for (auto outcome : rules::final_outcomes()) finals.push(to_string(outcome));
        Bson not_in;
        not_in.append_array("$nin", finals.bson());
        std::vector<RecipientStatus> statuses;
        if (!c_.recipients.find_one(doc("scheduledCallId", call_id, "status", not_in))) {
            FindOptions only_status;
            only_status.projection = doc("status", 1);
            for (const auto& d : c_.recipients.find(doc("scheduledCallId", call_id), only_status)) {
                statuses.push_back(parse_recipient_status(View(d.get()).text("status")).value_or(RecipientStatus::unknown));
            }
        }
        if (!statuses.empty() && rules::is_complete(status, statuses)) {
            auto filter = id_filter(call_id);
            filter.append("status", to_string(status));
            c_.scheduled_calls.update_one(filter, doc("$set", doc("status", "completed", "updatedAt", now)));
        }
        auto marked = id_filter(call_id);
        marked.append("completionCheck", mark);
        c_.scheduled_calls.update_one(marked, doc("$unset", doc("completionCheck", "", "completionCheckAt", "")));
    }

    // Marks left by a process that died between a recipient's last write and its look at the
    // call (not recent ones: their writers are still at work).
    void finish_completions(TimePoint now) {
        auto left = doc("completionCheckAt", doc("$lt", now - std::chrono::seconds(10)));
        for (const auto& d : c_.scheduled_calls.find(left, limited(16))) {
            View call(d.get());
            complete_if_done(call.text("_id"), call.text("completionCheck"), now);
        }
    }

    Collections& c_;
    DispatchLimits limits_;
};
}  // namespace

std::unique_ptr<DispatchRepository> make_dispatch_repository(Collections& c) {
    return std::make_unique<MongoDispatchRepository>(c);
}

}  // namespace va::store::mongodb
