#pragma once
// The production store: MongoDB, through libmongoc's client pool, on the original system's
// collections (see README.md). Safe for many processes on one deployment. Calls block (run them
// off the network thread); an unreachable server throws store::Unavailable within the timeout.
#include <atomic>
#include <memory>

#include "store/mongodb/client.hpp"
#include "store/store.hpp"

namespace va::store::mongodb {

struct Collections;

class MongoStore final : public Store {
public:
    // Does not need the server to be up: the indexes are created by the first ping() that
    // reaches it. Throws std::invalid_argument for a connection string libmongoc refuses.
    static std::unique_ptr<MongoStore> open(const MongoOptions& options);
    // A store on `database` through a pool others share (the tests open many stores on one
    // server: a pool takes half a second to stop its monitor).
    static std::unique_ptr<MongoStore> open(std::shared_ptr<Pool> pool, const std::string& database);
    ~MongoStore() override;

    PromptRepository& prompts() override;
    ScheduledCallRepository& scheduled_calls() override;
    CallLogRepository& call_logs() override;
    DispatchRepository& dispatch() override;
    bool ping() override;
    PurgeResult purge_finished(const PurgeRequest& request) override;
    // A record copied from another store, id and state kept (`voiceagent store copy`); false when
    // one with its id is here already (then nothing is written).
    bool import(const Prompt& prompt);
    bool import(const ScheduledCall& call);
    bool import(const CallLog& log);

    // For tools and tests that write behind the repositories' back.
    Pool& pool() { return *pool_; }
    const std::string& database() const { return database_; }

private:
    MongoStore(std::shared_ptr<Pool> pool, const std::string& database);
    std::shared_ptr<Pool> pool_;
    std::string database_;
    std::unique_ptr<Collections> collections_;
    std::unique_ptr<PromptRepository> prompts_;
    std::unique_ptr<ScheduledCallRepository> scheduled_calls_;
    std::unique_ptr<CallLogRepository> call_logs_;
    std::unique_ptr<DispatchRepository> dispatch_;
    std::atomic<bool> indexed_{false};
};

}  // namespace va::store::mongodb
