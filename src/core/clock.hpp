#pragma once
// Time is injected: code that only reads the wall clock takes a Clock&. Its implementations are
// the time sources of src/timing (RealTime, and SimulatedTime for tests), which also give steady
// time and timers.
#include <chrono>

namespace va::core {

using Millis = std::chrono::milliseconds;
using TimePoint = std::chrono::sys_time<Millis>;

class Clock {
public:
    virtual ~Clock() = default;
    virtual TimePoint now() const = 0;
};

}  // namespace va::core
