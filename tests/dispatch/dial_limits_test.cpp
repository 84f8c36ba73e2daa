// The toll-fraud limits end to end (dispatcher, store, simulator): the daily dial budget and the
// per-number cooldown defer recipients instead of dialing them, and a calling-window deferral
// gives its dial back to the budget. The simulator's call list is the witness of what was dialed.
#include <gtest/gtest.h>

#include "dispatch_harness.hpp"

namespace va::dispatch::test {
namespace {

using namespace std::chrono_literals;
using store::DeferredReason;
using store::RecipientStatus;

constexpr const char* kAnswerAndHangUp = R"({"callsPerSecond": 100, "default": {"ringSeconds": 0.05}})";

store::Recipient recipient(DispatchHarness& h, const std::string& id, std::size_t position = 0) {
    return h.store().scheduled_calls().get(id)->recipients.at(position);
}

TEST(DialLimits, PastTheDailyBudgetARecipientWaitsForTheNextUtcMidnight) {
    DispatchHarness h(kAnswerAndHangUp, 1, [](DispatcherOptions& o) { o.max_dials_per_day = 2; });
    auto recipients = numbers(3);
    auto id = h.schedule(recipients, h.clock().now());
    ASSERT_TRUE(h.wait_for([&] {
        auto call = h.store().scheduled_calls().get(id);
        int done = 0, deferred = 0;
        for (const auto& r : call->recipients) {
            done += r.status == RecipientStatus::completed ? 1 : 0;
            deferred += r.deferred_reason == DeferredReason::daily_budget ? 1 : 0;
        }
        return done == 2 && deferred == 1;
    }));
    EXPECT_EQ(h.sim().create_requests().size(), 2u);
    for (std::size_t i = 0; i < recipients.size(); ++i) {
        auto r = recipient(h, id, i);
        if (r.status != RecipientStatus::pending) continue;
        EXPECT_EQ(h.calls_to(recipients[i]), 0u);
        EXPECT_EQ(r.attempt, 0);
        // Deferred when it was claimed (updatedAt) to the UTC midnight after that.
        EXPECT_EQ(r.next_attempt_at, std::chrono::floor<std::chrono::days>(r.updated_at) + std::chrono::days(1));
    }
}

TEST(DialLimits, ANumberDialedFromAnotherCallWaitsForTheCooldown) {
    DispatchHarness h(kAnswerAndHangUp);
    auto first = h.schedule({"+14155551001"}, h.clock().now());
    ASSERT_TRUE(h.wait_for_completed(first));
    auto second = h.schedule({"+14155551001"}, h.clock().now());
    ASSERT_TRUE(h.wait_for([&] { return recipient(h, second).deferred_reason == DeferredReason::cooldown; }));
    auto dialed = recipient(h, first).dialed_at;
    ASSERT_TRUE(dialed);
    auto r = recipient(h, second);
    EXPECT_EQ(r.status, RecipientStatus::pending);
    EXPECT_EQ(r.next_attempt_at, *dialed + 24h);
    EXPECT_EQ(h.calls_to("+14155551001"), 1u);
}

TEST(DialLimits, ACallingWindowDeferralGivesItsDialBack) {
    DispatchHarness h(kAnswerAndHangUp, 1, [](DispatcherOptions& o) { o.max_dials_per_day = 1; });
    auto now = h.clock().now();
    auto minute_of_day = [](core::TimePoint t) {
        return static_cast<int>(
            std::chrono::duration_cast<std::chrono::minutes>(t - std::chrono::floor<std::chrono::days>(t)).count());
    };
    store::CallingWindow later{minute_of_day(now + 1h), minute_of_day(now + 2h), "UTC", {}};
    auto waiting = h.schedule({"+14155551001"}, now, std::nullopt, later);
    ASSERT_TRUE(h.wait_for([&] { return recipient(h, waiting).deferred_reason == DeferredReason::window; }));
    // The day's only dial was given back: a call that may be made now is made.
    auto other = h.schedule({"+14155551002"}, now);
    ASSERT_TRUE(h.wait_for_completed(other));
    EXPECT_EQ(h.calls_to("+14155551002"), 1u);
    EXPECT_EQ(h.sim().create_requests().size(), 1u);
}

}  // namespace
}  // namespace va::dispatch::test
