// Every statement the dispatcher and a live call run on SQLite finds its rows through an index:
// a full scan of a table that grows with every call (recipients, call logs, ...) would make each
// claim slower as the history grows. The statements are recorded as SQLite runs them (a trace
// on every connection, installed through sqlite3_auto_extension, so the store needs no hook),
// then each one's EXPLAIN QUERY PLAN is read.
#include <mutex>
#include <set>

#include <sqlite3.h>

#include "store/sqlite/database.hpp"
#include "store/sqlite/sqlite_store.hpp"
#include "store_contract.hpp"
#include "support/temp_dir.hpp"

namespace va::store::test {
namespace {

using std::chrono::seconds;

std::mutex recorded_mutex;
std::set<std::string> recorded;  // the statements' text, parameters unexpanded

int record(unsigned, void*, void* statement, void*) {
    const char* sql = sqlite3_sql(static_cast<sqlite3_stmt*>(statement));
    std::lock_guard lock(recorded_mutex);
    if (sql) recorded.insert(sql);
    return 0;
}

int trace_connection(sqlite3* db, const char**, const struct sqlite3_api_routines*) {
    sqlite3_trace_v2(db, SQLITE_TRACE_STMT, record, nullptr);
    return SQLITE_OK;
}

// Tables that stay a few rows long whatever the history: a scan of them costs nothing.
bool is_small_table_scan(const std::string& detail) {
    return detail.starts_with("SCAN dispatch_slots") || detail.starts_with("SCAN dispatch_daily_dials") ||
           detail.starts_with("SCAN CONSTANT ROW");
}

bool is_data_statement(const std::string& sql) {
    for (auto verb : {"SELECT", "INSERT", "UPDATE", "DELETE", "WITH"}) {
        if (sql.starts_with(verb)) return true;
    }
    return false;
}

class SqliteQueryPlans : public DispatchContract {
protected:
    static void SetUpTestSuite() {
        sqlite3_auto_extension(reinterpret_cast<void (*)()>(trace_connection));
    }
    static void TearDownTestSuite() {
        sqlite3_cancel_auto_extension(reinterpret_cast<void (*)()>(trace_connection));
    }
    void SetUp() override {
        {
            std::lock_guard lock(recorded_mutex);
            recorded.clear();
        }
        DispatchContract::SetUp();
    }
    // A workload that runs every DispatchRepository operation, and a live call's store writes.
    void run_workload() {
        auto id = schedule({"+14155550001", "+14155550002", "+14155550003", "+14155550004"}, kT0);
        ASSERT_EQ(dispatch().next_due(), kT0);
        auto claims = claim("w1", kT0);
        ASSERT_EQ(claims.size(), 3u);
        ASSERT_TRUE(dispatch().renew(claims[0], kT0 + seconds(30)));
        ASSERT_TRUE(dispatch().reserve_slot(claims[0], kT0, milliseconds(1000), seconds(30)));
        ASSERT_TRUE(dispatch().record_placed(claims[0], placed(kSid1, kT0 + seconds(90)), kT0));
        ASSERT_EQ(dispatch().apply_status(event(claims[0], kSid1, RecipientStatus::ringing, kT0 + seconds(2)),
                                          no_retry_, kT0 + seconds(2)),
                  StatusResult::applied);
        auto& logs = store().call_logs();
        ASSERT_TRUE(logs.record_answer(kSid1, kT0 + seconds(3)));
        StreamStart start{to_string(claims[0].key), test_id(), id, "+14155550001", "+15005550006",
                          kSid1, "MZ00000000000000000000000000000001", kT0 + seconds(3)};
        ASSERT_TRUE(logs.record_stream_start(start));
        ASSERT_TRUE(logs.record_conversation(start.stream_sid, {}, {}, kT0 + seconds(4)));
        ASSERT_TRUE(logs.record_stream_end(start.stream_sid, kT0 + seconds(9)));
        ASSERT_EQ(dispatch().apply_status(event(claims[0], kSid1, RecipientStatus::completed, kT0 + seconds(10)),
                                          no_retry_, kT0 + seconds(10)),
                  StatusResult::applied);

        ASSERT_TRUE(dispatch().record_unknown(claims[1], kT0, kT0 + seconds(30)));
        dispatch().known_call_sids("+14155550002", {"6566a1b2c3d4e5f607182930", 0, 1});
        ASSERT_TRUE(dispatch().record_not_placed(claims[1], kT0 + seconds(1), kT0 + seconds(60), 5, "no call"));
        ASSERT_TRUE(dispatch().record_refused(claims[2], kT0, 21211, "invalid number"));
        auto fourth = claim("w1", kT0 + seconds(5));
        ASSERT_EQ(fourth.size(), 1u);
        ASSERT_TRUE(dispatch().defer(fourth[0], kT0 + seconds(3600), kT0 + seconds(5)));
        // A placed call whose status never came: claimed again as a check, then released.
        auto again = claim("w1", kT0 + seconds(61));
        ASSERT_FALSE(again.empty());
        ASSERT_TRUE(dispatch().record_placed(again[0], placed(kSid2, kT0 + seconds(70)), kT0 + seconds(61)));
        auto check = claim("w1", kT0 + seconds(71));
        ASSERT_EQ(check.size(), 1u);
        ASSERT_EQ(check[0].kind, ClaimKind::check);
        ASSERT_TRUE(dispatch().release_check(check[0], kT0 + seconds(200)));
    }
};

TEST_P(SqliteQueryPlans, NoDispatcherOrLiveCallStatementScansAGrowingTable) {
    run_workload();
    std::set<std::string> statements;
    {
        std::lock_guard lock(recorded_mutex);
        for (const auto& sql : recorded) {
            if (is_data_statement(sql)) statements.insert(sql);
        }
    }
    EXPECT_GE(statements.size(), 15u) << "the workload should run every operation's statements";
    sqlite::Connection c(dynamic_cast<sqlite::SqliteStore&>(store()).path());
    for (const auto& sql : statements) {
        sqlite::Statement plan(c, "EXPLAIN QUERY PLAN " + sql);
        std::string plan_text;
        while (plan.step()) {
            const auto detail = plan.text(3);
            plan_text += detail + "\n";
            const bool scan = detail.starts_with("SCAN ");
            EXPECT_FALSE(scan && !is_small_table_scan(detail)) << sql << "\n" << detail;
        }
        SCOPED_TRACE(plan_text);
    }
}

INSTANTIATE_TEST_SUITE_P(Sqlite, SqliteQueryPlans,
                         ::testing::Values(StoreFactory{"Sqlite",
                                                        [] {
                                                            struct InDir {
                                                                va::test::TempDir dir;
                                                                std::unique_ptr<sqlite::SqliteStore> store =
                                                                    sqlite::SqliteStore::open(dir.file("plans.db"));
                                                            };
                                                            auto holder = std::make_shared<InDir>();
                                                            return std::shared_ptr<Store>(holder, holder->store.get());
                                                        },
                                                        {}}),
                         [](const auto& instance) { return instance.param.name; });

}  // namespace
}  // namespace va::store::test
