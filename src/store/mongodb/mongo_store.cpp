#include "store/mongodb/mongo_store.hpp"

#include "store/mongodb/repositories.hpp"

namespace va::store::mongodb {

std::unique_ptr<MongoStore> MongoStore::open(const MongoOptions& options) {
    auto pool = std::make_shared<Pool>(options);
    const auto database = pool->database();
    return open(std::move(pool), database);
}

std::unique_ptr<MongoStore> MongoStore::open(std::shared_ptr<Pool> pool, const std::string& database) {
    auto store = std::unique_ptr<MongoStore>(new MongoStore(std::move(pool), database));
    try {
        store->ping();
    } catch (const Unavailable&) {
        // Not up yet: serve starts anyway, reports not ready, and ping() retries.
    }
    return store;
}

MongoStore::MongoStore(std::shared_ptr<Pool> pool, const std::string& database)
    : pool_(std::move(pool)),
      database_(database),
      collections_(std::make_unique<Collections>(*pool_, database_)),
      prompts_(make_prompt_repository(*collections_)),
      scheduled_calls_(make_scheduled_call_repository(*collections_)),
      call_logs_(make_call_log_repository(*collections_)),
      dispatch_(make_dispatch_repository(*collections_)) {}

MongoStore::~MongoStore() = default;

PromptRepository& MongoStore::prompts() { return *prompts_; }
ScheduledCallRepository& MongoStore::scheduled_calls() { return *scheduled_calls_; }
CallLogRepository& MongoStore::call_logs() { return *call_logs_; }
DispatchRepository& MongoStore::dispatch() { return *dispatch_; }

bool MongoStore::ping() {
    if (!pool_->ping()) return false;
    if (!indexed_.load()) {
        create_indexes(*collections_);
        indexed_ = true;
    }
    return true;
}

}  // namespace va::store::mongodb
