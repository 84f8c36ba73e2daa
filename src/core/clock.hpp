#pragma once
// Time is injected: everything that decides by the clock takes a Clock&, so tests can set it.
#include <atomic>
#include <chrono>

namespace va::core {

using Millis = std::chrono::milliseconds;
using TimePoint = std::chrono::sys_time<Millis>;

class Clock {
public:
    virtual ~Clock() = default;
    virtual TimePoint now() const = 0;
};

class SystemClock final : public Clock {
public:
    TimePoint now() const override {
        return std::chrono::time_point_cast<Millis>(std::chrono::system_clock::now());
    }
};

// A clock that only moves when told to; safe to read from any thread.
class ManualClock final : public Clock {
public:
    explicit ManualClock(TimePoint start) : now_ms_(start.time_since_epoch().count()) {}
    TimePoint now() const override { return TimePoint{Millis{now_ms_.load()}}; }
    void set(TimePoint t) { now_ms_.store(t.time_since_epoch().count()); }
    void advance(Millis d) { now_ms_.fetch_add(d.count()); }

private:
    std::atomic<long long> now_ms_;
};

}  // namespace va::core
