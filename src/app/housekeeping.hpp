#pragma once
// The hourly sweeps, at start-up and then every hour on the time source, each on the store pool:
// idempotency keys older than their window (24 h) are forgotten, and with --retention-days,
// finished calls older than the retention lose their transcripts and all but the last 4 digits
// of their numbers (store::Store::purge_finished, in batches, so that the API and live calls wait
// for one batch at most).
#include <chrono>
#include <memory>
#include <optional>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/io_context.hpp>

#include "store/store.hpp"
#include "timing/time_source.hpp"

namespace va::app {

struct HousekeepingOptions {
    std::chrono::hours idempotency_window{24};
    std::optional<std::chrono::days> retention;  // unset: finished calls are kept
    std::chrono::milliseconds cooldown{std::chrono::hours(24)};  // the numbers dialed since stay whole
    std::chrono::milliseconds every{std::chrono::hours(1)};
};

class Housekeeping {
public:
    Housekeeping(boost::asio::io_context& io, store::Store& store, boost::asio::any_io_executor store_pool,
                 timing::TimeSource& time, HousekeepingOptions options);
    ~Housekeeping();
    void start();
    void stop();  // thread-safe; a sweep under way finishes its batch

    struct State;

private:
    std::shared_ptr<State> state_;
};

}  // namespace va::app
