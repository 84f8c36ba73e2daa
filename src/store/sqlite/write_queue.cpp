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

WriteQueue::WriteQueue(std::unique_ptr<Connection> connection, WriteQueueOptions options)
    : connection_(std::move(connection)), options_(options), writer_([this] { writer_loop(); }) {}

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
    return urgent_.size() + bulk_.size();
}

void WriteQueue::count_depths() {
    if (options_.urgent_depth) options_.urgent_depth->set(static_cast<double>(urgent_.size()));
    if (options_.bulk_depth) options_.bulk_depth->set(static_cast<double>(bulk_.size()));
}

std::uint64_t WriteQueue::batches() const {
    std::lock_guard lock(mutex_);
    return batches_;
}

void WriteQueue::submit(std::function<void(Connection&)> fn, WritePriority priority) {
    Job job{std::move(fn), nullptr, false};
    std::unique_lock lock(mutex_);
    if (stopping_) throw StoreFailure("store is closing");
    if (priority == WritePriority::bulk) {
        if (bulk_.size() >= options_.max_bulk_queued) {
            throw Busy("the store has " + std::to_string(bulk_.size()) + " writes waiting; retry shortly");
        }
        bulk_.push_back(&job);
    } else {
        urgent_.push_back(&job);
    }
    count_depths();
    work_.notify_one();
    finished_.wait(lock, [&] { return job.done; });
    if (job.error) std::rethrow_exception(job.error);
}

void WriteQueue::writer_loop() {
    std::unique_lock lock(mutex_);
    for (;;) {
        work_.wait(lock, [&] { return stopping_ || !urgent_.empty() || !bulk_.empty(); });
        if (urgent_.empty() && bulk_.empty()) return;  // stopping, and every queued job has been answered
        std::vector<Job*> batch;
        while (!urgent_.empty() && batch.size() < options_.max_batch) {
            batch.push_back(urgent_.front());
            urgent_.pop_front();
        }
        for (std::size_t bulk = 0; !bulk_.empty() && bulk < options_.max_bulk_per_batch &&
                                   batch.size() < options_.max_batch;
             ++bulk) {
            batch.push_back(bulk_.front());
            bulk_.pop_front();
        }
        count_depths();
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
