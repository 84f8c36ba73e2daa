#include "call/live_calls.hpp"

namespace va::call {

std::uint64_t LiveCalls::add(Ender ender) {
    std::unique_lock lock(mutex_);
    const auto id = ++next_;
    live_.emplace(id, ender);
    if (const auto deadline = deadline_) {
        lock.unlock();
        ender(*deadline);
    }
    return id;
}

void LiveCalls::remove(std::uint64_t id) {
    std::lock_guard lock(mutex_);
    live_.erase(id);
}

void LiveCalls::shutdown(timing::SteadyTime deadline) {
    std::lock_guard lock(mutex_);
    deadline_ = deadline;
    for (const auto& [id, ender] : live_) ender(deadline);  // each only posts to its stream's executor
}

std::size_t LiveCalls::count() const {
    std::lock_guard lock(mutex_);
    return live_.size();
}

}  // namespace va::call
