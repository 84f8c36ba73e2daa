#pragma once
// --retention-days: finished calls older than the retention lose their transcripts and all but
// the last 4 digits of their numbers (store::Store::purge_finished), at start-up and then every
// hour, on the time source. The purge runs on the store pool, in batches, so the API and live
// calls wait for one batch at most.
#include <chrono>
#include <cstdint>
#include <memory>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/io_context.hpp>

#include "store/store.hpp"
#include "timing/time_source.hpp"

namespace va::app {

struct RetentionOptions {
    std::chrono::days keep{30};
    std::chrono::milliseconds cooldown{std::chrono::hours(24)};  // the numbers dialed since stay whole
    std::chrono::milliseconds every{std::chrono::hours(1)};
};

class Retention {
public:
    Retention(boost::asio::io_context& io, store::Store& store, boost::asio::any_io_executor store_pool,
              timing::TimeSource& time, RetentionOptions options);
    ~Retention();
    void start();
    void stop();  // thread-safe; a purge under way finishes its batch

    struct State;

private:
    std::shared_ptr<State> state_;
};

}  // namespace va::app
