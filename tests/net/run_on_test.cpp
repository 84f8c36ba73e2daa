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

asio::awaitable<int> answer() { co_return 42; }

asio::awaitable<int> wait_an_hour() {
    asio::steady_timer timer(co_await asio::this_coro::executor, std::chrono::hours(1));
    co_await timer.async_wait(asio::use_awaitable);
    co_return 1;
}

// A caller on one context awaiting `task` on the other through run_on, cancellable by `cancel`.
class RunOn : public ::testing::Test {
protected:
    void start(asio::awaitable<int> task) {
        asio::co_spawn(caller_context, run_on(task_context.get_executor(), std::move(task)),
                       asio::bind_cancellation_slot(cancel.slot(), [this](std::exception_ptr e, int v) {
                           done = true;
                           failure = e;
                           value = v;
                       }));
    }
    void run_until_done() {
        while (!done && (caller_context.poll() + task_context.poll()) > 0) {
        }
    }

    asio::io_context caller_context, task_context;
    asio::executor_work_guard<asio::io_context::executor_type> open =
        asio::make_work_guard(task_context);  // as a network thread's context stays open
    asio::cancellation_signal cancel;
    bool done = false;
    std::exception_ptr failure;
    int value = 0;
};

TEST_F(RunOn, ACancellationThatCrossesTheTasksEndChangesNothing) {
    start(answer());
    caller_context.poll();  // the caller starts the task on the other context
    asio::post(caller_context, [&] { cancel.emit(asio::cancellation_type::terminal); });
    task_context.poll();    // the task ends: its result is queued behind the cancellation
    caller_context.poll();  // the cancellation leaves for the task, then the caller resumes with the result
    // The cancellation arrives after the task's end: Asio 1.81's own forwarding used freed memory here.
    EXPECT_EQ(task_context.poll(), 1u);
    ASSERT_TRUE(done);
    EXPECT_FALSE(failure);
    EXPECT_EQ(value, 42);
}

TEST_F(RunOn, TheCallersCancellationStopsTheTask) {
    start(wait_an_hour());
    caller_context.poll();
    task_context.poll();  // the task waits
    cancel.emit(asio::cancellation_type::terminal);
    run_until_done();
    ASSERT_TRUE(done);
    ASSERT_TRUE(failure);
    try {
        std::rethrow_exception(failure);
    } catch (const boost::system::system_error& e) {
        EXPECT_EQ(e.code(), asio::error::operation_aborted);
    }
}

TEST_F(RunOn, WithoutACancellationTheTasksResultComesBack) {
    start(answer());
    run_until_done();
    ASSERT_TRUE(done);
    EXPECT_FALSE(failure);
    EXPECT_EQ(value, 42);
}

}  // namespace
}  // namespace va::net
