#pragma once
// Group commit. One writer thread owns the write connection; callers on any thread submit a job
// and block until it is durable. The writer runs every job waiting at that moment inside ONE
// transaction (a savepoint per job, so a failing job is undone alone), so N concurrent writes cost
// one fsync instead of N. BEGIN IMMEDIATE + the busy timeout serialise writers across processes.
//
// Two priorities, so that a live call never waits behind a bulk of API writes: a batch takes every
// urgent job waiting (a live call's writes, Twilio's webhooks, the dispatcher), then at most
// `max_bulk_per_batch` bulk ones (the API's). Bulk jobs wait in a queue of at most
// `max_bulk_queued`: past it run() throws store::Busy at once (the API answers 503), never blocks.
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

#include "core/metrics.hpp"
#include "store/sqlite/database.hpp"
#include "store/store.hpp"

namespace va::store::sqlite {

enum class WritePriority { urgent, bulk };

struct WriteQueueOptions {
    std::size_t max_batch = 256;
    std::size_t max_bulk_per_batch = 16;
    std::size_t max_bulk_queued = 1024;
    // store_write_queue_depth{priority}: jobs waiting, set as they come and go (null: none).
    core::Gauge* urgent_depth = nullptr;
    core::Gauge* bulk_depth = nullptr;
};

class WriteQueue {
public:
    explicit WriteQueue(std::unique_ptr<Connection> connection, WriteQueueOptions options = {});
    ~WriteQueue();  // finishes the jobs already queued, then stops the writer
    WriteQueue(const WriteQueue&) = delete;
    WriteQueue& operator=(const WriteQueue&) = delete;

    // Runs fn(connection) in the writer's transaction; returns its result once committed, or
    // rethrows what fn threw (its changes undone, the rest of the batch unaffected), or why the
    // batch's transaction failed. fn may run on another thread but never after run() returns.
    template <typename F>
    auto run(F fn, WritePriority priority = WritePriority::urgent) -> std::invoke_result_t<F&, Connection&> {
        using R = std::invoke_result_t<F&, Connection&>;
        if constexpr (std::is_void_v<R>) {
            submit([&](Connection& c) { fn(c); }, priority);
        } else {
            std::optional<R> result;
            submit([&](Connection& c) { result.emplace(fn(c)); }, priority);
            return std::move(*result);
        }
    }

    // The API's writes: behind every urgent one, and refused with store::Busy when too many wait.
    template <typename F>
    auto run_bulk(F fn) -> std::invoke_result_t<F&, Connection&> {
        return run(std::move(fn), WritePriority::bulk);
    }

    // For tests and metrics.
    std::size_t queued() const;          // jobs waiting for the next batch, both priorities
    std::uint64_t batches() const;       // transactions the writer has run

private:
    struct Job {
        std::function<void(Connection&)> fn;
        std::exception_ptr error;
        bool done = false;
    };

    void submit(std::function<void(Connection&)> fn, WritePriority priority);  // blocks until committed or failed
    void count_depths();  // under mutex_
    void writer_loop();
    void run_batch(const std::vector<Job*>& batch);
    static void abandon(const std::vector<Job*>& batch, const std::exception_ptr& why);

    std::unique_ptr<Connection> connection_;  // used by the writer thread only
    const WriteQueueOptions options_;
    mutable std::mutex mutex_;
    std::condition_variable work_;
    std::condition_variable finished_;
    std::deque<Job*> urgent_;  // jobs live on their callers' stacks until `done`
    std::deque<Job*> bulk_;
    std::uint64_t batches_ = 0;
    bool stopping_ = false;
    std::thread writer_;  // last: starts once everything above exists
};

}  // namespace va::store::sqlite
