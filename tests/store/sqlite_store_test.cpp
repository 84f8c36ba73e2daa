// The store contract on SQLite, plus what only SQLite has: migrations, several handles on one
// file (as several processes would have), the dispatcher's columns, and group commit under load.
#include <sys/stat.h>

#include <future>
#include <latch>
#include <set>

#include "store/sqlite/database.hpp"
#include "store/sqlite/migrations.hpp"
#include "store/sqlite/sqlite_store.hpp"
#include "store_contract.hpp"
#include "support/temp_dir.hpp"

namespace va::store::test {
namespace {

using sqlite::Connection;
using sqlite::SqliteStore;
using sqlite::Statement;
using std::chrono::seconds;

// Keeps the temp dir alive exactly as long as the store.
struct StoreInDir {
    va::test::TempDir dir;
    std::unique_ptr<SqliteStore> store = SqliteStore::open(dir.file("store.db"));
};

// Another connection on the file writes what the dispatcher would.
void force_sqlite(Store& store, const DispatchState& s) {
    Connection c(dynamic_cast<SqliteStore&>(store).path());
    Statement call(c, "UPDATE scheduled_calls SET status = ? WHERE id = ?");
    call.bind(1, to_string(s.call_status)).bind(2, s.call_id).run();
    Statement recipient(c, "UPDATE recipients SET status = ?, attempt = ? WHERE scheduledCallId = ? AND position = ?");
    recipient.bind(1, to_string(s.recipient_status)).bind(2, std::int64_t{s.attempt}).bind(3, s.call_id);
    recipient.bind(4, static_cast<std::int64_t>(s.recipient)).run();
    ASSERT_EQ(c.changes(), 1);
}

const StoreFactory kSqlite{"Sqlite",
                           [] {
                               auto holder = std::make_shared<StoreInDir>();
                               return std::shared_ptr<Store>(holder, holder->store.get());
                           },
                           force_sqlite};
INSTANTIATE_TEST_SUITE_P(Sqlite, StoreContract, ::testing::Values(kSqlite),
                         [](const auto& instance) { return instance.param.name; });
INSTANTIATE_TEST_SUITE_P(Sqlite, DispatchContract, ::testing::Values(kSqlite),
                         [](const auto& instance) { return instance.param.name; });

std::int64_t query_int(const std::string& path, const std::string& sql) {
    Connection c(path);
    Statement s(c, sql);
    EXPECT_TRUE(s.step()) << sql;
    return s.integer(0);
}

std::string schema_of(const std::string& path) {
    Connection c(path);
    Statement s(c, "SELECT group_concat(name || ':' || ifnull(sql, ''), ';') FROM "
                   "(SELECT name, sql FROM sqlite_master ORDER BY name)");
    s.step();
    return s.text(0);
}

TEST(SqliteStore, MigratesToTheNewestVersionAndReopeningChangesNothing) {
    va::test::TempDir dir;
    auto path = dir.file("m.db");
    auto p = make_prompt("kept", kT0);
    SqliteStore::open(path)->prompts().create(p);
    EXPECT_EQ(query_int(path, "PRAGMA user_version"), sqlite::schema_version());
    auto before = schema_of(path);
    EXPECT_NE(before.find("recipients_due"), std::string::npos);
    auto reopened = SqliteStore::open(path);
    EXPECT_TRUE(reopened->prompts().get(p.id));
    EXPECT_EQ(query_int(path, "PRAGMA user_version"), sqlite::schema_version());
    EXPECT_EQ(schema_of(path), before);
}

TEST(SqliteStore, UpgradesAFileFromVersionOneKeepingItsData) {
    va::test::TempDir dir;
    auto path = dir.file("v1.db");
    {
        Connection c(path);
        sqlite::migrate(c, 1);
        c.exec("INSERT INTO calllogs (id, \"to\", \"from\", status, createdAt, updatedAt) "
               "VALUES ('old', '+14155552671', '+15005550006', 'completed', 1, 1)");
    }
    EXPECT_EQ(query_int(path, "PRAGMA user_version"), 1);
    auto store = SqliteStore::open(path);
    EXPECT_EQ(query_int(path, "PRAGMA user_version"), sqlite::schema_version());
    EXPECT_EQ(query_int(path, "SELECT count(*) FROM sqlite_master WHERE name = 'calllogs_by_status'"), 1);
    auto got = store->call_logs().get("old");
    ASSERT_TRUE(got);
    EXPECT_EQ(got->transcript.size(), 0u);
}

TEST(SqliteStore, TheFileAndItsWalAndShmAreForItsOwnerOnly) {
    va::test::TempDir dir;
    const auto path = dir.file("private.db");
    const auto old_mask = ::umask(0);  // what a careless service manager might leave
    {
        auto store = SqliteStore::open(path);
        store->prompts().create(make_prompt("p", kT0));
        for (const auto& file : {path, path + "-wal", path + "-shm"}) {
            struct stat info {};
            ASSERT_EQ(::stat(file.c_str(), &info), 0) << file;
            EXPECT_EQ(info.st_mode & 0777, 0600u) << file;
        }
    }
    ::umask(old_mask);
}

TEST(SqliteStore, RefusesADatabaseFromANewerBuild) {
    va::test::TempDir dir;
    auto path = dir.file("new.db");
    {
        Connection c(path);
        c.exec("PRAGMA user_version = 999");
    }
    EXPECT_THROW(SqliteStore::open(path), sqlite::StoreFailure);
}

TEST(SqliteStore, RefusesPathsThatAreNotSharedFiles) {
    EXPECT_THROW(SqliteStore::open(""), sqlite::StoreFailure);
    EXPECT_THROW(SqliteStore::open(":memory:"), sqlite::StoreFailure);
    EXPECT_THROW(SqliteStore::open("/nonexistent-dir/x/store.db"), sqlite::StoreFailure);
}

TEST(SqliteStore, OpensAFreshFileFromManyHandlesAtOnce) {
    va::test::TempDir dir;
    auto path = dir.file("fresh.db");
    constexpr int kHandles = 6;
    std::latch start(kHandles);
    std::vector<std::future<std::unique_ptr<SqliteStore>>> opened;
    for (int i = 0; i < kHandles; ++i) {
        opened.push_back(std::async(std::launch::async, [&] {
            start.arrive_and_wait();
            return SqliteStore::open(path);
        }));
    }
    std::vector<std::unique_ptr<SqliteStore>> stores;
    for (auto& f : opened) stores.push_back(f.get());  // rethrows if one failed
    stores[0]->prompts().create(make_prompt("x", kT0));
    EXPECT_EQ(stores[kHandles - 1]->prompts().list({}).items.size(), 1u);
    EXPECT_EQ(query_int(path, "PRAGMA user_version"), sqlite::schema_version());
    Connection c(path);
    Statement mode(c, "PRAGMA journal_mode");
    mode.step();
    EXPECT_EQ(mode.text(0), "wal");
}

TEST(SqliteStore, TwoHandlesOnOneFileSeeEachOthersWritesAndShareIdempotencyKeys) {
    va::test::TempDir dir;
    auto a = SqliteStore::open(dir.file("shared.db"));
    auto b = SqliteStore::open(dir.file("shared.db"));
    std::vector<std::future<int>> writers;
    for (auto* store : {a.get(), b.get()}) {
        writers.push_back(std::async(std::launch::async, [store] {
            int created = 0;
            for (int i = 0; i < 40; ++i) {
                store->prompts().create(make_prompt("p", kT0 + seconds(i)));
                auto call = make_call({"+14155552671"}, kT0, kT0);
                auto outcome = store->scheduled_calls().create(call, IdempotencyKey{"t1", "key-" + std::to_string(i), "h", {}});
                created += outcome.result == CreateResult::created;
            }
            return created;
        }));
    }
    EXPECT_EQ(writers[0].get() + writers[1].get(), 40);  // each key created once, across handles
    EXPECT_EQ(a->prompts().list({std::nullopt, 200}).items.size(), 80u);
    EXPECT_EQ(b->prompts().list({std::nullopt, 200}).items.size(), 80u);
    EXPECT_EQ(b->scheduled_calls().list({{}, {}, {}, {std::nullopt, 200}}).items.size(), 40u);
}

TEST(SqliteStore, ConcurrentCreatesFromManyThreadsAllLand) {
    va::test::TempDir dir;
    auto store = SqliteStore::open(dir.file("many.db"));
    constexpr int kThreads = 16;
    std::vector<std::future<std::vector<std::string>>> threads;
    for (int t = 0; t < kThreads; ++t) {
        threads.push_back(std::async(std::launch::async, [&store, t] {
            std::vector<std::string> ids;
            for (int i = t; i < 200; i += kThreads) {
                auto call = make_call({"+14155552671", "+14155552672", "+14155552673"}, kT0 + seconds(i), kT0);
                store->scheduled_calls().create(call, std::nullopt);
                ids.push_back(call.id);
            }
            return ids;
        }));
    }
    std::set<std::string> created;
    for (auto& t : threads) {
        for (auto& id : t.get()) created.insert(id);
    }
    std::set<std::string> listed;
    ScheduledCallQuery q;
    q.page.limit = 64;
    for (const auto& page : all_pages([&](const std::optional<Cursor>& cursor) {
             q.page.after = cursor;
             return store->scheduled_calls().list(q);
         })) {
        for (const auto& call : page.items) {
            EXPECT_EQ(call.recipients.size(), 3u);
            listed.insert(call.id);
        }
    }
    EXPECT_EQ(created.size(), 200u);
    EXPECT_EQ(listed, created);
    EXPECT_EQ(query_int(dir.file("many.db"), "SELECT count(*) FROM recipients"), 600);
}

// The toll-fraud limits live in the file: two handles (two processes) share the day's budget, and
// the per-day rows do not grow forever.
TEST(SqliteStore, HandlesOnOneFileShareTheDailyBudgetAndOldDaysAreForgotten) {
    va::test::TempDir dir;
    auto path = dir.file("budget.db");
    auto a = SqliteStore::open(path);
    auto b = SqliteStore::open(path);
    auto claim = [](SqliteStore& store, const std::string& owner, TimePoint now) {
        ClaimRequest r;
        r.owner = owner;
        r.now = now;
        r.max_dials_per_day = 2;
        r.slot_interval = std::chrono::milliseconds(1);
        return store.dispatch().claim(r);
    };
    auto day = std::chrono::days(1);
    for (int d = 0; d < 4; ++d) {
        // Each day three new numbers are due (and yesterday's leftovers since midnight).
        auto now = kT0 + d * day;
        std::vector<std::string> numbers;
        for (int i = 0; i < 3; ++i) numbers.push_back("+1415555" + std::to_string(1000 + d * 3 + i));
        a->scheduled_calls().create(make_call(numbers, now, now), std::nullopt);
        auto first = claim(*a, "a", now);
        EXPECT_EQ(first.claims.size(), 2u) << d;
        for (const auto& c : first.claims) ASSERT_TRUE(a->dispatch().record_refused(c, now, 21211, "x"));
        auto second = claim(*b, "b", now + seconds(1));
        EXPECT_TRUE(second.claims.empty()) << d;
        EXPECT_GE(first.deferred.size() + second.deferred.size(), 1u) << d;
    }
    // Today and yesterday only: a window deferral may give a dial back to yesterday.
    EXPECT_EQ(query_int(path, "SELECT count(*) FROM dispatch_daily_dials"), 2);
    EXPECT_EQ(query_int(path, "SELECT min(day) FROM dispatch_daily_dials"),
              (kT0 + 2 * day - std::chrono::hours(12)).time_since_epoch().count());
}

TEST(SqliteStore, UpgradesRecipientsToTheDialLimitsColumnsUndeferred) {
    va::test::TempDir dir;
    auto path = dir.file("v7.db");
    auto call = make_call({"+14155550001"}, kT0, kT0);
    {
        Connection c(path);
        sqlite::migrate(c, 7);
        c.exec("INSERT INTO scheduled_calls (id, toPhoneNumbers, promptId, scheduledDateTime, status, content, "
               "introduction, createdAt, updatedAt) VALUES ('" + call.id + "', '[\"+14155550001\"]', 'p', 1, "
               "'pending', 'c', 'i', 1, 1)");
        c.exec("INSERT INTO recipients (scheduledCallId, position, phoneNumber, status, nextAttemptAt, updatedAt) "
               "VALUES ('" + call.id + "', 0, '+14155550001', 'pending', 1, 1)");
    }
    auto store = SqliteStore::open(path);
    auto got = store->scheduled_calls().get(call.id);
    ASSERT_TRUE(got);
    EXPECT_EQ(got->recipients.at(0).deferred_reason, DeferredReason::none);
    EXPECT_EQ(query_int(path, "SELECT count(*) FROM dispatch_daily_dials"), 0);
}

}  // namespace
}  // namespace va::store::test
