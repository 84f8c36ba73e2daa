#pragma once
// Twilio's calls-per-second pacing: each new call gets the next free start slot, at most `rate`
// per second; calls above the rate wait in the queue instead of being refused. Pure logic.
#include <algorithm>
#include <chrono>

#include "timing/time_source.hpp"

namespace va::sim {

class Pacer {
public:
    explicit Pacer(double calls_per_second)
        : interval_(std::chrono::duration_cast<timing::Duration>(std::chrono::duration<double>(1.0 / calls_per_second))) {}

    // When a call created at `now` may start dialing.
    timing::SteadyTime next_slot(timing::SteadyTime now) {
        auto slot = std::max(now, next_free_);
        next_free_ = slot + interval_;
        return slot;
    }

private:
    timing::Duration interval_;
    timing::SteadyTime next_free_{};
};

}  // namespace va::sim
