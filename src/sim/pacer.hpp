#pragma once
// Twilio's calls-per-second pacing: each new call gets the next free start slot, at most `rate`
// per second; calls above the rate wait in the queue instead of being refused. Pure logic.
#include <algorithm>
#include <chrono>

namespace va::sim {

class Pacer {
public:
    using Clock = std::chrono::steady_clock;
    explicit Pacer(double calls_per_second)
        : interval_(std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(1.0 / calls_per_second))) {}

    // When a call created at `now` may start dialing.
    Clock::time_point next_slot(Clock::time_point now) {
        auto slot = std::max(now, next_free_);
        next_free_ = slot + interval_;
        return slot;
    }

private:
    Clock::duration interval_;
    Clock::time_point next_free_{};
};

}  // namespace va::sim
