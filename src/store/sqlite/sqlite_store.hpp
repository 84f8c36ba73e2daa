#pragma once
// The embedded store: one SQLite file, safe for several processes. Writes go through a group-commit
// writer thread; reads through a pool of read-only connections. Calls block (run them off the
// network thread).
#include <memory>
#include <string>

#include "core/metrics.hpp"
#include "store/store.hpp"

namespace va::store::sqlite {

class WriteQueue;
class ReadPool;

class SqliteStore final : public Store {
public:
    // Opens or creates the file and migrates it; throws StoreFailure when it cannot. The path must
    // name a file: "" and ":memory:" would give each connection a database of its own. With
    // `metrics`, the writer's queue depth is the gauge store_write_queue_depth{priority}.
    static std::unique_ptr<SqliteStore> open(const std::string& path, core::MetricsRegistry* metrics = nullptr);
    ~SqliteStore() override;  // waits for the writes already submitted

    PromptRepository& prompts() override;
    ScheduledCallRepository& scheduled_calls() override;
    CallLogRepository& call_logs() override;
    DispatchRepository& dispatch() override;
    bool ping() override;
    PurgeResult purge_finished(const PurgeRequest& request) override;
    const std::string& path() const { return path_; }

private:
    SqliteStore(const std::string& path, core::MetricsRegistry* metrics);
    std::string path_;
    std::unique_ptr<WriteQueue> writer_;
    std::unique_ptr<ReadPool> readers_;
    std::unique_ptr<PromptRepository> prompts_;
    std::unique_ptr<ScheduledCallRepository> scheduled_calls_;
    std::unique_ptr<CallLogRepository> call_logs_;
    std::unique_ptr<DispatchRepository> dispatch_;
};

}  // namespace va::store::sqlite
