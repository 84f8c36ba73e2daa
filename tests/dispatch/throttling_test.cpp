// A minute of 429s from Twilio (the simulator answers every create with 20429 for 60 s): the
// dispatcher backs off, never sends faster than its rate, and places every call afterwards,
// each once. Takes about 70 s, hence the `slow` label.
#include <gtest/gtest.h>

#include "dispatch_harness.hpp"

namespace va::dispatch::test {
namespace {

using namespace std::chrono_literals;

TEST(Throttling, SixtySecondsOf429sNeitherExceedTheRateNorLoseACall) {
    DispatchHarness h(R"({"callsPerSecond": 100, "default": {"ringSeconds": 0, "outcome": "busy",
                         "restFault": {"mode": "429", "forMs": 60000}}})",
                      2, [](DispatcherOptions& o) {
                          o.calls_per_second = 5;
                          o.backoff_cap = 5s;
                      });
    auto recipients = numbers(30);
    auto id = h.schedule(recipients, h.clock().now());
    ASSERT_TRUE(h.wait_for_completed(id, 150s));
    for (const auto& n : recipients) EXPECT_EQ(h.calls_to(n), 1u) << n;
    auto requests = h.sim().create_requests();
    std::size_t throttled = 0;
    for (const auto& r : requests) throttled += r.answered == 429 ? 1 : 0;
    EXPECT_EQ(requests.size() - throttled, recipients.size());
    EXPECT_GT(throttled, 60u);  // they kept trying through the minute
    expect_within_rate(requests, 5);
    auto call = h.store().scheduled_calls().get(id);
    for (const auto& r : call->recipients) {
        EXPECT_EQ(r.status, store::RecipientStatus::busy);
        EXPECT_EQ(r.attempt, 1);
    }
}

}  // namespace
}  // namespace va::dispatch::test
