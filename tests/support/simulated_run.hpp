#pragma once
// Drives an io_context on simulated time: it runs until no handler is ready, then time jumps to
// the next timer's deadline, and so on. Everything a test waits for happens in simulated time,
// instantly and in the same order every run. For that, everything must run on this io_context:
// tests give it as the store's "pool" too (net::offload), so no work is in flight elsewhere
// when time moves.
#include <functional>

#include <boost/asio/io_context.hpp>

#include "timing/simulated_time.hpp"

namespace va::test {

// Runs every handler that is ready, and those they make ready, until none is.
inline void settle(boost::asio::io_context& io) {
    do {
        io.restart();
    } while (io.poll() > 0);
}

// Until `done()` holds (true), or nothing is left to run or to wait for, or `limit` of simulated
// time has passed (false).
inline bool run_until(boost::asio::io_context& io, timing::SimulatedTime& time, const std::function<bool()>& done,
                      timing::Duration limit = std::chrono::hours(24)) {
    const auto end = time.steady_now() + limit;
    for (;;) {
        settle(io);
        if (done()) return true;
        const auto next = time.next_deadline();
        if (!next || *next > end) return false;
        time.advance_to_next();
    }
}

// Runs everything due within the next `span` of simulated time; the clocks end `span` later.
inline void run_for(boost::asio::io_context& io, timing::SimulatedTime& time, timing::Duration span) {
    const auto end = time.steady_now() + span;
    run_until(io, time, [] { return false; }, span);
    time.advance(end - time.steady_now());
    settle(io);
}

}  // namespace va::test
