#include "timing/simulated_time.hpp"

#include <algorithm>
#include <map>
#include <mutex>
#include <utility>
#include <vector>

#include <boost/asio/associated_cancellation_slot.hpp>
#include <boost/asio/associated_executor.hpp>
#include <boost/asio/dispatch.hpp>
#include <boost/asio/error.hpp>
#include <boost/asio/post.hpp>

namespace va::timing {

namespace asio = boost::asio;
using boost::system::error_code;

namespace {

// One pending async_wait.
struct Waiter {
    Waiter(WaitHandler h, asio::any_io_executor e, const void* t, asio::cancellation_slot s)
        : handler(std::move(h)), executor(std::move(e)), timer(t), slot(s) {}
    WaitHandler handler;
    asio::any_io_executor executor;  // the timer's
    const void* timer = nullptr;     // the timer it belongs to
    asio::cancellation_slot slot;
};

using Key = std::pair<SteadyTime, std::uint64_t>;  // equal deadlines fire in the order they were armed

// Completes a waiter that has left the queue, on its executor (never inline).
void complete(std::shared_ptr<Waiter> waiter, error_code ec) {
    auto executor = waiter->executor;
    asio::post(executor, [waiter = std::move(waiter), ec]() mutable {
        if (waiter->slot.is_connected()) waiter->slot.clear();
        // On the handler's own executor (a strand, say), as Asio's timers complete. The handler
        // stays in the waiter: Asio 1.81's any_completion_handler must not be copied or assigned.
        auto own = asio::get_associated_executor(waiter->handler, waiter->executor);
        asio::dispatch(own, [waiter, ec] { std::move(waiter->handler)(ec); });
    });
}

}  // namespace

struct SimulatedTime::State {
    mutable std::mutex mutex;
    SteadyTime steady;
    // Wall time is wall_anchor plus the steady time since steady_anchor (set() moves both).
    SteadyTime steady_anchor;
    core::TimePoint wall_anchor;
    std::uint64_t next_id = 1;
    std::map<Key, std::shared_ptr<Waiter>> waiters;

    std::shared_ptr<Waiter> take(const Key& key) {
        std::lock_guard lock(mutex);
        auto it = waiters.find(key);
        if (it == waiters.end()) return nullptr;
        auto waiter = std::move(it->second);
        waiters.erase(it);
        return waiter;
    }
};

namespace {

class SimulatedTimer final : public TimerImpl {
public:
    SimulatedTimer(std::shared_ptr<SimulatedTime::State> state, asio::any_io_executor executor)
        : state_(std::move(state)), executor_(std::move(executor)) {
        std::lock_guard lock(state_->mutex);
        expiry_ = state_->steady;
    }
    ~SimulatedTimer() override { cancel(); }

    void expires_at(SteadyTime when) override {
        cancel();
        expiry_ = when;
    }
    SteadyTime expiry() const override { return expiry_; }

    void async_wait(WaitHandler handler) override {
        auto slot = asio::get_associated_cancellation_slot(handler);
        auto waiter = std::make_shared<Waiter>(std::move(handler), executor_, this, slot);
        std::lock_guard lock(state_->mutex);
        if (expiry_ <= state_->steady) {  // already due: completes at once (posted), as Asio's timers do
            complete(std::move(waiter), {});
            return;
        }
        const Key key{expiry_, state_->next_id++};
        if (slot.is_connected()) {
            // Emitted on the waiter's own executor, never while this function runs.
            slot.assign([weak = std::weak_ptr(state_), key](asio::cancellation_type) {
                auto state = weak.lock();
                if (!state) return;
                // Gone already: it fired, and its completion is on its way.
                if (auto taken = state->take(key)) complete(std::move(taken), asio::error::operation_aborted);
            });
        }
        state_->waiters.emplace(key, std::move(waiter));
    }

    std::size_t cancel() override {
        std::vector<std::shared_ptr<Waiter>> taken;
        {
            std::lock_guard lock(state_->mutex);
            for (auto it = state_->waiters.begin(); it != state_->waiters.end();) {
                if (it->second->timer == this) {
                    taken.push_back(std::move(it->second));
                    it = state_->waiters.erase(it);
                } else {
                    ++it;
                }
            }
        }
        for (auto& waiter : taken) complete(std::move(waiter), asio::error::operation_aborted);
        return taken.size();
    }

private:
    std::shared_ptr<SimulatedTime::State> state_;
    asio::any_io_executor executor_;
    SteadyTime expiry_;
};

}  // namespace

SimulatedTime::SimulatedTime(core::TimePoint wall_start) : state_(std::make_shared<State>()) {
    state_->steady = state_->steady_anchor = SteadyTime{} + std::chrono::hours(1000);
    state_->wall_anchor = wall_start;
}

SimulatedTime::~SimulatedTime() {
    // Coroutines still waiting are unwound now, through their executors (Asio posts that), and
    // outside the lock: their frames own timers that take it.
    std::map<Key, std::shared_ptr<Waiter>> left;
    {
        std::lock_guard lock(state_->mutex);
        left.swap(state_->waiters);
    }
}

core::TimePoint SimulatedTime::now() const {
    std::lock_guard lock(state_->mutex);
    return state_->wall_anchor + std::chrono::duration_cast<core::Millis>(state_->steady - state_->steady_anchor);
}

SteadyTime SimulatedTime::steady_now() const {
    std::lock_guard lock(state_->mutex);
    return state_->steady;
}

std::unique_ptr<TimerImpl> SimulatedTime::make_timer(asio::any_io_executor executor) {
    return std::make_unique<SimulatedTimer>(state_, std::move(executor));
}

void SimulatedTime::fire_until(SteadyTime until) {
    std::vector<std::shared_ptr<Waiter>> due;
    {
        std::lock_guard lock(state_->mutex);
        auto& waiters = state_->waiters;
        while (!waiters.empty() && waiters.begin()->first.first <= until) {
            due.push_back(std::move(waiters.begin()->second));
            waiters.erase(waiters.begin());
        }
        state_->steady = std::max(state_->steady, until);
    }
    for (auto& waiter : due) complete(std::move(waiter), {});
}

void SimulatedTime::advance(Duration by) { fire_until(steady_now() + by); }

bool SimulatedTime::advance_to_next() {
    auto next = next_deadline();
    if (!next) return false;
    fire_until(*next);
    return true;
}

void SimulatedTime::set(core::TimePoint wall) {
    std::lock_guard lock(state_->mutex);
    state_->wall_anchor = wall;
    state_->steady_anchor = state_->steady;
}

std::optional<SteadyTime> SimulatedTime::next_deadline() const {
    std::lock_guard lock(state_->mutex);
    const auto& waiters = state_->waiters;
    if (waiters.empty() || waiters.begin()->first.first == SteadyTime::max()) return std::nullopt;
    return waiters.begin()->first.first;
}

std::size_t SimulatedTime::waiting() const {
    std::lock_guard lock(state_->mutex);
    return state_->waiters.size();
}

}  // namespace va::timing
