#pragma once
// Two deadlines on one piece of work that streams (an HTTP answer, a chat model's tokens): one for
// its first sign of life, one for all of it. The work runs beside expiry() in a parallel group;
// whichever ends first cancels the other.
#include <optional>

#include <boost/asio/awaitable.hpp>

#include "timing/time_source.hpp"

namespace va::timing {

struct StagedDeadline {
    std::optional<SteadyTime> first;  // stands until `started` is set
    std::optional<SteadyTime> total;
    bool started = false;  // set by the work when its first sign of life arrives
};

enum class Passed { first, total };

// Completes when a deadline of `deadline` that still stands passes, saying which. Reads `deadline`
// again each time it wakes, so the work may set `started` without waking it. Without deadlines it
// waits until cancelled (and then throws operation_aborted, like every cancelled wait).
boost::asio::awaitable<Passed> expiry(TimeSource& time, const StagedDeadline& deadline);

}  // namespace va::timing
