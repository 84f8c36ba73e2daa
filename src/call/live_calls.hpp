#pragma once
// The Media Streams this process serves now, so that a shutdown can end them: each is told the
// deadline (the agent says a short goodbye and hangs up; a stream still open then is closed, its
// end recorded as always). Thread-safe; a stream that arrives after the shutdown is told at once.
#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <optional>

#include "timing/time_source.hpp"

namespace va::call {

class LiveCalls {
public:
    // Called from any thread; must hand over to the stream's own executor.
    using Ender = std::function<void(timing::SteadyTime deadline)>;

    std::uint64_t add(Ender ender);
    void remove(std::uint64_t id);
    void shutdown(timing::SteadyTime deadline);
    std::size_t count() const;

private:
    mutable std::mutex mutex_;
    std::map<std::uint64_t, Ender> live_;
    std::uint64_t next_ = 0;
    std::optional<timing::SteadyTime> deadline_;
};

}  // namespace va::call
