// net::run_on: a coroutine awaited on another executor, cancellable from the caller. The two
// io_contexts are run by hand on this thread, so each interleaving happens exactly as written.
#include <chrono>
#include <exception>

#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <gtest/gtest.h>

#include "net/run_on.hpp"

namespace va::net {
namespace {

namespace asio = boost::asio;

struct Outcome {
    bool done = false;
    std::exception_ptr failure;
    int value = 0;
};

auto record(Outcome& out) {
    return [&out](std::exception_ptr failure, int value) {
        out.done = true;
        out.failure = failure;
        out.value = value;
    };
}

asio::awaitable<int> answer() { co_return 42; }

asio::awaitable<int> wait_an_hour() {
    asio::steady_timer timer(co_await asio::this_coro::executor, std::chrono::hours(1));
    co_await timer.async_wait(asio::use_awaitable);
    co_return 1;
}

TEST(RunOn, ACancellationThatCrossesTheTasksEndChangesNothing) {
    asio::io_context caller_context, task_context;
    auto open = asio::make_work_guard(task_context);  // as a network thread's context stays open
    asio::cancellation_signal cancel;
    Outcome out;
    asio::co_spawn(caller_context, run_on(task_context.get_executor(), answer()),
                   asio::bind_cancellation_slot(cancel.slot(), record(out)));
    caller_context.poll();  // the caller starts the task on the other context
    asio::post(caller_context, [&] { cancel.emit(asio::cancellation_type::terminal); });
    task_context.poll();    // the task ends: its result is queued behind the cancellation
    caller_context.poll();  // the cancellation leaves for the task, then the caller resumes with the result
    // The cancellation arrives after the task's end: Asio 1.81's own forwarding used freed memory here.
    EXPECT_EQ(task_context.poll(), 1u);
    ASSERT_TRUE(out.done);
    EXPECT_FALSE(out.failure);
    EXPECT_EQ(out.value, 42);
}

TEST(RunOn, TheCallersCancellationStopsTheTask) {
    asio::io_context caller_context, task_context;
    auto open = asio::make_work_guard(task_context);  // as a network thread's context stays open
    asio::cancellation_signal cancel;
    Outcome out;
    asio::co_spawn(caller_context, run_on(task_context.get_executor(), wait_an_hour()),
                   asio::bind_cancellation_slot(cancel.slot(), record(out)));
    caller_context.poll();
    task_context.poll();  // the task waits
    cancel.emit(asio::cancellation_type::terminal);
    while (!out.done && (task_context.poll() + caller_context.poll()) > 0) {
    }
    ASSERT_TRUE(out.done);
    ASSERT_TRUE(out.failure);
    try {
        std::rethrow_exception(out.failure);
    } catch (const boost::system::system_error& e) {
        EXPECT_EQ(e.code(), asio::error::operation_aborted);
    }
}

TEST(RunOn, WithoutACancellationTheTasksResultComesBack) {
    asio::io_context caller_context, task_context;
    auto open = asio::make_work_guard(task_context);  // as a network thread's context stays open
    Outcome out;
    asio::co_spawn(caller_context, run_on(task_context.get_executor(), answer()), record(out));
    while (!out.done && (caller_context.poll() + task_context.poll()) > 0) {
    }
    ASSERT_TRUE(out.done);
    EXPECT_FALSE(out.failure);
    EXPECT_EQ(out.value, 42);
}

}  // namespace
}  // namespace va::net
