#include "app/retention.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <spdlog/spdlog.h>

#include "net/offload.hpp"
#include "net/spawn.hpp"

namespace va::app {

namespace asio = boost::asio;

struct Retention::State {
    State(asio::io_context& io, store::Store& s, asio::any_io_executor p, timing::TimeSource& t, RetentionOptions o)
        : strand(asio::make_strand(io)), store(s), pool(std::move(p)), time(t), options(o), timer(t, strand) {}

    asio::strand<asio::io_context::executor_type> strand;
    store::Store& store;
    asio::any_io_executor pool;
    timing::TimeSource& time;
    const RetentionOptions options;
    timing::Timer timer;
    bool stopping = false;  // on the strand
};

namespace {

asio::awaitable<void> sweep(std::shared_ptr<Retention::State> state) {
    while (!state->stopping) {
        const auto now = state->time.now();
        store::PurgeRequest request;
        request.before = now - state->options.keep;
        request.cooldown_since = now - state->options.cooldown;
        request.now = now;
        auto purged = co_await net::offload(state->pool, [&] { return state->store.purge_finished(request); });
        if (purged.scheduled_calls + purged.call_logs > 0) {
            spdlog::info("retention: {} scheduled calls and {} call logs older than {} days purged",
                         purged.scheduled_calls, purged.call_logs, state->options.keep.count());
        }
        if (state->stopping) break;  // stop() came while the purge ran
        state->timer.expires_after(state->options.every);
        co_await state->timer.async_wait(asio::as_tuple(asio::use_awaitable));
    }
}

}  // namespace

Retention::Retention(asio::io_context& io, store::Store& store, asio::any_io_executor store_pool,
                     timing::TimeSource& time, RetentionOptions options)
    : state_(std::make_shared<State>(io, store, std::move(store_pool), time, options)) {}

Retention::~Retention() = default;

void Retention::start() { net::spawn_logged(state_->strand, sweep(state_), "retention"); }

void Retention::stop() {
    asio::post(state_->strand, [state = state_] {
        state->stopping = true;
        state->timer.cancel();
    });
}

}  // namespace va::app
