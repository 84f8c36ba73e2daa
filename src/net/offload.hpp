#pragma once
// Runs blocking work (store calls, later STT/TTS) on a thread pool and resumes the awaiting
// coroutine on its own executor. The one way blocking work leaves the network threads. Tests
// pass their io_context's executor as the "pool", so that everything runs on one thread in
// simulated time. The caller's io_context must outlive the pool's threads (join the pool first):
// a pool thread drops its copy of the caller's executor only after posting back.
#include <exception>
#include <optional>
#include <type_traits>
#include <utility>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/async_result.hpp>
#include <boost/asio/dispatch.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/thread_pool.hpp>
#include <boost/asio/use_awaitable.hpp>

namespace va::net {

template <typename F>
auto offload(boost::asio::any_io_executor pool, F fn) {
    namespace asio = boost::asio;
    using R = std::invoke_result_t<F&>;
    static_assert(!std::is_void_v<R>, "offload returns the function's result; return a value");
    static_assert(std::is_default_constructible_v<R>, "offload needs a default-constructible result");
    return asio::async_initiate<const asio::use_awaitable_t<>, void(std::exception_ptr, R)>(
        [pool](auto handler, F f) {
            auto work = asio::make_work_guard(asio::get_associated_executor(handler));
            asio::post(pool, [handler = std::move(handler), f = std::move(f), work = std::move(work)]() mutable {
                std::exception_ptr error;
                std::optional<R> result;
                try {
                    result.emplace(f());
                } catch (...) {
                    error = std::current_exception();
                }
                asio::dispatch(work.get_executor(),
                               [handler = std::move(handler), error, result = std::move(result)]() mutable {
                                   if (error) {
                                       std::move(handler)(error, R{});
                                   } else {
                                       std::move(handler)(nullptr, std::move(*result));
                                   }
                               });
                // Only now: the dispatched handler counts as work, so the caller's io_context
                // cannot run out of work (and be torn down) while this thread is still posting.
                work.reset();
            });
        },
        asio::use_awaitable, std::move(fn));
}

template <typename F>
auto offload(boost::asio::thread_pool& pool, F fn) {
    return offload(pool.get_executor(), std::move(fn));
}

}  // namespace va::net
