// Group commit: every job waiting when the writer is free runs in one transaction, a failing job is
// undone alone, and a transaction SQLite rolls back by itself fails every job in it (none is told
// "done" for a write that was lost).
#include <future>
#include <stdexcept>
#include <thread>

#include <gtest/gtest.h>

#include "store/sqlite/write_queue.hpp"
#include "support/temp_dir.hpp"

namespace va::store::sqlite {
namespace {

class WriteQueueTest : public ::testing::Test {
protected:
    WriteQueueTest() { open({}); }

    // A queue on a new file with table t.
    void open(WriteQueueOptions options) {
        auto connection = std::make_unique<Connection>(dir_.file("q" + std::to_string(++files_) + ".db"));
        connection->exec("CREATE TABLE t (v INTEGER PRIMARY KEY)");
        queue_ = std::make_unique<WriteQueue>(std::move(connection), options);
    }

    ~WriteQueueTest() override {
        if (holder_.valid()) release();  // a test that failed early must not leave the writer held
    }

    // Occupies the writer until release(), so that the next jobs queue up and form one batch.
    void hold_writer() {
        auto started = running_.get_future();
        holder_ = std::async(std::launch::async, [this] {
            queue_->run([this](Connection&) {
                running_.set_value();
                release_.get_future().wait();
            });
        });
        started.wait();
    }
    void release() {
        release_.set_value();
        holder_.get();
    }

    // Submits a job from its own thread and returns once the job is queued (so order is known).
    std::future<void> submit(std::function<void(Connection&)> job, WritePriority priority = WritePriority::urgent) {
        auto before = queue_->queued();
        auto f = std::async(std::launch::async, [this, job, priority] { queue_->run(job, priority); });
        while (queue_->queued() == before) std::this_thread::yield();
        return f;
    }

    static std::function<void(Connection&)> insert(std::int64_t v) {
        return [v](Connection& c) { Statement(c, "INSERT INTO t (v) VALUES (?)").bind(1, v).run(); };
    }

    std::int64_t count() {
        return queue_->run([](Connection& c) {
            Statement s(c, "SELECT count(*) FROM t");
            s.step();
            return s.integer(0);
        });
    }

    va::test::TempDir dir_;
    int files_ = 0;
    std::unique_ptr<WriteQueue> queue_;
    std::promise<void> running_;
    std::promise<void> release_;
    std::future<void> holder_;
};

TEST_F(WriteQueueTest, RunsEveryWaitingJobInOneTransaction) {
    hold_writer();
    auto before = queue_->batches();
    std::vector<std::future<void>> jobs;
    for (int i = 0; i < 10; ++i) jobs.push_back(submit(insert(i)));
    release();
    for (auto& j : jobs) j.get();
    EXPECT_EQ(queue_->batches() - before, 1u);
    EXPECT_EQ(count(), 10);
}

TEST_F(WriteQueueTest, AFailingJobIsUndoneAloneAndItsErrorReachesItsCaller) {
    hold_writer();
    auto first = submit(insert(1));
    auto failing = submit([](Connection& c) {
        Statement(c, "INSERT INTO t (v) VALUES (2)").run();
        throw std::runtime_error("job failed after writing");
    });
    auto duplicate = submit(insert(1));  // a constraint violation is a job's own failure too
    auto last = submit(insert(3));
    release();
    EXPECT_NO_THROW(first.get());
    EXPECT_THROW(failing.get(), std::runtime_error);
    EXPECT_THROW(duplicate.get(), StoreFailure);
    EXPECT_NO_THROW(last.get());
    auto values = queue_->run([](Connection& c) {
        Statement s(c, "SELECT group_concat(v) FROM (SELECT v FROM t ORDER BY v)");
        s.step();
        return s.text(0);
    });
    EXPECT_EQ(values, "1,3");
}

TEST_F(WriteQueueTest, ATransactionLostMidBatchFailsEveryJobInIt) {
    hold_writer();
    auto before = submit(insert(1));
    // Stands for SQLite's own rollback on SQLITE_FULL / SQLITE_IOERR.
    auto losing = submit([](Connection& c) {
        c.exec("ROLLBACK");
        throw std::runtime_error("disk full");
    });
    auto after = submit(insert(2));
    release();
    EXPECT_THROW(before.get(), StoreFailure);
    EXPECT_THROW(losing.get(), std::runtime_error);
    EXPECT_THROW(after.get(), StoreFailure);
    EXPECT_EQ(count(), 0);  // nothing committed behind a caller's back...
    queue_->run(insert(4));
    EXPECT_EQ(count(), 1);  // ...and the writer carries on
}

TEST_F(WriteQueueTest, AnUrgentJobRunsBeforeTheBulkJobsWaitingAheadOfIt) {
    core::Gauge urgent_depth, bulk_depth;
    WriteQueueOptions options;
    options.max_bulk_per_batch = 1;
    options.urgent_depth = &urgent_depth;
    options.bulk_depth = &bulk_depth;
    open(options);
    std::vector<int> order;  // written by the writer thread only
    auto job = [&order](int v) { return [&order, v](Connection& c) { order.push_back(v); insert(v)(c); }; };
    hold_writer();
    std::vector<std::future<void>> jobs;
    for (int v = 1; v <= 3; ++v) jobs.push_back(submit(job(v), WritePriority::bulk));
    jobs.push_back(submit(job(4), WritePriority::urgent));
    EXPECT_EQ(bulk_depth.value(), 3);
    EXPECT_EQ(urgent_depth.value(), 1);
    release();
    for (auto& j : jobs) j.get();
    EXPECT_EQ(order, (std::vector<int>{4, 1, 2, 3})) << "the live call's write first, then one bulk write a batch";
    EXPECT_EQ(bulk_depth.value(), 0);
    EXPECT_EQ(urgent_depth.value(), 0);
}

TEST_F(WriteQueueTest, AFullBulkQueueRefusesAtOnceAndStillTakesUrgentJobs) {
    WriteQueueOptions options;
    options.max_bulk_queued = 2;
    open(options);
    hold_writer();
    auto first = submit(insert(1), WritePriority::bulk);
    auto second = submit(insert(2), WritePriority::bulk);
    EXPECT_THROW(queue_->run_bulk(insert(3)), store::Busy) << "refused in the caller's thread, never blocked";
    auto urgent = submit(insert(4));
    release();
    first.get();
    second.get();
    urgent.get();
    EXPECT_EQ(count(), 3) << "the refused write changed nothing";
}

TEST_F(WriteQueueTest, ReturnsTheJobsResult) {
    auto v = queue_->run([](Connection& c) {
        Statement(c, "INSERT INTO t (v) VALUES (42)").run();
        return std::string("inserted");
    });
    EXPECT_EQ(v, "inserted");
    EXPECT_EQ(count(), 1);
}

}  // namespace
}  // namespace va::store::sqlite
