#pragma once
// A speech-to-text session as a test awaits it. The session's executor is an io_context of the
// listener's own that only the test's thread runs, and only while it waits for a result, so the
// results come in order on that thread: no locks, no sleeps, at most `patience` per wait.
#include <chrono>
#include <cstddef>
#include <exception>
#include <memory>
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

#include "speech/stt.hpp"

namespace va::test {

// Options that ask the recogniser for partial results too.
inline speech::SttOptions with_partials() {
    speech::SttOptions options;
    options.partials = true;
    return options;
}

class SttListener {
public:
    using Result = engine::Result<speech::Heard>;
    using Clock = std::chrono::steady_clock;

    SttListener(speech::SpeechToText& stt, std::chrono::milliseconds patience, speech::SttOptions options = {})
        : patience_(patience), session_(stt.open(io_.get_executor(), std::move(options))) {}

    speech::SttSession* operator->() { return session_.get(); }
    speech::SttSession& operator*() { return *session_; }

    // The next result; nullopt when none came within the patience.
    std::optional<Result> next() {
        std::optional<Result> got;
        boost::asio::cancellation_signal give_up;
        boost::asio::co_spawn(io_, receive(got), boost::asio::bind_cancellation_slot(give_up.slot(), boost::asio::detached));
        io_.restart();
        io_.run_for(patience_);
        if (!got) {
            give_up.emit(boost::asio::cancellation_type::terminal);
            io_.restart();
            io_.run();
        }
        return got;
    }

    // The next final result, the partials before it kept in partials(); a test failure and
    // nullopt when none came within the patience.
    std::optional<Result> final() {
        for (;;) {
            auto got = next();
            if (!got) {
                ADD_FAILURE() << "no final result within " << patience_.count() << " ms";
                return std::nullopt;
            }
            if (*got && !(*got)->final) {
                partials_.push_back((*got)->text);
                continue;
            }
            final_at_ = Clock::now();
            return got;
        }
    }

    // The next final's words; "error: <what>" when recognition failed, "(none)" when nothing came.
    std::string words() {
        const auto got = final();
        if (!got) return "(none)";
        if (!*got) return "error: " + got->error().message();
        return (*got)->text;
    }

    // The results that have already come, without waiting for more.
    std::vector<Result> arrived() {
        std::vector<Result> out;
        for (;;) {
            std::optional<Result> got;
            boost::asio::cancellation_signal stop;
            boost::asio::co_spawn(io_, receive(got), boost::asio::bind_cancellation_slot(stop.slot(), boost::asio::detached));
            poll();
            if (!got) {
                stop.emit(boost::asio::cancellation_type::terminal);
                poll();
                return out;
            }
            out.push_back(std::move(*got));
        }
    }

    // Starts a next() and cancels it before anything can have come: whether it ended with
    // operation_aborted, as Asio's cancellation does.
    bool cancelled_wait_aborts() {
        bool aborted = false;
        boost::asio::cancellation_signal stop;
        boost::asio::co_spawn(io_, discard(), boost::asio::bind_cancellation_slot(stop.slot(), [&](std::exception_ptr failure) {
                                  try {
                                      if (failure) std::rethrow_exception(failure);
                                  } catch (const boost::system::system_error& e) {
                                      aborted = e.code() == boost::asio::error::operation_aborted;
                                  }
                              }));
        poll();
        stop.emit(boost::asio::cancellation_type::terminal);
        poll();
        return aborted;
    }

    // Destroys the session. Whatever reaches the executor from now on is counted by late().
    void close() {
        session_.reset();
        boost::asio::post(io_, [this] { closed_ = true; });
    }
    // Handlers that ran on the executor after the session was destroyed (nothing should: results
    // of a destroyed session are dropped by the engine, not queued here). Runs what is ready.
    std::size_t late() {
        std::size_t count = 0;
        io_.restart();
        for (;;) {
            const bool after = closed_;
            if (io_.poll_one() == 0) return count;
            if (after) ++count;
        }
    }

    const std::vector<std::string>& partials() const { return partials_; }
    Clock::time_point final_at() const { return final_at_; }  // when the last final() came

private:
    boost::asio::awaitable<void> receive(std::optional<Result>& got) { got = co_await session_->next(); }
    boost::asio::awaitable<void> discard() { co_await session_->next(); }

    void poll() {
        do {
            io_.restart();
        } while (io_.poll() > 0);
    }

    const std::chrono::milliseconds patience_;
    boost::asio::io_context io_;  // before the session: destroyed after it
    std::unique_ptr<speech::SttSession> session_;
    std::vector<std::string> partials_;
    Clock::time_point final_at_{};
    bool closed_ = false;
};

}  // namespace va::test
