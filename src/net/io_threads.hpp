#pragma once
// The network threads: one io_context per thread, each run by that thread alone. What runs on
// one context therefore runs on one thread, so a connection needs no strand: its coroutines,
// timers and socket share the context's executor, and nothing on the hot path of a media frame
// hands work between threads. The first context is the process's main one (signals, the
// dispatcher, outgoing clients); the HTTP server spreads connections over all of them.
#include <atomic>
#include <cstddef>
#include <memory>
#include <optional>
#include <span>
#include <vector>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>

namespace va::net {

class IoThreads {
public:
    explicit IoThreads(unsigned count);  // at least one
    IoThreads(const IoThreads&) = delete;
    IoThreads& operator=(const IoThreads&) = delete;

    boost::asio::io_context& main() { return *contexts_.front(); }
    std::span<boost::asio::io_context* const> contexts() const { return raw_; }
    std::size_t size() const { return raw_.size(); }

    // Runs every context, each on a thread of its own (the first on the caller's), until finish()
    // was called and all are out of work; then joins them.
    void run();
    // Lets the contexts end once their work is done: the others first, then the main one, which
    // stays up until they have ended (what they still do, a call's goodbye, may need it). Any
    // thread; once.
    void finish();

private:
    using Guard = boost::asio::executor_work_guard<boost::asio::io_context::executor_type>;
    std::vector<std::unique_ptr<boost::asio::io_context>> contexts_;
    std::vector<boost::asio::io_context*> raw_;
    std::vector<std::optional<Guard>> guards_;  // one per context, each reset on its own thread
    std::atomic<std::size_t> others_running_{0};
};

}  // namespace va::net
