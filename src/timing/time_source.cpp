#include "timing/time_source.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

namespace va::timing {

namespace asio = boost::asio;

namespace {

class RealTimer final : public TimerImpl {
public:
    explicit RealTimer(asio::any_io_executor executor) : timer_(std::move(executor)) {}
    void expires_at(SteadyTime when) override { timer_.expires_at(when); }
    SteadyTime expiry() const override { return timer_.expiry(); }
    void async_wait(WaitHandler handler) override { timer_.async_wait(std::move(handler)); }
    std::size_t cancel() override { return timer_.cancel(); }

private:
    asio::steady_timer timer_;
};

}  // namespace

core::TimePoint RealTime::now() const {
    return std::chrono::time_point_cast<core::Millis>(std::chrono::system_clock::now());
}

SteadyTime RealTime::steady_now() const { return std::chrono::steady_clock::now(); }

std::unique_ptr<TimerImpl> RealTime::make_timer(asio::any_io_executor executor) {
    return std::make_unique<RealTimer>(std::move(executor));
}

TimeSource& real_time() {
    static RealTime time;
    return time;
}

asio::awaitable<bool> sleep_until(TimeSource& time, SteadyTime when) {
    Timer timer(time, co_await asio::this_coro::executor);
    timer.expires_at(when);
    auto [ec] = co_await timer.async_wait(asio::as_tuple(asio::use_awaitable));
    co_return !ec;
}

asio::awaitable<bool> sleep_for(TimeSource& time, Duration wait) {
    return sleep_until(time, time.steady_now() + wait);
}

asio::awaitable<bool> sleep_until_wall(TimeSource& time, core::TimePoint when) {
    const auto wait = when - time.now();
    if (wait <= core::Millis::zero()) co_return true;
    co_return co_await sleep_for(time, wait);
}

}  // namespace va::timing
