#include "dispatch/dispatcher.hpp"

#include <algorithm>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <spdlog/spdlog.h>

#include "core/phone.hpp"
#include "core/time_format.hpp"
#include "dispatch/attempt.hpp"
#include "net/offload.hpp"
#include "net/spawn.hpp"

namespace va::dispatch {

namespace asio = boost::asio;

// When work is due but cannot be claimed yet (every send slot in the lookahead is taken, the
// concurrency cap is reached, or a lease is still held), look again after half the lookahead: the
// slots already claimed keep the rate going meanwhile, so the next claim finds the queue of slots
// half full, never empty. A call ending here wakes the loop earlier.
std::chrono::milliseconds busy_retry(const DispatcherOptions& o) {
    return std::max(std::chrono::milliseconds(20), o.lookahead / 2);
}

// Lives as long as any coroutine of it: the claim loop and the claims it started hold it.
struct Dispatcher::Loop : std::enable_shared_from_this<Dispatcher::Loop> {
    Loop(asio::io_context& io, DispatchContext context) : strand(asio::make_strand(io)), timer(context.time, strand) {
        attempts = std::make_shared<AttemptContext>(AttemptContext{std::move(context), {}});
    }

    asio::strand<asio::io_context::executor_type> strand;
    timing::Timer timer;  // on the strand; only the loop and wake() touch it
    std::shared_ptr<AttemptContext> attempts;
    bool woken = false;
    bool stopping = false;

    void wake() {
        asio::post(strand, [self = shared_from_this()] {
            self->woken = true;
            self->timer.cancel();
        });
    }
};

namespace {

// Recipients the store deferred for the toll-fraud limits (numbers masked): the cooldown one by
// one (rare), the budget in one line per claim (every due recipient of the day can hit it).
void log_deferrals(const std::vector<store::Deferral>& deferred, const DispatcherOptions& o) {
    std::size_t over_budget = 0;
    const store::Deferral* first_over = nullptr;
    for (const auto& d : deferred) {
        if (d.reason == store::DeferredReason::daily_budget) {
            if (!first_over) first_over = &d;
            ++over_budget;
            continue;
        }
        spdlog::info("dispatch: {}-{} ({}) deferred until {}: {} (its number was dialed from another scheduled call "
                     "too recently)",
                     d.scheduled_call_id, d.position, core::mask_phone(d.phone_number), core::format_rfc3339(d.until),
                     store::to_string(d.reason));
    }
    if (first_over) {
        spdlog::info("dispatch: {} recipient(s) deferred until {}: daily-budget (the {} dials of this UTC day are used)",
                     over_budget, core::format_rfc3339(first_over->until), o.max_dials_per_day);
    }
}

asio::awaitable<void> claim_loop(std::shared_ptr<Dispatcher::Loop> loop) {
    auto& d = loop->attempts->context;
    const auto& o = d.options;
    store::ClaimRequest request;
    request.owner = o.owner;
    request.limit = o.claim_batch;
    request.max_live = o.max_live_calls;
    request.slot_interval = o.slot_interval();
    request.lookahead = o.lookahead;
    request.lease = o.request_timeout * 2;
    request.max_dials_per_day = o.max_dials_per_day;
    request.min_hours_between_calls_to_a_number = o.min_hours_between_calls_to_a_number;
    while (!loop->stopping) {
        loop->woken = false;
        request.now = d.time.now();
        store::ClaimBatch batch;
        std::optional<core::TimePoint> next;
        try {
            batch = co_await net::offload(d.store_pool, [&] { return d.store.claim(request); });
            next = co_await net::offload(d.store_pool, [&] { return d.store.next_due(); });
        } catch (const std::exception& e) {
            // A store failure (disk, lock timeout) must not end dispatching: try again after a pause.
            spdlog::error("dispatch: store: {}", e.what());
            next = d.time.now() + std::chrono::seconds(1);
        }
        log_deferrals(batch.deferred, o);
        const auto taken = batch.claims.size() + batch.deferred.size();
        for (auto& claim : batch.claims) {
            net::spawn_logged(loop->strand.get_inner_executor(), run_claim(loop->attempts, std::move(claim)),
                              "dispatch attempt");
        }
        if (loop->stopping) break;
        if (static_cast<int>(taken) >= request.limit) continue;  // more may be due at once

        auto now = d.time.now();
        auto until = now + o.sweep;
        if (next) {
            auto soonest = now + (batch.claims.empty() ? busy_retry(o) : std::chrono::milliseconds(0));
            until = std::min(until, std::max(*next, soonest));
        }
        if (loop->woken) continue;
        loop->timer.expires_after(until - now);
        co_await loop->timer.async_wait(asio::as_tuple(asio::use_awaitable));
    }
}

}  // namespace

Dispatcher::Dispatcher(asio::io_context& io, DispatchContext context)
    : loop_(std::make_shared<Loop>(io, std::move(context))) {
    loop_->attempts->wake = [weak = std::weak_ptr<Loop>(loop_)] {
        if (auto loop = weak.lock()) loop->wake();
    };
}

Dispatcher::~Dispatcher() { stop(); }

void Dispatcher::start() { net::spawn_logged(loop_->strand, claim_loop(loop_), "dispatch loop"); }

void Dispatcher::wake() { loop_->wake(); }

void Dispatcher::stop() {
    asio::post(loop_->strand, [loop = loop_] {
        loop->stopping = true;
        loop->timer.cancel();
    });
}

}  // namespace va::dispatch
