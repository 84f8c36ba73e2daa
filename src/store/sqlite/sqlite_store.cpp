#include "store/sqlite/sqlite_store.hpp"

#include "store/sqlite/migrations.hpp"
#include "store/sqlite/repositories.hpp"
#include "store/sqlite/retention.hpp"

namespace va::store::sqlite {

namespace {
// Enough for the API's store pool to read in parallel; readers are cheap (WAL, no locks held).
constexpr std::size_t kReadConnections = 8;
}  // namespace

std::unique_ptr<SqliteStore> SqliteStore::open(const std::string& path, core::MetricsRegistry* metrics) {
    if (path.empty() || path == ":memory:") {
        throw StoreFailure("the SQLite store needs a file path (got '" + path + "'): its connections share the file");
    }
    return std::unique_ptr<SqliteStore>(new SqliteStore(path, metrics));
}

SqliteStore::SqliteStore(const std::string& path, core::MetricsRegistry* metrics) : path_(path) {
    auto connection = std::make_unique<Connection>(path, Connection::Role::writer);
    migrate(*connection);
    WriteQueueOptions writes;
    if (metrics) {
        constexpr const char* kHelp = "Writes waiting for the store's writer, by priority";
        writes.urgent_depth = &metrics->gauge("store_write_queue_depth", kHelp, {{"priority", "urgent"}});
        writes.bulk_depth = &metrics->gauge("store_write_queue_depth", kHelp, {{"priority", "bulk"}});
    }
    writer_ = std::make_unique<WriteQueue>(std::move(connection), writes);
    readers_ = std::make_unique<ReadPool>(path, kReadConnections);
    prompts_ = make_prompt_repository(*writer_, *readers_);
    scheduled_calls_ = make_scheduled_call_repository(*writer_, *readers_);
    call_logs_ = make_call_log_repository(*writer_, *readers_);
    dispatch_ = make_dispatch_repository(*writer_, *readers_);
}

SqliteStore::~SqliteStore() = default;

PromptRepository& SqliteStore::prompts() { return *prompts_; }
ScheduledCallRepository& SqliteStore::scheduled_calls() { return *scheduled_calls_; }
CallLogRepository& SqliteStore::call_logs() { return *call_logs_; }
DispatchRepository& SqliteStore::dispatch() { return *dispatch_; }

PurgeResult SqliteStore::purge_finished(const PurgeRequest& request) {
    return sqlite::purge_finished(*writer_, path_, request);
}

bool SqliteStore::ping() {
    return readers_->run([](Connection& c) {
        Statement s(c, "SELECT 1");
        return s.step() && s.integer(0) == 1;
    });
}

}  // namespace va::store::sqlite
