#pragma once
// From callbacks on an engine's own threads to the coroutine that waits for them. The callbacks
// hold only the inbox's shared channel, so one that fires after the waiter has gone (cancelled,
// or its call ended) is dropped, and nothing in the waiter is touched from another thread.
#include <functional>
#include <memory>
#include <optional>
#include <utility>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/experimental/concurrent_channel.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

namespace va::engine {

// Throws operation_aborted when the calling coroutine has been cancelled. Call it after an
// awaited operation that may have completed just before the cancellation came: nothing runs
// after a cancellation.
inline boost::asio::awaitable<void> stop_if_cancelled() {
    namespace asio = boost::asio;
    auto state = co_await asio::this_coro::cancellation_state;
    if (state.cancelled() != asio::cancellation_type::none) {
        throw boost::system::system_error(asio::error::operation_aborted);
    }
}

// Cancels an engine's work (a stream with cancel()) unless it has finished: its waiter left early.
template <class Work>
struct CancelUnlessDone {
    std::shared_ptr<Work> work;
    bool done = false;
    ~CancelUnlessDone() {
        if (!done && work) work->cancel();
    }
};

template <class Event>
class Inbox {
public:
    explicit Inbox(boost::asio::any_io_executor executor, std::size_t capacity = 64)
        : channel_(std::make_shared<Channel>(std::move(executor), capacity)) {}

    // For the engine's callbacks: queues an event, on any thread, without blocking. (A full
    // buffer queues the send itself.)
    std::function<void(Event)> sender() const {
        return [channel = channel_](Event event) {
            channel->async_send(boost::system::error_code{}, std::move(event), boost::asio::detached);
        };
    }

    // The next event, in the order sent. Throws operation_aborted when cancelled, also when the
    // event had arrived before the cancellation was seen: that event is kept for the next
    // receive(), so a waiter that is cancelled and comes back loses nothing.
    boost::asio::awaitable<Event> receive() {
        namespace asio = boost::asio;
        if (!kept_) {
            auto [error, event] = co_await channel_->async_receive(asio::as_tuple(asio::use_awaitable));
            if (error) throw boost::system::system_error(asio::error::operation_aborted);
            kept_.emplace(std::move(event));
        }
        co_await stop_if_cancelled();
        Event event = std::move(*kept_);
        kept_.reset();
        co_return event;
    }

private:
    using Channel = boost::asio::experimental::concurrent_channel<void(boost::system::error_code, Event)>;
    std::shared_ptr<Channel> channel_;
    std::optional<Event> kept_;  // received, but its waiter was cancelled meanwhile
};

}  // namespace va::engine
