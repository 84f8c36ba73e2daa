#include "store/sqlite/write_queue.hpp"

#include <string>

namespace va::store::sqlite {

namespace {
std::string describe(const std::exception_ptr& error) {
    try {
        std::rethrow_exception(error);
    } catch (const std::exception& e) {
        return e.what();
    } catch (...) {
        return "unknown error";
    }
}
}  // namespace

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

std::size_t WriteQueue::queued() const {
    std::lock_guard lock(mutex_);
    return queue_.size();
}

std::uint64_t WriteQueue::batches() const {
    std::lock_guard lock(mutex_);
    return batches_;
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
        if (queue_.empty()) return;  // stopping, and every queued job has been answered
        std::vector<Job*> batch;
        while (!queue_.empty() && batch.size() < max_batch_) {
            batch.push_back(queue_.front());
            queue_.pop_front();
        }
        ++batches_;
        lock.unlock();
        run_batch(batch);
        lock.lock();
        for (auto* job : batch) job->done = true;
        finished_.notify_all();
    }
}

void WriteQueue::run_batch(const std::vector<Job*>& batch) {
    auto& c = *connection_;
    try {
        c.run("BEGIN IMMEDIATE");  // takes the file's write lock now, waiting up to the busy timeout
    } catch (...) {
        abandon(batch, std::current_exception());
        return;
    }
    for (auto* job : batch) {
        try {
            c.run("SAVEPOINT job");
            job->fn(c);
            c.run("RELEASE job");
        } catch (...) {
            job->error = std::current_exception();
            if (!c.in_transaction()) {
                // SQLite rolled the whole transaction back (disk full, I/O error...): the jobs
                // before this one are undone too, and the ones after must not run in autocommit.
                abandon(batch, std::make_exception_ptr(StoreFailure(
                                   "write batch rolled back by another write's failure: " + describe(job->error))));
                return;
            }
            try {
                c.run("ROLLBACK TO job");
                c.run("RELEASE job");
            } catch (...) {
                // The COMMIT below fails too and reports it to the others.
            }
        }
    }
    try {
        c.run("COMMIT");
    } catch (...) {
        auto error = std::current_exception();
        try {
            if (c.in_transaction()) c.run("ROLLBACK");
        } catch (...) {
        }
        abandon(batch, error);
    }
}

// Every job that has not failed on its own gets `why`: none of the batch's changes were kept.
void WriteQueue::abandon(const std::vector<Job*>& batch, const std::exception_ptr& why) {
    for (auto* job : batch) {
        if (!job->error) job->error = why;
    }
}

}  // namespace va::store::sqlite
