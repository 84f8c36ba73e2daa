// A staged deadline on simulated time: the first one stands until the work has started, the total
// one always; the watch looks again when woken by a deadline that no longer stands.
#include "timing/deadline.hpp"

#include <optional>

#include <boost/asio/co_spawn.hpp>
#include <gtest/gtest.h>

#include "core/time_format.hpp"
#include "support/simulated_run.hpp"

namespace va::timing {
namespace {

namespace asio = boost::asio;
using namespace std::chrono_literals;

const core::TimePoint kStart = *core::parse_rfc3339("2026-12-06T12:00:00Z");

class StagedDeadlineTest : public ::testing::Test {
protected:
    void watch() {
        asio::co_spawn(io_, expiry(time_, deadline_), [this](std::exception_ptr error, Passed passed) {
            if (!error) passed_ = passed;
        });
        va::test::settle(io_);
    }
    Duration elapsed() const { return time_.steady_now() - start_; }

    asio::io_context io_;
    SimulatedTime time_{kStart};
    const SteadyTime start_ = time_.steady_now();
    StagedDeadline deadline_;
    std::optional<Passed> passed_;
};

TEST_F(StagedDeadlineTest, TheFirstDeadlinePassesWhenTheWorkNeverStarts) {
    deadline_.first = start_ + 200ms;
    deadline_.total = start_ + 1s;
    watch();
    va::test::run_until(io_, time_, [&] { return passed_.has_value(); });
    EXPECT_EQ(passed_, Passed::first);
    EXPECT_EQ(elapsed(), 200ms);
}

TEST_F(StagedDeadlineTest, OnceStartedOnlyTheTotalDeadlineStands) {
    deadline_.first = start_ + 200ms;
    deadline_.total = start_ + 1s;
    watch();
    time_.advance(100ms);
    deadline_.started = true;  // without waking the watch
    va::test::run_until(io_, time_, [&] { return passed_.has_value(); });
    EXPECT_EQ(passed_, Passed::total);
    EXPECT_EQ(elapsed(), 1s);
}

TEST_F(StagedDeadlineTest, WithoutDeadlinesItWaitsUntilCancelled) {
    watch();
    EXPECT_FALSE(time_.advance_to_next()) << "nothing to wake for";
    EXPECT_FALSE(passed_);
}

}  // namespace
}  // namespace va::timing
