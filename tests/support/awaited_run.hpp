#pragma once
// One coroutine run the way a call runs its engines: on a strand of an io_context (which may run
// on another thread), cancelled through a signal from the test thread or from inside its own
// callbacks. How it ended reaches the test's handler, on the strand.
#include <exception>
#include <functional>
#include <future>
#include <optional>
#include <utility>

#include <boost/asio/awaitable.hpp>
#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/cancellation_signal.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/strand.hpp>

namespace va::test {

template <class Result>
struct Ending {
    std::optional<Result> result;  // when it completed
    bool canceled = false;         // it threw operation_aborted
    std::exception_ptr error;      // it threw anything else
};

template <class Result>
class AwaitedRun {
public:
    void start(boost::asio::io_context& io, boost::asio::awaitable<Result> work, std::function<void(Ending<Result>)> done) {
        strand_.emplace(boost::asio::make_strand(io));
        boost::asio::co_spawn(*strand_, std::move(work),
                              boost::asio::bind_cancellation_slot(
                                  signal_.slot(), [done = std::move(done)](std::exception_ptr error, Result result) {
                                      done(ending(error, std::move(result)));
                                  }));
    }
    // From inside the run's callbacks, at once; from another thread, returns once it is done. The
    // io_context must be running then.
    void cancel() {
        if (strand_->running_in_this_thread()) return signal_.emit(boost::asio::cancellation_type::terminal);
        std::promise<void> emitted;
        boost::asio::post(*strand_, [&] {
            signal_.emit(boost::asio::cancellation_type::terminal);
            emitted.set_value();
        });
        emitted.get_future().wait();
    }

private:
    static Ending<Result> ending(std::exception_ptr error, Result result) {
        Ending<Result> out;
        if (!error) {
            out.result = std::move(result);
            return out;
        }
        try {
            std::rethrow_exception(error);
        } catch (const boost::system::system_error& e) {
            out.canceled = e.code() == boost::asio::error::operation_aborted;
            if (!out.canceled) out.error = error;
        } catch (...) {
            out.error = error;
        }
        return out;
    }

    std::optional<boost::asio::strand<boost::asio::io_context::executor_type>> strand_;
    boost::asio::cancellation_signal signal_;
};

}  // namespace va::test
