#pragma once
// Awaits a coroutine run on another executor (a connection's strand, another network thread's
// context) and passes the caller's cancellation on to it, there.
//
// Asio 1.81's own `co_await co_spawn(other, task, use_awaitable)` forwards a cancellation by
// dispatching a raw pointer to a signal kept in the caller's cancellation slot, which the caller
// frees as soon as it resumes: a cancellation that raced the task's end used freed memory (seen
// in CI as a heap-use-after-free when a call ended during its hang-up request; chriskohlhoff/asio
// issue 1332, fixed after 1.81). Here the signal the task listens to is shared with every
// cancellation on its way, so it outlives them all.
#include <memory>
#include <utility>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/cancellation_signal.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/dispatch.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

namespace va::net {

template <typename T>
boost::asio::awaitable<T> run_on(boost::asio::any_io_executor executor, boost::asio::awaitable<T> task) {
    namespace asio = boost::asio;
    auto signal = std::make_shared<asio::cancellation_signal>();
    asio::cancellation_state state = co_await asio::this_coro::cancellation_state;
    auto caller = state.slot();
    if (caller.is_connected()) {
        // Cleared by Asio when this coroutine resumes; a cancellation already posted keeps `signal`.
        caller.assign([executor, signal](asio::cancellation_type type) {
            asio::dispatch(executor, [signal, type] { signal->emit(type); });
        });
    }
    auto token = asio::bind_cancellation_slot(signal->slot(), asio::use_awaitable);
    co_return co_await asio::co_spawn(executor, std::move(task), std::move(token));
}

}  // namespace va::net
