// The dispatcher's state rules (store/dispatch_rules.hpp), without a store: each table below is
// what a backend must write for a recipient's row and an event or outcome. The contract suite
// (dispatch_contract.cpp) checks that a backend applies these decisions.
#include "store/dispatch_rules.hpp"

#include <gtest/gtest.h>

#include <array>
#include <string>
#include <vector>

namespace va::store::rules {
namespace {

using std::chrono::seconds;
using S = RecipientStatus;

const TimePoint kNow{std::chrono::sys_days{std::chrono::year{2025} / 3 / 1}};
constexpr const char* kSid = "CA0001";
const RetryPolicy kNoRedial{1, seconds(300)};
const RetryPolicy kThreeCalls{3, seconds(300)};

// Every status, in the enum's order (the columns of the grids below).
constexpr std::array kAll{S::pending,   S::dialing, S::queued,    S::ringing, S::in_progress, S::completed,
                          S::busy,      S::no_answer, S::failed,  S::canceled, S::unknown};

std::string name(S s) { return std::string(to_string(s)); }

std::string name(StatusResult r) {
    switch (r) {
        case StatusResult::applied: return "applied";
        case StatusResult::applied_to_canceled: return "applied_to_canceled";
        case StatusResult::stale: return "stale";
        case StatusResult::unknown: return "unknown";
    }
    return "?";
}

RecipientState state(S status, int attempt = 1, std::string sid = kSid, int unplaced = 0) {
    return RecipientState{status, attempt, unplaced, std::move(sid), "+14155550001"};
}

StatusEvent event(S status, int attempt = 1, std::string sid = kSid) {
    StatusEvent e;
    e.key = {"call1", 0, attempt};
    e.call_sid = std::move(sid);
    e.status = status;
    e.at = kNow;
    return e;
}

bool applied(const StatusDecision& d) {
    return d.result == StatusResult::applied || d.result == StatusResult::applied_to_canceled;
}

TEST(DispatchRules, RanksStatusesByHowFarTheAttemptIs) {
    const std::array<int, kAll.size()> expected{0, 0, 1, 2, 3, 4, 4, 4, 4, 4, 0};
    for (std::size_t i = 0; i < kAll.size(); ++i) EXPECT_EQ(rank(kAll[i]), expected[i]) << name(kAll[i]);
}

TEST(DispatchRules, FinalOutcomesAreModelsFinalStatuses) {
    for (auto s : kAll) EXPECT_EQ(is_final_outcome(s), is_final(s)) << name(s);
    EXPECT_EQ(final_outcomes().size(), 5u);
    for (auto s : final_outcomes()) EXPECT_TRUE(is_final(s)) << name(s);
}

// A status event for the recipient's current attempt, its CallSid matching: applied ('a') only
// when it moves the recipient forward, else stale ('.'). Rows: the recipient's status; columns:
// the event's, both in kAll's order.
TEST(DispatchRules, EveryStatusPairMovesOnlyForward) {
    const std::array<const char*, kAll.size()> grid{
        //  pending dialing queued ringing in-progress completed busy no-answer failed canceled unknown
        "...........",  // pending: its attempt has an outcome (a redial waits), see Reopened below
        "..aaaaaaaa.",  // dialing (no CallSid yet would also do: see the screening table)
        "...aaaaaaa.",  // queued
        "....aaaaaa.",  // ringing
        ".....aaaaa.",  // in-progress
        "...........",  // completed
        "...........",  // busy
        "...........",  // no-answer
        "...........",  // failed
        "...........",  // canceled
        "..aaaaaaaa.",  // unknown (an ambiguous dial)
    };
    for (std::size_t from = 0; from < kAll.size(); ++from) {
        for (std::size_t to = 0; to < kAll.size(); ++to) {
            auto d = decide_status(state(kAll[from]), event(kAll[to]), kNoRedial, false, kNow);
            EXPECT_EQ(applied(d), grid[from][to] == 'a') << name(kAll[from]) << " -> " << name(kAll[to]);
            if (grid[from][to] == 'a') {
                EXPECT_EQ(d.status, kAll[to]);
                EXPECT_EQ(d.log_status, name(kAll[to]));
            } else {
                EXPECT_EQ(d.result, StatusResult::stale) << name(kAll[from]) << " -> " << name(kAll[to]);
            }
        }
    }
}

// Whatever the event, the policy or the call, a final outcome is never left. A redial asked for by
// a user (decide_redial, see the header) will be the one exception: list it here.
TEST(DispatchRules, OnlyARedialLeavesAFinalOutcome) {
    for (auto from : final_outcomes()) {
        for (auto to : kAll) {
            for (bool canceled : {false, true}) {
                auto d = decide_status(state(from), event(to), kThreeCalls, canceled, kNow);
                EXPECT_EQ(d.result, StatusResult::stale) << name(from) << " -> " << name(to);
                EXPECT_EQ(d.rule, "final_outcome_sticks");
                EXPECT_FALSE(d.reopens);
            }
        }
    }
}

TEST(DispatchRules, CallLogsMoveOnlyForward) {
    const std::array<const char*, 9> twilio{"initiated", "queued",   "ringing", "in-progress", "completed",
                                            "busy",      "no-answer", "failed", "canceled"};
    const std::array<int, 9> expected{1, 1, 2, 3, 4, 4, 4, 4, 4};
    for (std::size_t i = 0; i < twilio.size(); ++i) {
        EXPECT_EQ(log_rank(twilio[i]), expected[i]) << twilio[i];
        for (std::size_t j = 0; j < twilio.size(); ++j) {
            EXPECT_EQ(log_advances(twilio[i], twilio[j]), expected[j] > expected[i]) << twilio[i] << " -> " << twilio[j];
        }
    }
}

// The refusals, and the events just past them.
TEST(DispatchRules, ScreensEventsByAttemptAndCallSid) {
    struct Case {
        const char* what;
        RecipientState row;
        StatusEvent e;
        StatusResult result;
        const char* rule;
    };
    const std::vector<Case> cases{
        {"an attempt not claimed yet", state(S::queued, 1), event(S::ringing, 2), StatusResult::unknown,
         "no_such_attempt"},
        {"a recipient never claimed", state(S::pending, 0, ""), event(S::ringing, 1), StatusResult::unknown,
         "no_such_attempt"},
        {"no CallSid", state(S::queued), event(S::ringing, 1, ""), StatusResult::unknown, "no_such_attempt"},
        {"the same attempt, another CallSid", state(S::queued), event(S::ringing, 1, "CA0002"), StatusResult::unknown,
         "another_call"},
        {"an older attempt, another CallSid", state(S::queued, 2), event(S::ringing, 1, "CA0002"),
         StatusResult::stale, "past_attempt"},
        {"an older attempt, its CallSid gone", state(S::dialing, 2, ""), event(S::completed, 1, "CA0002"),
         StatusResult::stale, "past_attempt"},
        {"an older attempt, the same CallSid", state(S::ringing, 2), event(S::completed, 1), StatusResult::stale,
         "past_attempt"},
        {"a past attempt of a finished recipient", state(S::completed, 2), event(S::busy, 1), StatusResult::stale,
         "past_attempt"},
        {"a final outcome", state(S::busy), event(S::completed), StatusResult::stale, "final_outcome_sticks"},
        {"a redial waiting", state(S::pending, 1, kSid), event(S::completed), StatusResult::stale,
         "waiting_for_redial"},
        {"a redial waiting after unplaced attempts", state(S::pending, 2, kSid, 1), event(S::completed, 2),
         StatusResult::stale, "waiting_for_redial"},
        {"a duplicate", state(S::ringing), event(S::ringing), StatusResult::stale, "not_forward"},
        {"reordered", state(S::in_progress), event(S::ringing), StatusResult::stale, "not_forward"},
        {"before Twilio's answer reached us", state(S::dialing, 1, ""), event(S::queued), StatusResult::applied,
         "applied"},
        {"while being reconciled", state(S::unknown, 1, ""), event(S::ringing), StatusResult::applied, "applied"},
        {"forward", state(S::queued), event(S::in_progress), StatusResult::applied, "applied"},
    };
    for (const auto& c : cases) {
        auto d = decide_status(c.row, c.e, kThreeCalls, false, kNow);
        EXPECT_EQ(name(d.result), name(c.result)) << c.what;
        EXPECT_EQ(d.rule, c.rule) << c.what;
        EXPECT_FALSE(d.reopens) << c.what;
    }
}

TEST(DispatchRules, ALiveEventRecordsTheStatusAndKeepsTheLease) {
    auto d = decide_status(state(S::dialing, 1, ""), event(S::ringing), kThreeCalls, false, kNow);
    EXPECT_EQ(d.result, StatusResult::applied);
    EXPECT_EQ(d.status, S::ringing);
    EXPECT_EQ(d.call_sid, kSid);
    EXPECT_FALSE(d.clear_lease);
    EXPECT_FALSE(d.next_attempt_at);
    EXPECT_FALSE(d.check_completion);
    EXPECT_EQ(d.log_status, "ringing");
}

// An attempt declared not placed (pending, no CallSid, unplaced counted) that Twilio reports after
// all: live again, its redial called off, and it counts against the policy again.
TEST(DispatchRules, AReportedNotPlacedAttemptIsReopened) {
    struct Case {
        const char* what;
        RecipientState row;
        StatusEvent e;
        RetryPolicy policy;
        bool reopens;
        StatusResult result;
        S status;
        bool redial;
    };
    const std::vector<Case> cases{
        {"ringing", state(S::pending, 1, "", 1), event(S::ringing, 1), kThreeCalls, true, StatusResult::applied,
         S::ringing, false},
        {"completed", state(S::pending, 1, "", 1), event(S::completed, 1), kThreeCalls, true, StatusResult::applied,
         S::completed, false},
        // 2 attempts, 1 unplaced until reopened: 2 calls made, the policy's 2 used up.
        {"busy, the policy used up by the reopened call", state(S::pending, 2, "", 1), event(S::busy, 2),
         RetryPolicy{2, seconds(60)}, true, StatusResult::applied, S::busy, false},
        {"busy, one call left", state(S::pending, 2, "", 2), event(S::busy, 2), RetryPolicy{2, seconds(60)}, true,
         StatusResult::applied, S::pending, true},
        {"never unplaced: a redial waits", state(S::pending, 1, "", 0), event(S::ringing, 1), kThreeCalls, false,
         StatusResult::stale, S::pending, false},
        {"an older attempt", state(S::pending, 2, "", 1), event(S::ringing, 1), kThreeCalls, false,
         StatusResult::stale, S::pending, false},
    };
    for (const auto& c : cases) {
        auto d = decide_status(c.row, c.e, c.policy, false, kNow);
        EXPECT_EQ(d.reopens, c.reopens) << c.what;
        EXPECT_EQ(reopens(c.row, c.e), c.reopens) << c.what;
        EXPECT_EQ(name(d.result), name(c.result)) << c.what;
        if (!applied(d)) continue;
        EXPECT_EQ(name(d.status), name(c.status)) << c.what;
        EXPECT_EQ(d.next_attempt_at.has_value(), c.redial) << c.what;
    }
}

TEST(DispatchRules, RedialsBusyNoAnswerAndFailedWhileThePolicyAllows) {
    struct Case {
        const char* what;
        RecipientState row;
        S event_status;
        RetryPolicy policy;
        S status;                // the recipient's
        const char* error;       // "" when not redialed
    };
    const std::vector<Case> cases{
        {"busy", state(S::ringing, 1), S::busy, kThreeCalls, S::pending, "attempt 1: busy"},
        {"no-answer", state(S::ringing, 1), S::no_answer, kThreeCalls, S::pending, "attempt 1: no-answer"},
        {"failed", state(S::queued, 2), S::failed, kThreeCalls, S::pending, "attempt 2: failed"},
        {"the last call allowed", state(S::ringing, 3), S::busy, kThreeCalls, S::busy, ""},
        {"no redial by default", state(S::ringing, 1), S::no_answer, kNoRedial, S::no_answer, ""},
        {"unplaced attempts do not count", state(S::ringing, 3, kSid, 1), S::busy, kThreeCalls, S::pending,
         "attempt 3: busy"},
        {"completed is not retried", state(S::in_progress, 1), S::completed, kThreeCalls, S::completed, ""},
        {"canceled by Twilio is not retried", state(S::queued, 1), S::canceled, kThreeCalls, S::canceled, ""},
    };
    for (const auto& c : cases) {
        auto d = decide_status(c.row, event(c.event_status, c.row.attempt), c.policy, false, kNow);
        const bool redial = std::string(c.error) != "";
        EXPECT_EQ(d.result, StatusResult::applied) << c.what;
        EXPECT_EQ(name(d.status), name(c.status)) << c.what;
        EXPECT_EQ(d.error_message, c.error) << c.what;
        EXPECT_EQ(d.next_attempt_at, redial ? std::optional(kNow + c.policy.delay) : std::nullopt) << c.what;
        EXPECT_TRUE(d.clear_lease) << c.what;
        EXPECT_EQ(d.check_completion, !redial) << c.what;
        EXPECT_EQ(d.log_status, name(c.event_status)) << c.what << ": the call log keeps Twilio's status";
    }
}

// Cancel: a live call must be hung up; its final status ends the recipient canceled, never redialed.
TEST(DispatchRules, ACanceledCallsEventsSayHangUpThenEndCanceled) {
    for (auto to : kAll) {
        auto d = decide_status(state(S::dialing, 1, ""), event(to), kThreeCalls, true, kNow);
        if (rank(to) == 0) {
            EXPECT_EQ(d.result, StatusResult::stale) << name(to);
        } else if (!is_final(to)) {
            EXPECT_EQ(d.result, StatusResult::applied_to_canceled) << name(to);
            EXPECT_EQ(d.status, to);
            EXPECT_FALSE(d.clear_lease);
            EXPECT_FALSE(d.check_completion);
        } else {
            EXPECT_EQ(d.result, StatusResult::applied) << name(to);
            EXPECT_EQ(d.status, S::canceled) << name(to);
            EXPECT_FALSE(d.next_attempt_at) << name(to);
            EXPECT_EQ(d.error_message, "");
            EXPECT_TRUE(d.clear_lease);
            EXPECT_TRUE(d.check_completion);
            EXPECT_EQ(d.log_status, name(to)) << "the call log keeps Twilio's status";
        }
    }
}

TEST(DispatchRules, AnAttemptNotPlacedIsRetriedUntilTheCapThenFails) {
    const TimePoint retry_at = kNow + seconds(30);
    struct Case {
        const char* what;
        int unplaced;
        int max_unplaced;
        bool canceled;
        S status;
        bool due;
    };
    const std::vector<Case> cases{
        {"the first", 0, 5, false, S::pending, true},
        {"the fourth", 3, 5, false, S::pending, true},
        {"the fifth", 4, 5, false, S::failed, false},
        {"past the cap", 7, 5, false, S::failed, false},
        {"a cap of one", 0, 1, false, S::failed, false},
        {"a canceled call", 0, 5, true, S::canceled, false},
        {"a canceled call at the cap", 4, 5, true, S::canceled, false},
    };
    for (const auto& c : cases) {
        auto d = decide_not_placed(c.unplaced, c.max_unplaced, retry_at, c.canceled);
        EXPECT_EQ(name(d.status), name(c.status)) << c.what;
        EXPECT_EQ(d.unplaced, c.unplaced + 1) << c.what;
        EXPECT_EQ(d.next_attempt_at, c.due ? std::optional(retry_at) : std::nullopt) << c.what;
        EXPECT_EQ(d.check_completion, !c.due) << c.what;
    }
}

TEST(DispatchRules, ADeferredDialWaitsForTheWindowUnlessCanceled) {
    const TimePoint until = kNow + std::chrono::hours(9);
    auto d = decide_defer(until, false);
    EXPECT_EQ(d.status, S::pending);
    EXPECT_EQ(d.next_attempt_at, until);
    EXPECT_EQ(d.reason, DeferredReason::window);
    EXPECT_FALSE(d.check_completion);

    d = decide_defer(until, true);
    EXPECT_EQ(d.status, S::canceled);
    EXPECT_FALSE(d.next_attempt_at);
    EXPECT_EQ(d.reason, DeferredReason::none);
    EXPECT_TRUE(d.check_completion);
}

TEST(DispatchRules, ACallIsCompletedOnceEveryRecipientHasAFinalOutcome) {
    struct Case {
        const char* what;
        CallStatus call;
        std::vector<S> recipients;
        bool complete;
    };
    const std::vector<Case> cases{
        {"every outcome", CallStatus::in_progress, {S::completed, S::busy, S::no_answer, S::failed, S::canceled}, true},
        {"one", CallStatus::in_progress, {S::completed}, true},
        {"from pending", CallStatus::pending, {S::failed}, true},
        {"a redial waiting", CallStatus::in_progress, {S::completed, S::pending}, false},
        {"a dial in flight", CallStatus::in_progress, {S::completed, S::dialing}, false},
        {"an ambiguous dial", CallStatus::in_progress, {S::completed, S::unknown}, false},
        {"a live call", CallStatus::in_progress, {S::completed, S::in_progress}, false},
        {"canceled stays canceled", CallStatus::canceled, {S::canceled, S::completed}, false},
        {"completed already", CallStatus::completed, {S::completed}, false},
        {"failed stays failed", CallStatus::failed, {S::failed}, false},
    };
    for (const auto& c : cases) EXPECT_EQ(is_complete(c.call, c.recipients), c.complete) << c.what;

    // Only live recipients keep a call from completing.
    for (auto s : kAll) EXPECT_EQ(is_complete(CallStatus::in_progress, std::vector{s}), is_final(s)) << name(s);
    const std::vector<CallStatus> from{completable_call_statuses().begin(), completable_call_statuses().end()};
    EXPECT_EQ(from, (std::vector{CallStatus::pending, CallStatus::in_progress}));
}

}  // namespace
}  // namespace va::store::rules
