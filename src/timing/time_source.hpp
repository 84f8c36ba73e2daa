#pragma once
// The one time source: steady time (for durations and timeouts), wall time (for records and
// schedules) and timers. Production runs on RealTime; tests run on SimulatedTime (simulated_time.hpp),
// whose timers fire only when the test moves time on, so that every timed behaviour is tested
// instantly and deterministically (as Envoy's SimulatedTimeSystem does). Nothing outside this
// module reads a std::chrono clock or makes an Asio timer (tests/timing/no_other_clock_test.cpp).
#include <chrono>
#include <cstddef>
#include <memory>

#include <boost/asio/any_completion_handler.hpp>
#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/async_result.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/system/error_code.hpp>

#include "core/clock.hpp"

namespace va::timing {

using SteadyTime = std::chrono::steady_clock::time_point;
using Duration = std::chrono::steady_clock::duration;
using WaitHandler = boost::asio::any_completion_handler<void(boost::system::error_code)>;

// One timer's state, made by a TimeSource; used through Timer.
class TimerImpl {
public:
    virtual ~TimerImpl() = default;
    virtual void expires_at(SteadyTime when) = 0;
    virtual SteadyTime expiry() const = 0;
    // Completes with no error at expiry(), or with operation_aborted when cancel() is called, the
    // timer is destroyed, or the handler's cancellation slot is emitted.
    virtual void async_wait(WaitHandler handler) = 0;
    virtual std::size_t cancel() = 0;
};

class TimeSource : public core::Clock {
public:
    virtual SteadyTime steady_now() const = 0;
    virtual std::unique_ptr<TimerImpl> make_timer(boost::asio::any_io_executor executor) = 0;
};

// Like asio::steady_timer, on a TimeSource's time.
class Timer {
public:
    Timer(TimeSource& source, boost::asio::any_io_executor executor)
        : source_(source), impl_(source.make_timer(std::move(executor))) {}
    Timer(const Timer&) = delete;
    Timer& operator=(const Timer&) = delete;

    void expires_at(SteadyTime when) { impl_->expires_at(when); }
    void expires_after(Duration wait) { impl_->expires_at(source_.steady_now() + wait); }
    SteadyTime expiry() const { return impl_->expiry(); }
    std::size_t cancel() { return impl_->cancel(); }

    template <typename CompletionToken>
    auto async_wait(CompletionToken&& token) {
        return boost::asio::async_initiate<CompletionToken, void(boost::system::error_code)>(
            [impl = impl_.get()](auto handler) { impl->async_wait(WaitHandler(std::move(handler))); }, token);
    }

private:
    TimeSource& source_;
    std::unique_ptr<TimerImpl> impl_;
};

// Suspends the calling coroutine until `when` (steady); false when it was cancelled first
// (for example as the loser of an `a || b`).
boost::asio::awaitable<bool> sleep_until(TimeSource& time, SteadyTime when);
boost::asio::awaitable<bool> sleep_for(TimeSource& time, Duration wait);
// The same, for a wall time (the dispatcher's due times): measured as a steady wait from now.
boost::asio::awaitable<bool> sleep_until_wall(TimeSource& time, core::TimePoint when);

// The machine's clocks and Asio's steady_timer.
class RealTime final : public TimeSource {
public:
    core::TimePoint now() const override;
    SteadyTime steady_now() const override;
    std::unique_ptr<TimerImpl> make_timer(boost::asio::any_io_executor executor) override;
};

// The process's RealTime, for what runs on real sockets against real peers and is given no time
// source of its own (socket deadlines, the simulator standing in for Twilio, the demo's polling).
TimeSource& real_time();

}  // namespace va::timing
