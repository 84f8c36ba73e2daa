#include "app/housekeeping.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <spdlog/spdlog.h>

#include "net/offload.hpp"
#include "net/spawn.hpp"

namespace va::app {

namespace asio = boost::asio;

struct Housekeeping::State {
    State(asio::io_context& io, store::Store& s, asio::any_io_executor p, timing::TimeSource& t, HousekeepingOptions o)
        : strand(asio::make_strand(io)), store(s), pool(std::move(p)), time(t), options(o), timer(t, strand) {}

    asio::strand<asio::io_context::executor_type> strand;
    store::Store& store;
    asio::any_io_executor pool;
    timing::TimeSource& time;
    const HousekeepingOptions options;
    timing::Timer timer;
    bool stopping = false;  // on the strand
};

namespace {

// One sweep, on the store pool.
void sweep_once(const Housekeeping::State& state) {
    const auto now = state.time.now();
    state.store.scheduled_calls().forget_idempotency_keys(now - state.options.idempotency_window);
    if (!state.options.retention) return;
    store::PurgeRequest request;
    request.before = now - *state.options.retention;
    request.cooldown_since = now - state.options.cooldown;
    request.now = now;
    const auto purged = state.store.purge_finished(request);
    if (purged.scheduled_calls + purged.call_logs > 0) {
        spdlog::info("retention: {} scheduled calls and {} call logs older than {} days purged", purged.scheduled_calls,
                     purged.call_logs, state.options.retention->count());
    }
}

asio::awaitable<void> sweep(std::shared_ptr<Housekeeping::State> state) {
    while (!state->stopping) {
        co_await net::offload(state->pool, [&] {
            try {
                sweep_once(*state);
            } catch (const std::exception& e) {  // a busy or failing store: the next sweep tries again
                spdlog::warn("housekeeping: the sweep stopped: {}", e.what());
            }
            return true;
        });
        if (state->stopping) break;  // stop() came while the sweep ran
        state->timer.expires_after(state->options.every);
        co_await state->timer.async_wait(asio::as_tuple(asio::use_awaitable));
    }
}

}  // namespace

Housekeeping::Housekeeping(asio::io_context& io, store::Store& store, asio::any_io_executor store_pool,
                           timing::TimeSource& time, HousekeepingOptions options)
    : state_(std::make_shared<State>(io, store, std::move(store_pool), time, options)) {}

Housekeeping::~Housekeeping() = default;

void Housekeeping::start() { net::spawn_logged(state_->strand, sweep(state_), "housekeeping"); }

void Housekeeping::stop() {
    asio::post(state_->strand, [state = state_] {
        state->stopping = true;
        state->timer.cancel();
    });
}

}  // namespace va::app
