// The dispatcher's store operations on SQLite. Every write runs in the group-commit writer's
// transaction (BEGIN IMMEDIATE), which also serialises it against the writers of other processes on
// the same file: a claim's reads (live calls, next slot, dials of the day, a number's latest dial)
// and writes are one atomic step, so neither the concurrency cap, the rate, the daily dial budget
// nor the per-number cooldown can be exceeded by workers racing each other.
#include <algorithm>
#include <map>

#include "store/dispatch_rules.hpp"
#include "store/sqlite/dial_limits.hpp"
#include "store/sqlite/paging.hpp"
#include "store/sqlite/repositories.hpp"
#include "store/sqlite/settings_json.hpp"

namespace va::store::sqlite {

namespace {
using std::chrono::milliseconds;

constexpr const char* kLive = "('dialing', 'unknown', 'queued', 'ringing', 'in-progress')";

// "('a', 'b', ...)": a list of the rules' statuses, for an IN clause.
template <typename Status>
std::string sql_list(std::span<const Status> statuses) {
    std::string out = "(";
    for (auto s : statuses) {
        if (out.size() > 1) out += ", ";
        out += "'" + std::string(to_string(s)) + "'";
    }
    return out + ")";
}

// A scheduled call's own settings, which every claim of it carries.
struct CallSettings {
    std::optional<RetryPolicy> retry;
    std::optional<CallingWindow> call_window;
};

CallSettings settings_of(Connection& c, const std::string& call_id) {
    Statement s(c, "SELECT retry, callWindow FROM scheduled_calls WHERE id = ?");
    s.bind(1, call_id);
    CallSettings out;
    if (!s.step()) return out;
    if (!s.is_null(0)) out.retry = retry_from_json(s.text(0));
    if (!s.is_null(1)) out.call_window = call_window_from_json(s.text(1));
    return out;
}

std::optional<std::int64_t> optional_millis(const std::optional<TimePoint>& t) {
    return t ? std::optional(to_millis(*t)) : std::nullopt;
}

// What the rules need of a scheduled call.
struct CallState {
    bool canceled = false;
    std::optional<RetryPolicy> retry;
};

CallState call_of(Connection& c, const std::string& call_id) {
    Statement s(c, "SELECT status, retry FROM scheduled_calls WHERE id = ?");
    s.bind(1, call_id);
    CallState out;
    if (!s.step()) return out;
    out.canceled = s.text(0) == to_string(CallStatus::canceled);
    if (!s.is_null(1)) out.retry = retry_from_json(s.text(1));
    return out;
}

// rules::is_complete as one conditional write: the statuses come from the rules, and NOT EXISTS
// lets SQLite check every recipient through the index without reading them out.
void complete_if_done(Connection& c, const std::string& call_id, TimePoint now) {
    static const std::string sql =
        "UPDATE scheduled_calls SET status = 'completed', updatedAt = ?1 WHERE id = ?2 AND status IN " +
        sql_list(rules::completable_call_statuses()) +
        " AND NOT EXISTS (SELECT 1 FROM recipients WHERE scheduledCallId = ?2 AND status NOT IN " +
        sql_list(rules::final_outcomes()) + ")";
    Statement s(c, sql);
    s.bind(1, to_millis(now)).bind(2, call_id).run();
}

// Claims rows matching `where` (bound: ?3 = now, ?4 = limit), with a fresh lease.
std::vector<Claim> claim_leased(Connection& c, ClaimKind kind, const char* where, const ClaimRequest& r,
                                int limit) {
    std::vector<Claim> out;
    if (limit <= 0) return out;
    auto until = r.now + r.lease;
    Statement s(c, std::string("UPDATE recipients SET leaseOwner = ?1, leaseExpiresAt = ?2, fence = fence + 1 "
                               "WHERE rowid IN (SELECT rowid FROM recipients WHERE ") +
                       where +
                       " ORDER BY leaseExpiresAt LIMIT ?4) RETURNING scheduledCallId, position, attempt, fence, "
                       "phoneNumber, callSid, dialedAt");
    s.bind(1, r.owner).bind(2, to_millis(until)).bind(3, to_millis(r.now)).bind(4, std::int64_t{limit});
    while (s.step()) {
        Claim claim;
        claim.kind = kind;
        claim.key = {s.text(0), static_cast<int>(s.integer(1)), static_cast<int>(s.integer(2))};
        claim.fence = s.integer(3);
        claim.lease_until = until;
        claim.phone_number = s.text(4);
        claim.call_sid = s.text(5);
        claim.dialed_at = from_millis(s.optional_integer(6).value_or(to_millis(r.now)));
        out.push_back(std::move(claim));
    }
    return out;
}

std::int64_t count_live(Connection& c) {
    Statement s(c, std::string("SELECT count(*) FROM recipients WHERE status IN ") + kLive);
    s.step();
    return s.integer(0);
}

std::int64_t next_slot(Connection& c) {
    Statement s(c, "SELECT nextSlotAt FROM dispatch_slots WHERE id = 1");
    if (!s.step()) throw StoreFailure("dispatch_slots has no row");
    return s.integer(0);
}

void set_next_slot(Connection& c, std::int64_t at) {
    Statement s(c, "UPDATE dispatch_slots SET nextSlotAt = ? WHERE id = 1");
    s.bind(1, at).run();
}

// A due pending recipient, in the order claims take them.
struct Candidate {
    std::int64_t rowid = 0;
    std::string call_id;
    int position = 0;
    std::string phone_number;
};

std::vector<Candidate> due_candidates(Connection& c, std::int64_t now, int limit) {
    Statement s(c, "SELECT rowid, scheduledCallId, position, phoneNumber FROM recipients "
                   "WHERE status = 'pending' AND nextAttemptAt <= ? ORDER BY nextAttemptAt, rowid LIMIT ?");
    s.bind(1, now).bind(2, std::int64_t{limit});
    std::vector<Candidate> out;
    while (s.step()) out.push_back({s.integer(0), s.text(1), static_cast<int>(s.integer(2)), s.text(3)});
    return out;
}

void defer_candidate(Connection& c, const Candidate& d, DeferredReason reason, std::int64_t until, std::int64_t now) {
    Statement s(c, "UPDATE recipients SET nextAttemptAt = ?, deferredReason = ?, updatedAt = ? WHERE rowid = ?");
    s.bind(1, until).bind(2, to_string(reason)).bind(3, now).bind(4, d.rowid).run();
}

// Moves one recipient to `dialing`: a new attempt under a fresh lease. The dialedAt it replaces
// is kept in priorDialedAt for defer() to put back.
std::optional<Claim> claim_candidate(Connection& c, const Candidate& d, const ClaimRequest& r, TimePoint until) {
    Statement s(c,
                "UPDATE recipients SET status = 'dialing', attempt = attempt + 1, leaseOwner = ?1, leaseExpiresAt = ?2, "
                "fence = fence + 1, priorDialedAt = dialedAt, dialedAt = ?3, callSid = '', errorCode = NULL, "
                "errorMessage = '', nextAttemptAt = NULL, deferredReason = '', updatedAt = ?3 "
                "WHERE rowid = ?4 AND status = 'pending' RETURNING scheduledCallId, position, attempt, fence, phoneNumber");
    s.bind(1, r.owner).bind(2, to_millis(until)).bind(3, to_millis(r.now)).bind(4, d.rowid);
    if (!s.step()) return std::nullopt;
    Claim claim;
    claim.kind = ClaimKind::dial;
    claim.key = {s.text(0), static_cast<int>(s.integer(1)), static_cast<int>(s.integer(2))};
    claim.fence = s.integer(3);
    claim.lease_until = until;
    claim.phone_number = s.text(4);
    claim.dialed_at = r.now;
    return claim;
}

// Due recipients in order: each is deferred by the cooldown, else deferred by the daily budget
// once it is used up, else dialed while the rate and the concurrency cap allow. One recipient at a
// time, so that a dial claimed here is already the "latest dial" of its number for the next
// candidate (two calls to one number in one batch: the second waits).
void claim_dials(Connection& c, const ClaimRequest& r, int limit, ClaimBatch& batch) {
    if (limit <= 0) return;
    const auto now = to_millis(r.now);
    const auto interval = std::max<std::int64_t>(1, r.slot_interval.count());
    const auto first = std::max(now, next_slot(c));
    const auto horizon = now + r.lookahead.count();
    const auto by_rate = first > horizon ? 0 : (horizon - first) / interval + 1;
    const auto room = std::min({std::int64_t{limit}, by_rate, r.max_live - count_live(c)});
    const auto today = utc_day_of(now);
    auto budget = std::max<std::int64_t>(0, r.max_dials_per_day - dials_on(c, today));
    // Nothing can be dialed now; with budget left, deferrals wait for a claim that can dial.
    if (room <= 0 && budget > 0) return;

    const auto cooldown = r.min_hours_between_calls_to_a_number.count();
    const auto until = r.now + r.lookahead + r.lease;
    std::int64_t dials = 0;
    for (const auto& d : due_candidates(c, now, limit)) {
        if (budget > 0 && dials >= room) break;  // the rest stay due for the next claim
        std::optional<std::pair<DeferredReason, std::int64_t>> defer;
        if (cooldown > 0) {
            auto last = last_dial_from_other_calls(c, d.phone_number, d.call_id);
            if (last && *last + cooldown > now) defer.emplace(DeferredReason::cooldown, *last + cooldown);
        }
        if (!defer && budget <= 0) defer.emplace(DeferredReason::daily_budget, next_utc_midnight(now));
        if (defer) {
            defer_candidate(c, d, defer->first, defer->second, now);
            batch.deferred.push_back({d.call_id, d.position, d.phone_number, defer->first, from_millis(defer->second)});
            continue;
        }
        auto claim = claim_candidate(c, d, r, until);
        if (!claim) continue;
        claim->slot = from_millis(first + dials * interval);
        batch.claims.push_back(std::move(*claim));
        ++dials;
        --budget;
    }
    if (dials > 0) {
        set_next_slot(c, first + dials * interval);
        count_dials(c, today, dials);
    }
}

// Binds the claim's key and fence as ?1 ?2 ?3 (call id, position, fence).
Statement& bind_claim(Statement& s, const Claim& claim) {
    return s.bind(1, claim.key.scheduled_call_id).bind(2, std::int64_t{claim.key.position}).bind(3, claim.fence);
}

std::optional<rules::RecipientState> recipient_row(Connection& c, const AttemptKey& key) {
    Statement s(c, "SELECT status, attempt, unplaced, callSid, phoneNumber FROM recipients "
                   "WHERE scheduledCallId = ? AND position = ?");
    s.bind(1, key.scheduled_call_id).bind(2, std::int64_t{key.position});
    if (!s.step()) return std::nullopt;
    return rules::RecipientState{parse_recipient_status(s.text(0)).value_or(RecipientStatus::unknown),
                                 static_cast<int>(s.integer(1)), static_cast<int>(s.integer(2)), s.text(3),
                                 s.text(4)};
}

// The call log of an attempt: created once (at dial time, or by an early callback), then moved
// forward only.
void upsert_log(Connection& c, const AttemptKey& key, const std::string& log_id, const std::string& to,
                const std::string& from, const std::string& call_sid, TimePoint now) {
    Statement s(c,
                "INSERT INTO calllogs (id, scheduledCallId, \"to\", \"from\", callSid, status, attemptId, startedAt, "
                "createdAt, updatedAt) VALUES (?1, ?2, ?3, ?4, ?5, 'initiated', ?6, ?7, ?7, ?7) "
                "ON CONFLICT (attemptId) WHERE attemptId != '' DO UPDATE SET callSid = excluded.callSid, "
                "\"from\" = CASE WHEN \"from\" = '' THEN excluded.\"from\" ELSE \"from\" END");
    s.bind(1, log_id).bind(2, key.scheduled_call_id).bind(3, to).bind(4, from).bind(5, call_sid);
    s.bind(6, to_string(key)).bind(7, to_millis(now)).run();
}

void advance_log(Connection& c, const StatusEvent& e, const std::string& status, TimePoint now) {
    const auto attempt_id = to_string(e.key);
    std::string current;
    {
        // (attemptId != '' lets SQLite use the partial index calllogs_by_attempt.)
        Statement s(c, "SELECT status FROM calllogs WHERE attemptId = ? AND attemptId != ''");
        s.bind(1, attempt_id);
        if (!s.step()) return;
        current = s.text(0);
    }
    if (!rules::log_advances(current, status)) return;
    const bool final = rules::is_final_outcome(e.status);
    Statement s(c,
                "UPDATE calllogs SET status = ?1, updatedAt = ?2, "
                "answeredBy = CASE WHEN ?3 != '' THEN ?3 ELSE answeredBy END, "
                "answeredAt = CASE WHEN ?1 = 'in-progress' AND answeredAt IS NULL THEN ?4 ELSE answeredAt END, "
                "endedAt = CASE WHEN ?5 THEN ?4 ELSE endedAt END, "
                "duration = CASE WHEN ?5 THEN ?6 ELSE duration END WHERE attemptId = ?7 AND attemptId != ''");
    s.bind(1, status).bind(2, to_millis(now)).bind(3, e.answered_by).bind(4, to_millis(e.at));
    s.bind(5, std::int64_t{final ? 1 : 0});
    s.bind(6, e.duration ? std::optional<std::int64_t>(*e.duration) : std::nullopt).bind(7, attempt_id).run();
}

class SqliteDispatchRepository final : public DispatchRepository {
public:
    SqliteDispatchRepository(WriteQueue& writer, ReadPool& readers) : writer_(writer), readers_(readers) {}

    ClaimBatch claim(const ClaimRequest& r) override {
        return writer_.run([&](Connection& c) {
            ClaimBatch batch;
            auto& out = batch.claims;
            out = claim_leased(c, ClaimKind::reconcile, "status IN ('dialing', 'unknown') AND leaseExpiresAt < ?3", r,
                               r.limit);
            auto checks = claim_leased(c, ClaimKind::check,
                                       "status IN ('queued', 'ringing', 'in-progress') AND leaseExpiresAt < ?3", r,
                                       r.limit - static_cast<int>(out.size()));
            std::move(checks.begin(), checks.end(), std::back_inserter(out));
            const auto first_dial = out.size();
            claim_dials(c, r, r.limit - static_cast<int>(out.size()), batch);
            std::map<std::string, CallSettings> settings;
            for (auto d = out.begin() + static_cast<std::ptrdiff_t>(first_dial); d != out.end(); ++d) {
                if (!settings.contains(d->key.scheduled_call_id)) {
                    settings[d->key.scheduled_call_id] = settings_of(c, d->key.scheduled_call_id);
                    Statement s(c, "UPDATE scheduled_calls SET status = 'in_progress', updatedAt = ? "
                                   "WHERE id = ? AND status = 'pending'");
                    s.bind(1, to_millis(r.now)).bind(2, d->key.scheduled_call_id).run();
                }
                const auto& own = settings[d->key.scheduled_call_id];
                d->retry = own.retry;
                d->call_window = own.call_window;
            }
            return batch;
        });
    }

    std::optional<TimePoint> next_due() override {
        return readers_.run([](Connection& c) -> std::optional<TimePoint> {
            Statement s(c, std::string("SELECT min(t) FROM (SELECT min(nextAttemptAt) AS t FROM recipients "
                                       "WHERE status = 'pending' UNION ALL SELECT min(leaseExpiresAt) FROM "
                                       "recipients WHERE status IN ") +
                               kLive + ")");
            if (!s.step() || s.is_null(0)) return std::nullopt;
            return from_millis(s.integer(0));
        });
    }

    bool renew(const Claim& claim, TimePoint lease_until) override {
        return writer_.run([&](Connection& c) {
            Statement s(c, "UPDATE recipients SET leaseExpiresAt = ?4 WHERE scheduledCallId = ?1 AND position = ?2 "
                           "AND fence = ?3");
            bind_claim(s, claim).bind(4, to_millis(lease_until)).run();
            return c.changes() == 1;
        });
    }

    std::optional<TimePoint> reserve_slot(const Claim& claim, TimePoint not_before, milliseconds interval,
                                          milliseconds lease) override {
        return writer_.run([&](Connection& c) -> std::optional<TimePoint> {
            const auto slot = std::max(to_millis(not_before), next_slot(c));
            // The send moves: reconciliation's grace period counts from it.
            Statement s(c, "UPDATE recipients SET leaseExpiresAt = ?4, dialedAt = ?5 WHERE scheduledCallId = ?1 "
                           "AND position = ?2 AND fence = ?3 AND status = 'dialing'");
            bind_claim(s, claim).bind(4, slot + lease.count()).bind(5, slot).run();
            if (c.changes() != 1) return std::nullopt;
            set_next_slot(c, slot + std::max<std::int64_t>(1, interval.count()));
            return from_millis(slot);
        });
    }

    bool record_placed(const Claim& claim, const PlacedCall& call, TimePoint now) override {
        return writer_.run([&](Connection& c) {
            // A callback may have arrived before Twilio's answer: keep the status it recorded.
            Statement s(c,
                        "UPDATE recipients SET callSid = ?4, status = CASE WHEN status IN ('dialing', 'unknown') THEN "
                        "?5 ELSE status END, leaseOwner = NULL, leaseExpiresAt = CASE WHEN status IN ('dialing', "
                        "'unknown', 'queued', 'ringing', 'in-progress') THEN ?6 ELSE NULL END, updatedAt = ?7 "
                        "WHERE scheduledCallId = ?1 AND position = ?2 AND fence = ?3 AND callSid IN ('', ?4) "
                        "AND NOT EXISTS (SELECT 1 FROM recipients o WHERE o.callSid = ?4 AND NOT "
                        "(o.scheduledCallId = ?1 AND o.position = ?2)) AND NOT EXISTS (SELECT 1 FROM calllogs l "
                        "WHERE l.callSid = ?4 AND l.attemptId != ?8 AND NOT (l.attemptId = '' AND l.scheduledCallId = ?1)) "
                        "RETURNING phoneNumber");
            bind_claim(s, claim).bind(4, call.call_sid).bind(5, to_string(call.status));
            s.bind(6, to_millis(call.check_at)).bind(7, to_millis(now)).bind(8, to_string(claim.key));
            if (!s.step()) return false;
            auto to = s.text(0);
            s.reset();
            upsert_log(c, claim.key, call.log_id, to, call.from, call.call_sid, now);
            return true;
        });
    }

    bool record_unknown(const Claim& claim, TimePoint now, TimePoint lease_until) override {
        return writer_.run([&](Connection& c) {
            Statement s(c, "UPDATE recipients SET status = 'unknown', leaseExpiresAt = ?4, updatedAt = ?5 "
                           "WHERE scheduledCallId = ?1 AND position = ?2 AND fence = ?3 AND status = 'dialing'");
            bind_claim(s, claim).bind(4, to_millis(lease_until)).bind(5, to_millis(now)).run();
            return c.changes() == 1;
        });
    }

    bool record_not_placed(const Claim& claim, TimePoint now, TimePoint retry_at, int max_unplaced,
                           const std::string& error_message) override {
        return writer_.run([&](Connection& c) {
            int unplaced = 0;
            {
                Statement s(c, "SELECT unplaced FROM recipients WHERE scheduledCallId = ?1 AND position = ?2 "
                               "AND fence = ?3 AND status IN ('dialing', 'unknown')");
                bind_claim(s, claim);
                if (!s.step()) return false;
                unplaced = static_cast<int>(s.integer(0));
            }
            const auto d = rules::decide_not_placed(unplaced, max_unplaced, retry_at,
                                                    call_of(c, claim.key.scheduled_call_id).canceled);
            Statement s(c, "UPDATE recipients SET unplaced = ?4, status = ?5, nextAttemptAt = ?6, errorMessage = ?7, "
                           "leaseOwner = NULL, leaseExpiresAt = NULL, updatedAt = ?8 "
                           "WHERE scheduledCallId = ?1 AND position = ?2 AND fence = ?3 AND status IN ('dialing', 'unknown')");
            bind_claim(s, claim).bind(4, std::int64_t{d.unplaced}).bind(5, to_string(d.status));
            s.bind(6, optional_millis(d.next_attempt_at)).bind(7, error_message).bind(8, to_millis(now)).run();
            if (c.changes() != 1) return false;
            if (d.check_completion) complete_if_done(c, claim.key.scheduled_call_id, now);
            return true;
        });
    }

    bool record_refused(const Claim& claim, TimePoint now, int code, const std::string& message) override {
        return writer_.run([&](Connection& c) {
            Statement s(c, "UPDATE recipients SET status = 'failed', errorCode = ?4, errorMessage = ?5, "
                           "leaseOwner = NULL, leaseExpiresAt = NULL, nextAttemptAt = NULL, updatedAt = ?6 "
                           "WHERE scheduledCallId = ?1 AND position = ?2 AND fence = ?3 AND status IN ('dialing', 'unknown')");
            bind_claim(s, claim).bind(4, code ? std::optional<std::int64_t>(code) : std::nullopt);
            s.bind(5, message).bind(6, to_millis(now)).run();
            if (c.changes() != 1) return false;
            complete_if_done(c, claim.key.scheduled_call_id, now);
            return true;
        });
    }

    bool defer(const Claim& claim, TimePoint until, TimePoint now) override {
        return writer_.run([&](Connection& c) {
            // The claim's time: its UTC day counted the dial that is given back here.
            std::int64_t claimed_at = 0;
            {
                Statement s(c, "SELECT dialedAt FROM recipients WHERE scheduledCallId = ?1 AND position = ?2 "
                               "AND fence = ?3 AND status = 'dialing'");
                bind_claim(s, claim);
                if (!s.step()) return false;
                claimed_at = s.optional_integer(0).value_or(to_millis(claim.dialed_at));
            }
            const auto d = rules::decide_defer(until, call_of(c, claim.key.scheduled_call_id).canceled);
            // No request was sent: the attempt, its dialedAt (the cooldown must not count it as a
            // dial of the number) and its dial of the day are all given back.
            Statement s(c, "UPDATE recipients SET status = ?4, attempt = attempt - 1, nextAttemptAt = ?5, "
                           "deferredReason = ?6, dialedAt = priorDialedAt, priorDialedAt = NULL, "
                           "leaseOwner = NULL, leaseExpiresAt = NULL, updatedAt = ?7 "
                           "WHERE scheduledCallId = ?1 AND position = ?2 AND fence = ?3 AND status = 'dialing'");
            bind_claim(s, claim).bind(4, to_string(d.status)).bind(5, optional_millis(d.next_attempt_at));
            s.bind(6, to_string(d.reason)).bind(7, to_millis(now)).run();
            if (c.changes() != 1) return false;
            give_back_dial(c, utc_day_of(claimed_at), to_millis(now));
            if (d.check_completion) complete_if_done(c, claim.key.scheduled_call_id, now);
            return true;
        });
    }

    bool release_check(const Claim& claim, TimePoint check_at) override {
        return writer_.run([&](Connection& c) {
            Statement s(c, "UPDATE recipients SET leaseOwner = NULL, leaseExpiresAt = ?4 WHERE scheduledCallId = ?1 "
                           "AND position = ?2 AND fence = ?3 AND status IN ('queued', 'ringing', 'in-progress')");
            bind_claim(s, claim).bind(4, to_millis(check_at)).run();
            return c.changes() == 1;
        });
    }

    StatusResult apply_status(const StatusEvent& e, const RetryPolicy& default_retry, TimePoint now) override {
        return writer_.run([&](Connection& c) {
            auto row = recipient_row(c, e.key);
            if (!row) return StatusResult::unknown;
            const auto& id = e.key.scheduled_call_id;
            const auto call = call_of(c, id);
            const auto d = rules::decide_status(*row, e, call.retry.value_or(default_retry), call.canceled, now);
            if (d.result != StatusResult::applied && d.result != StatusResult::applied_to_canceled) return d.result;
            // The writer's transaction holds the row read above: these writes need no fence.
            if (d.reopens) {
                Statement r(c, "UPDATE recipients SET unplaced = unplaced - 1, nextAttemptAt = NULL, errorMessage = '' "
                               "WHERE scheduledCallId = ?1 AND position = ?2");
                r.bind(1, id).bind(2, std::int64_t{e.key.position}).run();
            }
            upsert_log(c, e.key, e.log_id, row->phone_number, e.from, e.call_sid, now);
            advance_log(c, e, d.log_status, now);
            if (!d.clear_lease) {
                Statement s(c, "UPDATE recipients SET status = ?3, callSid = ?4, updatedAt = ?5 "
                               "WHERE scheduledCallId = ?1 AND position = ?2");
                s.bind(1, id).bind(2, std::int64_t{e.key.position}).bind(3, to_string(d.status));
                s.bind(4, d.call_sid).bind(5, to_millis(now)).run();
            } else {
                Statement s(c, "UPDATE recipients SET status = ?3, callSid = ?4, nextAttemptAt = ?5, leaseOwner = NULL, "
                               "leaseExpiresAt = NULL, errorMessage = ?6, updatedAt = ?7 "
                               "WHERE scheduledCallId = ?1 AND position = ?2");
                s.bind(1, id).bind(2, std::int64_t{e.key.position}).bind(3, to_string(d.status)).bind(4, d.call_sid);
                s.bind(5, optional_millis(d.next_attempt_at)).bind(6, d.error_message).bind(7, to_millis(now)).run();
            }
            if (d.check_completion) complete_if_done(c, id, now);
            return d.result;
        });
    }

    std::vector<std::string> known_call_sids(const std::string& phone_number, const AttemptKey& reconciling) override {
        return readers_.run([&](Connection& c) {
            // A log without an attempt of the same call is that call's own, answered by our voice
            // webhook after the original system dialed it: reconciliation may adopt it.
            Statement s(c, "SELECT callSid FROM calllogs WHERE \"to\" = ?1 AND callSid != '' AND attemptId != ?2 "
                           "AND NOT (attemptId = '' AND scheduledCallId = ?3) UNION "
                           "SELECT callSid FROM recipients WHERE phoneNumber = ?1 AND callSid != '' "
                           "AND NOT (scheduledCallId = ?3 AND position = ?4)");
            s.bind(1, phone_number).bind(2, to_string(reconciling)).bind(3, reconciling.scheduled_call_id);
            s.bind(4, std::int64_t{reconciling.position});
            std::vector<std::string> out;
            while (s.step()) out.push_back(s.text(0));
            return out;
        });
    }

private:
    WriteQueue& writer_;
    ReadPool& readers_;
};
}  // namespace

std::unique_ptr<DispatchRepository> make_dispatch_repository(WriteQueue& writer, ReadPool& readers) {
    return std::make_unique<SqliteDispatchRepository>(writer, readers);
}

}  // namespace va::store::sqlite
