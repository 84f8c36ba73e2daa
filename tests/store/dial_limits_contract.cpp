// The store contract for the toll-fraud limits a claim applies: the daily dial budget (per UTC day,
// shared by every claimer, a window deferral gives its dial back) and the per-number cooldown
// (dials from other scheduled calls only; same-call redials exempt). Deferred recipients stay
// pending with a due time and a reason; nothing is lost.
#include "store_contract.hpp"

namespace va::store::test {
namespace {

using std::chrono::days;
using std::chrono::hours;
using std::chrono::milliseconds;
using std::chrono::seconds;

// kT0 is 2026-11-25T12:00Z; the next UTC midnight:
const TimePoint kMidnight = std::chrono::sys_days{std::chrono::year{2026} / 11 / 26};

std::vector<std::string> numbers_of(const std::vector<Claim>& claims) {
    std::vector<std::string> out;
    for (const auto& c : claims) out.push_back(c.phone_number);
    return out;
}

TEST_P(DispatchContract, PastTheDailyBudgetARecipientWaitsForTheNextUtcMidnight) {
    max_dials_per_day_ = 2;
    auto id = schedule({"+14155550001", "+14155550002", "+14155550003"}, kT0);
    auto batch = claim_batch("w1", kT0);
    ASSERT_EQ(batch.claims.size(), 2u);  // the rate would allow 3
    ASSERT_EQ(batch.deferred.size(), 1u);
    const auto& d = batch.deferred[0];
    EXPECT_EQ(d.scheduled_call_id, id);
    EXPECT_EQ(d.position, 2);
    EXPECT_EQ(d.phone_number, "+14155550003");
    EXPECT_EQ(d.reason, DeferredReason::daily_budget);
    EXPECT_EQ(d.until, kMidnight);

    auto r = recipient(id, 2);  // not lost: pending, due at midnight, with the reason
    EXPECT_EQ(r.status, RecipientStatus::pending);
    EXPECT_EQ(r.attempt, 0);
    EXPECT_EQ(r.next_attempt_at, kMidnight);
    EXPECT_EQ(r.deferred_reason, DeferredReason::daily_budget);
    EXPECT_EQ(recipient(id, 0).deferred_reason, DeferredReason::none);
    for (const auto& c : batch.claims) ASSERT_TRUE(dispatch().record_refused(c, kT0, 21211, "invalid"));
    EXPECT_EQ(call_status(id), CallStatus::in_progress);
    EXPECT_EQ(dispatch().next_due(), kMidnight);

    EXPECT_TRUE(claim_batch("w1", kT0 + hours(6)).claims.empty());
    EXPECT_TRUE(claim("w1", kMidnight - milliseconds(1)).empty());
    auto next_day = claim("w1", kMidnight);
    ASSERT_EQ(next_day.size(), 1u);
    EXPECT_EQ(next_day[0].phone_number, "+14155550003");
    EXPECT_EQ(next_day[0].key.attempt, 1);
    r = recipient(id, 2);
    EXPECT_EQ(r.status, RecipientStatus::dialing);
    EXPECT_EQ(r.deferred_reason, DeferredReason::none);  // cleared by the claim
}

TEST_P(DispatchContract, TheDailyBudgetIsSharedByEveryClaimer) {
    max_dials_per_day_ = 3;
    schedule({"+14155550001", "+14155550002"}, kT0);
    EXPECT_EQ(claim("w1", kT0).size(), 2u);
    auto id = schedule({"+14155550003", "+14155550004"}, kT0);
    auto batch = claim_batch("w2", kT0 + seconds(5));
    EXPECT_EQ(numbers_of(batch.claims), std::vector<std::string>{"+14155550003"});
    ASSERT_EQ(batch.deferred.size(), 1u);
    EXPECT_EQ(batch.deferred[0].reason, DeferredReason::daily_budget);
    EXPECT_EQ(recipient(id, 1).next_attempt_at, kMidnight);
    EXPECT_TRUE(claim("w3", kT0 + seconds(10)).empty());
}

TEST_P(DispatchContract, ABudgetOfZeroDialsNobodyAndLosesNobody) {
    max_dials_per_day_ = 0;
    auto id = schedule({"+14155550001"}, kT0);
    auto batch = claim_batch("w1", kT0);
    EXPECT_TRUE(batch.claims.empty());
    ASSERT_EQ(batch.deferred.size(), 1u);
    EXPECT_EQ(recipient(id).status, RecipientStatus::pending);
    EXPECT_EQ(recipient(id).next_attempt_at, kMidnight);
    EXPECT_EQ(call_status(id), CallStatus::pending);
}

TEST_P(DispatchContract, AWindowDeferralGivesItsDialBackToTheBudget) {
    max_dials_per_day_ = 1;
    auto first = schedule({"+14155550001"}, kT0);
    auto c = claim("w1", kT0).at(0);
    ASSERT_TRUE(dispatch().defer(c, kT0 + hours(2), kT0));  // outside its window: never sent
    auto r = recipient(first);
    EXPECT_EQ(r.status, RecipientStatus::pending);
    EXPECT_EQ(r.deferred_reason, DeferredReason::window);
    EXPECT_EQ(r.next_attempt_at, kT0 + hours(2));

    auto second = schedule({"+14155550002"}, kT0);
    auto dialed = claim("w1", kT0 + seconds(5));  // the day's one dial is free again
    EXPECT_EQ(numbers_of(dialed), std::vector<std::string>{"+14155550002"});
    ASSERT_TRUE(dispatch().record_refused(dialed.at(0), kT0 + seconds(5), 21211, "invalid"));
    // Now it is used: the window-deferred recipient, due again, waits for tomorrow's budget.
    auto batch = claim_batch("w1", kT0 + hours(2));
    EXPECT_TRUE(batch.claims.empty());
    EXPECT_EQ(recipient(first).deferred_reason, DeferredReason::daily_budget);
    EXPECT_EQ(recipient(first).next_attempt_at, kMidnight);
    (void)second;
}

// A windowed recipient claimed with the day's last dial pushed another to midnight; when the window
// gives that dial back, the other one takes it at once.
TEST_P(DispatchContract, ADialGivenBackByTheWindowGoesToARecipientTheBudgetDeferred) {
    max_dials_per_day_ = 1;
    auto windowed = schedule({"+14155550001"}, kT0);
    auto waiting = schedule({"+14155550002"}, kT0 + seconds(1));
    auto batch = claim_batch("w1", kT0 + seconds(1));
    ASSERT_EQ(numbers_of(batch.claims), std::vector<std::string>{"+14155550001"});
    ASSERT_EQ(recipient(waiting).deferred_reason, DeferredReason::daily_budget);
    ASSERT_EQ(recipient(waiting).next_attempt_at, kMidnight);

    ASSERT_TRUE(dispatch().defer(batch.claims.at(0), kT0 + hours(3), kT0 + seconds(2)));
    EXPECT_EQ(recipient(waiting).next_attempt_at, kT0 + seconds(2));
    auto dialed = claim("w1", kT0 + seconds(2));
    EXPECT_EQ(numbers_of(dialed), std::vector<std::string>{"+14155550002"});
    EXPECT_EQ(recipient(windowed).next_attempt_at, kT0 + hours(3));
}

TEST_P(DispatchContract, YesterdaysDialsDoNotCountToday) {
    max_dials_per_day_ = 1;
    schedule({"+14155550001"}, kT0);
    auto today = claim("w1", kT0);
    ASSERT_EQ(today.size(), 1u);
    ASSERT_TRUE(dispatch().record_refused(today[0], kT0, 21211, "invalid"));
    schedule({"+14155550002"}, kT0 + hours(1));
    EXPECT_TRUE(claim("w1", kT0 + hours(1)).empty());
    EXPECT_EQ(claim("w1", kMidnight).size(), 1u);  // deferred to the new day, and dialed in it
}

TEST_P(DispatchContract, ANumberDialedFromAnotherCallWaitsForTheCooldown) {
    auto a = schedule({"+14155550001"}, kT0);
    auto c = claim("w1", kT0).at(0);
    ASSERT_TRUE(dispatch().record_placed(c, placed(kSid1, kT0 + seconds(90)), kT0));
    ASSERT_EQ(dispatch().apply_status(event(c, kSid1, RecipientStatus::completed, kT0 + seconds(30)), no_retry_,
                                      kT0 + seconds(30)),
              StatusResult::applied);

    auto b = schedule({"+14155550001"}, kT0 + hours(1));
    auto batch = claim_batch("w2", kT0 + hours(1));
    EXPECT_TRUE(batch.claims.empty());
    ASSERT_EQ(batch.deferred.size(), 1u);
    EXPECT_EQ(batch.deferred[0].reason, DeferredReason::cooldown);
    EXPECT_EQ(batch.deferred[0].until, kT0 + hours(24));  // 24 h after that dial
    auto r = recipient(b);
    EXPECT_EQ(r.status, RecipientStatus::pending);
    EXPECT_EQ(r.next_attempt_at, kT0 + hours(24));
    EXPECT_EQ(r.deferred_reason, DeferredReason::cooldown);
    EXPECT_EQ(r.attempt, 0);
    EXPECT_EQ(call_status(b), CallStatus::pending);

    EXPECT_TRUE(claim("w2", kT0 + hours(24) - milliseconds(1)).empty());
    auto later = claim("w2", kT0 + hours(24));
    ASSERT_EQ(later.size(), 1u);
    EXPECT_EQ(later[0].key.scheduled_call_id, b);
    EXPECT_EQ(recipient(b).deferred_reason, DeferredReason::none);
    (void)a;
}

TEST_P(DispatchContract, RedialsOfTheSameCallAreExemptFromTheCooldown) {
    auto id = schedule({"+14155550001"}, kT0, RetryPolicy{2, seconds(60)});
    auto first = claim("w1", kT0).at(0);
    placed_then_busy(first);
    if (HasFatalFailure()) return;
    auto second = claim_batch("w1", kT0 + seconds(65));
    EXPECT_TRUE(second.deferred.empty());
    ASSERT_EQ(second.claims.size(), 1u);
    EXPECT_EQ(second.claims[0].key.attempt, 2);
    (void)id;
}

TEST_P(DispatchContract, ACooldownOfZeroTurnsItOff) {
    cooldown_ = milliseconds(0);
    schedule({"+14155550001"}, kT0);
    auto first = claim("w1", kT0);
    ASSERT_EQ(first.size(), 1u);
    ASSERT_TRUE(dispatch().record_refused(first[0], kT0, 21211, "invalid"));
    auto b = schedule({"+14155550001"}, kT0 + seconds(60));
    auto second = claim_batch("w1", kT0 + seconds(60));
    EXPECT_TRUE(second.deferred.empty());
    ASSERT_EQ(second.claims.size(), 1u);
    EXPECT_EQ(second.claims[0].key.scheduled_call_id, b);
}

TEST_P(DispatchContract, OneNumberInTwoCallsOfOneClaimBatchIsDialedOnce) {
    auto a = schedule({"+14155550001"}, kT0);
    auto b = schedule({"+14155550001", "+14155550002"}, kT0);
    auto batch = claim_batch("w1", kT0);
    EXPECT_EQ(numbers_of(batch.claims), (std::vector<std::string>{"+14155550001", "+14155550002"}));
    EXPECT_EQ(batch.claims.at(0).key.scheduled_call_id, a);
    ASSERT_EQ(batch.deferred.size(), 1u);
    EXPECT_EQ(batch.deferred[0].scheduled_call_id, b);
    EXPECT_EQ(batch.deferred[0].position, 0);
    EXPECT_EQ(batch.deferred[0].reason, DeferredReason::cooldown);
    EXPECT_EQ(batch.deferred[0].until, kT0 + hours(24));
    EXPECT_EQ(recipient(b, 0).deferred_reason, DeferredReason::cooldown);
    EXPECT_EQ(recipient(b, 1).status, RecipientStatus::dialing);
    // A second worker right after finds the number taken too.
    EXPECT_TRUE(claim_batch("w2", kT0 + seconds(5)).claims.empty());
}

TEST_P(DispatchContract, AWindowDeferredAttemptIsNotADialOfTheNumber) {
    // The first attempt to the number is deferred by its window: nobody was called, so another
    // call to the number may dial it.
    auto a = schedule({"+14155550001"}, kT0);
    auto c = claim("w1", kT0).at(0);
    ASSERT_TRUE(dispatch().defer(c, kT0 + hours(3), kT0));
    EXPECT_EQ(recipient(a).dialed_at, std::nullopt);
    auto b = schedule({"+14155550001"}, kT0 + seconds(10));
    auto dialed = claim("w1", kT0 + seconds(10));
    ASSERT_EQ(dialed.size(), 1u);
    EXPECT_EQ(dialed[0].key.scheduled_call_id, b);
}

TEST_P(DispatchContract, AWindowDeferredRedialKeepsTheRealDialForTheCooldown) {
    auto a = schedule({"+14155550001"}, kT0, RetryPolicy{2, seconds(60)});
    auto first = claim("w1", kT0).at(0);
    placed_then_busy(first);
    if (HasFatalFailure()) return;
    auto redial = claim("w1", kT0 + seconds(65)).at(0);
    ASSERT_TRUE(dispatch().defer(redial, kT0 + hours(3), kT0 + seconds(65)));
    EXPECT_EQ(recipient(a).dialed_at, kT0);  // the first attempt's dial, not cleared

    auto b = schedule({"+14155550001"}, kT0 + seconds(120));
    auto batch = claim_batch("w2", kT0 + seconds(120));
    EXPECT_TRUE(batch.claims.empty());
    ASSERT_EQ(batch.deferred.size(), 1u);
    EXPECT_EQ(batch.deferred[0].until, kT0 + hours(24));
    (void)b;
}

TEST_P(DispatchContract, CancelingOrReschedulingClearsTheDeferredReason) {
    max_dials_per_day_ = 0;
    auto canceled = schedule({"+14155550001"}, kT0);
    auto moved = schedule({"+14155550002"}, kT0);
    ASSERT_EQ(claim_batch("w1", kT0).deferred.size(), 2u);
    ASSERT_EQ(store().scheduled_calls().cancel(canceled, kT0 + seconds(1)).result, ChangeResult::changed);
    EXPECT_EQ(recipient(canceled).deferred_reason, DeferredReason::none);
    ScheduledCallPatch patch;
    patch.scheduled_date_time = kT0 + days(2);
    ASSERT_EQ(store().scheduled_calls().update_pending(moved, patch, kT0 + seconds(1)).result, ChangeResult::changed);
    auto r = recipient(moved);
    EXPECT_EQ(r.deferred_reason, DeferredReason::none);
    EXPECT_EQ(r.next_attempt_at, kT0 + days(2));
}

}  // namespace
}  // namespace va::store::test
