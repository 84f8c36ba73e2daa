#include "store/sqlite/sqlite_store.hpp"

#include "store/sqlite/migrations.hpp"
#include "store/sqlite/repositories.hpp"

namespace va::store::sqlite {

namespace {
constexpr std::size_t kReadConnections = 8;
}

std::unique_ptr<SqliteStore> SqliteStore::open(const std::string& path) {
    return std::unique_ptr<SqliteStore>(new SqliteStore(path));
}

SqliteStore::SqliteStore(const std::string& path) {
    auto connection = std::make_unique<Connection>(path);
    migrate(*connection);
    writer_ = std::make_unique<WriteQueue>(std::move(connection));
    readers_ = std::make_unique<ReadPool>(path, kReadConnections);
    prompts_ = make_prompt_repository(*writer_, *readers_);
    scheduled_calls_ = make_scheduled_call_repository(*writer_, *readers_);
    call_logs_ = make_call_log_repository(*writer_, *readers_);
}

SqliteStore::~SqliteStore() = default;

PromptRepository& SqliteStore::prompts() { return *prompts_; }
ScheduledCallRepository& SqliteStore::scheduled_calls() { return *scheduled_calls_; }
CallLogRepository& SqliteStore::call_logs() { return *call_logs_; }

bool SqliteStore::ping() {
    return readers_->run([](Connection& c) {
        Statement s(c, "SELECT 1");
        return s.step() && s.integer(0) == 1;
    });
}

}  // namespace va::store::sqlite
