#include "timing/deadline.hpp"

#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

namespace va::timing {

namespace asio = boost::asio;

asio::awaitable<Passed> expiry(TimeSource& time, const StagedDeadline& deadline) {
    Timer timer(time, co_await asio::this_coro::executor);
    for (;;) {
        const bool first_stands = deadline.first && !deadline.started;
        auto next = SteadyTime::max();
        if (first_stands) next = *deadline.first;
        if (deadline.total && *deadline.total < next) next = *deadline.total;
        timer.expires_at(next);
        co_await timer.async_wait(asio::use_awaitable);
        const auto now = time.steady_now();
        if (deadline.total && now >= *deadline.total) co_return Passed::total;
        if (deadline.first && !deadline.started && now >= *deadline.first) co_return Passed::first;
    }
}

}  // namespace va::timing
