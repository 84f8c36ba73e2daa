// The simulated time source fires timers only when time moves, in deadline order, and supports
// both kinds of Asio cancellation; the real one waits on the machine's clock.
#include <gtest/gtest.h>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "core/time_format.hpp"
#include "support/simulated_run.hpp"

namespace va::timing {
namespace {

namespace asio = boost::asio;
using namespace std::chrono_literals;
using namespace asio::experimental::awaitable_operators;

const core::TimePoint kStart = *core::parse_rfc3339("2026-12-06T12:00:00Z");

TEST(SimulatedTime, TimersFireOnlyWhenTimeMovesAndInDeadlineOrder) {
    asio::io_context io;
    SimulatedTime time(kStart);
    std::vector<int> fired;
    const auto start = time.steady_now();
    Timer late(time, io.get_executor()), early(time, io.get_executor()), same(time, io.get_executor());
    late.expires_after(300ms);
    early.expires_after(100ms);
    same.expires_after(100ms);
    late.async_wait([&](boost::system::error_code ec) { fired.push_back(ec ? -3 : 3); });
    early.async_wait([&](boost::system::error_code ec) { fired.push_back(ec ? -1 : 1); });
    same.async_wait([&](boost::system::error_code ec) { fired.push_back(ec ? -2 : 2); });
    va::test::settle(io);
    EXPECT_TRUE(fired.empty()) << "a waiting timer does not fire";
    EXPECT_EQ(time.waiting(), 3u);

    time.advance(99ms);
    va::test::settle(io);
    EXPECT_TRUE(fired.empty());
    time.advance(1ms);
    va::test::settle(io);
    EXPECT_EQ(fired, (std::vector<int>{1, 2})) << "equal deadlines fire in the order they were armed";
    EXPECT_EQ(time.now(), kStart + 100ms);

    ASSERT_TRUE(time.advance_to_next());
    va::test::settle(io);
    EXPECT_EQ(fired, (std::vector<int>{1, 2, 3}));
    EXPECT_EQ(time.steady_now() - start, 300ms);
    EXPECT_EQ(time.now(), kStart + 300ms);
    EXPECT_FALSE(time.advance_to_next()) << "nothing waits";
}

TEST(SimulatedTime, CancelAndDestructionCompleteWaitsAsAborted) {
    asio::io_context io;
    SimulatedTime time(kStart);
    std::vector<boost::system::error_code> results;
    Timer timer(time, io.get_executor());
    timer.expires_after(1s);
    timer.async_wait([&](boost::system::error_code ec) { results.push_back(ec); });
    EXPECT_EQ(timer.cancel(), 1u);
    {
        Timer doomed(time, io.get_executor());
        doomed.expires_after(1s);
        doomed.async_wait([&](boost::system::error_code ec) { results.push_back(ec); });
    }
    timer.expires_after(-1s);
    timer.async_wait([&](boost::system::error_code ec) { results.push_back(ec); });
    va::test::settle(io);
    ASSERT_EQ(results.size(), 3u);
    EXPECT_EQ(results[0], asio::error::operation_aborted);
    EXPECT_EQ(results[1], asio::error::operation_aborted);
    EXPECT_FALSE(results[2]) << "a deadline already past completes at once";
    EXPECT_EQ(time.waiting(), 0u);
}

TEST(SimulatedTime, TheLoserOfAnOrIsCancelledAndLeavesNoTimerBehind) {
    asio::io_context io;
    SimulatedTime time(kStart);
    std::optional<std::size_t> winner;
    asio::co_spawn(
        io,
        [&]() -> asio::awaitable<void> {
            auto result = co_await (sleep_for(time, 5s) || sleep_for(time, 2s));
            winner = result.index();
        },
        asio::detached);
    ASSERT_TRUE(va::test::run_until(io, time, [&] { return winner.has_value(); }));
    EXPECT_EQ(*winner, 1u);
    EXPECT_EQ(time.now(), kStart + 2s) << "time stopped at the first deadline";
    EXPECT_EQ(time.waiting(), 0u) << "the 5 s sleep was cancelled, not left waiting";
}

TEST(SimulatedTime, RunForStepsThroughTimersArmedOnTheWay) {
    asio::io_context io;
    SimulatedTime time(kStart);
    int ticks = 0;
    asio::co_spawn(
        io,
        [&]() -> asio::awaitable<void> {
            while (co_await sleep_for(time, 20ms)) ++ticks;
        },
        asio::detached);
    va::test::run_for(io, time, 1s);
    EXPECT_EQ(ticks, 50);
    EXPECT_EQ(time.now(), kStart + 1s);
}

TEST(SimulatedTime, SetMovesTheWallClockAloneAndWallSleepsFollowIt) {
    asio::io_context io;
    SimulatedTime time(kStart);
    const auto steady = time.steady_now();
    time.set(kStart + 30s);
    EXPECT_EQ(time.now(), kStart + 30s);
    EXPECT_EQ(time.steady_now(), steady);
    bool woke = false;
    asio::co_spawn(
        io,
        [&]() -> asio::awaitable<void> { woke = co_await sleep_until_wall(time, kStart + 40s); },
        asio::detached);
    ASSERT_TRUE(va::test::run_until(io, time, [&] { return woke; }));
    EXPECT_EQ(time.steady_now() - steady, 10s);
}

TEST(RealTime, TimersWaitOnTheMachinesClock) {
    asio::io_context io;
    RealTime time;
    const auto before = time.steady_now();
    bool woke = false;
    asio::co_spawn(
        io, [&]() -> asio::awaitable<void> { woke = co_await sleep_for(time, 2ms); }, asio::detached);
    io.run();
    EXPECT_TRUE(woke);
    EXPECT_GE(time.steady_now() - before, 2ms);
    EXPECT_LE(time.now() - core::TimePoint{}, std::chrono::system_clock::now().time_since_epoch() + 1s);
}

}  // namespace
}  // namespace va::timing
