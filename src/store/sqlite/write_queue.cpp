#include "store/sqlite/write_queue.hpp"

namespace va::store::sqlite {

WriteQueue::WriteQueue(std::unique_ptr<Connection> connection, std::size_t max_batch)
    : connection_(std::move(connection)), max_batch_(max_batch), writer_([this] { writer_loop(); }) {}

WriteQueue::~WriteQueue() {
    {
        std::lock_guard lock(mutex_);
        stopping_ = true;
    }
    work_.notify_one();
    writer_.join();
}

void WriteQueue::submit(std::function<void(Connection&)> fn) {
    Job job{std::move(fn), nullptr, false};
    std::unique_lock lock(mutex_);
    if (stopping_) throw StoreFailure("store is closing");
    queue_.push_back(&job);
    work_.notify_one();
    finished_.wait(lock, [&] { return job.done; });
    if (job.error) std::rethrow_exception(job.error);
}

void WriteQueue::writer_loop() {
    std::unique_lock lock(mutex_);
    for (;;) {
        work_.wait(lock, [&] { return stopping_ || !queue_.empty(); });
        if (queue_.empty()) return;  // stopping with nothing left
        std::deque<Job*> batch;
        while (!queue_.empty() && batch.size() < max_batch_) {
            batch.push_back(queue_.front());
            queue_.pop_front();
        }
        lock.unlock();
        run_batch(batch);
        lock.lock();
        for (auto* job : batch) job->done = true;
        finished_.notify_all();
    }
}

void WriteQueue::run_batch(std::deque<Job*>& batch) {
    auto& c = *connection_;
    try {
        c.run("BEGIN IMMEDIATE");
    } catch (...) {
        for (auto* job : batch) job->error = std::current_exception();
        return;
    }
    for (auto* job : batch) {
        try {
            c.run("SAVEPOINT job");
            job->fn(c);
            c.run("RELEASE job");
        } catch (...) {
            job->error = std::current_exception();
            try {
                c.run("ROLLBACK TO job");
                c.run("RELEASE job");
            } catch (...) {
                // The transaction itself is gone; the commit below fails and reports it.
            }
        }
    }
    try {
        c.run("COMMIT");
    } catch (...) {
        auto error = std::current_exception();
        try {
            c.run("ROLLBACK");
        } catch (...) {
        }
        for (auto* job : batch) {
            if (!job->error) job->error = error;
        }
    }
}

}  // namespace va::store::sqlite
