#pragma once
// Group commit. One writer thread owns the write connection; callers on any thread submit a job
// and block until it is durable. The writer runs every job waiting at that moment inside ONE
// transaction (a savepoint per job, so a failing job is undone alone), so N concurrent writes cost
// one fsync instead of N. BEGIN IMMEDIATE + the busy timeout serialise writers across processes.
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <exception>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <thread>
#include <type_traits>
#include <vector>

#include "store/sqlite/database.hpp"

namespace va::store::sqlite {

class WriteQueue {
public:
    explicit WriteQueue(std::unique_ptr<Connection> connection, std::size_t max_batch = 256);
    ~WriteQueue();  // finishes the jobs already queued, then stops the writer
    WriteQueue(const WriteQueue&) = delete;
    WriteQueue& operator=(const WriteQueue&) = delete;

    // Runs fn(connection) in the writer's transaction; returns its result once committed, or
    // rethrows what fn threw (its changes undone, the rest of the batch unaffected), or why the
    // batch's transaction failed. fn may run on another thread but never after run() returns.
    template <typename F>
    auto run(F fn) -> std::invoke_result_t<F&, Connection&> {
        using R = std::invoke_result_t<F&, Connection&>;
        if constexpr (std::is_void_v<R>) {
            submit([&](Connection& c) { fn(c); });
        } else {
            std::optional<R> result;
            submit([&](Connection& c) { result.emplace(fn(c)); });
            return std::move(*result);
        }
    }

    // For tests and metrics.
    std::size_t queued() const;          // jobs waiting for the next batch
    std::uint64_t batches() const;       // transactions the writer has run

private:
    struct Job {
        std::function<void(Connection&)> fn;
        std::exception_ptr error;
        bool done = false;
    };

    void submit(std::function<void(Connection&)> fn);  // blocks until committed or failed
    void writer_loop();
    void run_batch(const std::vector<Job*>& batch);
    static void abandon(const std::vector<Job*>& batch, const std::exception_ptr& why);

    std::unique_ptr<Connection> connection_;  // used by the writer thread only
    std::size_t max_batch_;
    mutable std::mutex mutex_;
    std::condition_variable work_;
    std::condition_variable finished_;
    std::deque<Job*> queue_;  // jobs live on their callers' stacks until `done`
    std::uint64_t batches_ = 0;
    bool stopping_ = false;
    std::thread writer_;  // last: starts once everything above exists
};

}  // namespace va::store::sqlite
