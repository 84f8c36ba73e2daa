#pragma once
// Capped, jittered exponential backoff for requests Twilio did not process (429 / 20429, or a
// connection that failed before the request left): "full jitter", so that workers throttled at the
// same moment do not come back in step.
#include <algorithm>
#include <chrono>
#include <random>

namespace va::dispatch {

class Backoff {
public:
    Backoff(std::chrono::milliseconds initial, std::chrono::milliseconds cap, unsigned seed = std::random_device{}())
        : initial_(initial), cap_(cap), random_(seed) {}

    // The wait before retry number `failures` (1 for the first retry): uniform in [d/2, d], where
    // d = min(cap, initial * 2^(failures-1)).
    std::chrono::milliseconds next(int failures) {
        auto ceiling = initial_.count();
        for (int i = 1; i < failures && ceiling < cap_.count(); ++i) ceiling *= 2;
        ceiling = std::min(ceiling, cap_.count());
        std::uniform_int_distribution<long long> pick(ceiling / 2, ceiling);
        return std::chrono::milliseconds(pick(random_));
    }

private:
    std::chrono::milliseconds initial_;
    std::chrono::milliseconds cap_;
    std::minstd_rand random_;
};

}  // namespace va::dispatch
