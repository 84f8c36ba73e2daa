// engine::Inbox on one io_context run by the test, so that what happens between a send and the
// waiter's resumption is exact: events in order, and a cancelled waiter losing nothing.
#include "engine/inbox.hpp"

#include <optional>
#include <string>
#include <vector>

#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/cancellation_signal.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <gtest/gtest.h>

namespace va::engine {
namespace {

namespace asio = boost::asio;

// Receives one event into `got`, or notes that the wait was aborted.
struct Waiter {
    std::optional<std::string> got;
    bool aborted = false;

    void start(asio::io_context& io, Inbox<std::string>& inbox, asio::cancellation_signal& stop) {
        asio::co_spawn(io, receive(inbox), asio::bind_cancellation_slot(stop.slot(), [this](std::exception_ptr failure) {
                           if (!failure) return;
                           try {
                               std::rethrow_exception(failure);
                           } catch (const boost::system::system_error& e) {
                               aborted = e.code() == asio::error::operation_aborted;
                           }
                       }));
    }
    asio::awaitable<void> receive(Inbox<std::string>& inbox) { got = co_await inbox.receive(); }
};

// Runs every handler that is ready, and those they make ready (a waiting receive is work that
// run() would wait for).
void run(asio::io_context& io) {
    do {
        io.restart();
    } while (io.poll() > 0);
}

TEST(Inbox, EventsComeInTheOrderSent) {
    asio::io_context io;
    Inbox<std::string> inbox(io.get_executor());
    auto send = inbox.sender();
    send("one");
    send("two");
    std::vector<std::string> got;
    asio::co_spawn(io, [&]() -> asio::awaitable<void> {
        got.push_back(co_await inbox.receive());
        got.push_back(co_await inbox.receive());
    }, asio::detached);
    run(io);
    EXPECT_EQ(got, (std::vector<std::string>{"one", "two"}));
}

TEST(Inbox, ACancelledWaiterThrowsAndTheNextOneGetsTheEvent) {
    asio::io_context io;
    Inbox<std::string> inbox(io.get_executor());
    asio::cancellation_signal stop;
    Waiter cancelled;
    cancelled.start(io, inbox, stop);
    run(io);  // waiting
    stop.emit(asio::cancellation_type::terminal);
    run(io);
    EXPECT_TRUE(cancelled.aborted);
    inbox.sender()("words");
    asio::cancellation_signal unused;
    Waiter next;
    next.start(io, inbox, unused);
    run(io);
    EXPECT_EQ(next.got, "words");
}

TEST(Inbox, AnEventThatArrivedAsItsWaiterWasCancelledIsKeptForTheNextOne) {
    // The event completes the wait, then the cancellation comes before the waiter resumes: the
    // waiter must not go on (it throws), and the event must not be lost.
    asio::io_context io;
    Inbox<std::string> inbox(io.get_executor());
    asio::cancellation_signal stop;
    Waiter cancelled;
    cancelled.start(io, inbox, stop);
    run(io);  // waiting
    asio::post(io, [&] {
        inbox.sender()("words");  // the waiter's resumption is posted, not run here
        stop.emit(asio::cancellation_type::terminal);
    });
    run(io);
    EXPECT_TRUE(cancelled.aborted);
    EXPECT_FALSE(cancelled.got);
    asio::cancellation_signal unused, unused_too;
    Waiter next;
    next.start(io, inbox, unused);
    inbox.sender()("later");
    run(io);
    EXPECT_EQ(next.got, "words");
    Waiter after;
    after.start(io, inbox, unused_too);
    run(io);
    EXPECT_EQ(after.got, "later");
}

}  // namespace
}  // namespace va::engine
