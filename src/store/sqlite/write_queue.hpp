#pragma once
// Group commit. One writer thread owns the write connection; callers on any thread submit a job
// and block until it is durable. The writer runs every job waiting at that moment inside ONE
// transaction (a savepoint per job, so a failing job is undone alone), so N concurrent writes cost
// one fsync instead of N. BEGIN IMMEDIATE + the busy timeout serialise writers across processes.
#include <condition_variable>
#include <deque>
#include <exception>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <thread>
#include <type_traits>

#include "store/sqlite/database.hpp"

namespace va::store::sqlite {

class WriteQueue {
public:
    explicit WriteQueue(std::unique_ptr<Connection> connection, std::size_t max_batch = 256);
    ~WriteQueue();  // finishes queued jobs, then stops
    WriteQueue(const WriteQueue&) = delete;
    WriteQueue& operator=(const WriteQueue&) = delete;

    // Runs fn(connection) in the writer's transaction; returns its result once committed, or
    // rethrows what fn threw (its changes undone) or why the commit failed.
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

private:
    struct Job {
        std::function<void(Connection&)> fn;
        std::exception_ptr error;
        bool done = false;
    };

    void submit(std::function<void(Connection&)> fn);  // blocks until committed or failed
    void writer_loop();
    void run_batch(std::deque<Job*>& batch);

    std::unique_ptr<Connection> connection_;
    std::size_t max_batch_;
    std::mutex mutex_;
    std::condition_variable work_;
    std::condition_variable finished_;
    std::deque<Job*> queue_;
    bool stopping_ = false;
    std::thread writer_;
};

}  // namespace va::store::sqlite
