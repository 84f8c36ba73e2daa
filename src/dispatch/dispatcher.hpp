#pragma once
// The dispatcher: sleeps until the next due time (or a wake-up, or the safety sweep), claims due
// work from the store under a lease, and runs one coroutine per claim: dial, reconcile an ambiguous
// dial, or check a call whose final status is overdue. Runs on the io_context it is given; every
// store call goes to `store_pool`.
#include <atomic>
#include <memory>

#include <boost/asio/io_context.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/any_io_executor.hpp>

#include "timing/time_source.hpp"
#include "dispatch/options.hpp"
#include "store/dispatch.hpp"

namespace va::twilio {
class Calls;
}

namespace va::calling_window {
class CountryZones;
}

namespace va::dispatch {

struct DispatchContext {
    store::DispatchRepository& store;
    twilio::Calls& twilio;
    boost::asio::any_io_executor store_pool;  // blocking store calls run here (net/offload.hpp)
    timing::TimeSource& time;
    const calling_window::CountryZones& country_zones;  // for calling windows without an explicit zone
    DispatcherOptions options;
};

class Dispatcher {
public:
    // A strand over the io_context itself (not over an any_io_executor, which ThreadSanitizer
    // reports as racing on its shared target).
    Dispatcher(boost::asio::io_context& io, DispatchContext context);
    ~Dispatcher();
    Dispatcher(const Dispatcher&) = delete;
    Dispatcher& operator=(const Dispatcher&) = delete;

    void start();
    // Look for due work now (a call was created or rescheduled here, or a call ended). Thread-safe.
    void wake();
    // Stops claiming; claims in flight finish (or are reconciled by whoever claims them next).
    void stop();

    struct Loop;

private:
    std::shared_ptr<Loop> loop_;
};

}  // namespace va::dispatch
