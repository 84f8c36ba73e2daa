// The store contract on SQLite, plus what only SQLite has: migrations, several handles on one
// file (as several processes would have), and group commit.
#include <atomic>
#include <future>

#include "core/id.hpp"
#include "store/sqlite/database.hpp"
#include "store/sqlite/migrations.hpp"
#include "store/sqlite/sqlite_store.hpp"
#include "store/sqlite/write_queue.hpp"
#include "store_contract.hpp"
#include "support/temp_dir.hpp"

namespace va::store::test {
namespace {

using sqlite::Connection;
using sqlite::SqliteStore;
using sqlite::Statement;

// Keeps the temp dir alive exactly as long as the store.
struct StoreInDir {
    va::test::TempDir dir;
    std::unique_ptr<SqliteStore> store = SqliteStore::open(dir.file("store.db"));
};

INSTANTIATE_TEST_SUITE_P(Sqlite, StoreContract,
                         ::testing::Values(StoreFactory{"Sqlite", [] {
                             auto holder = std::make_shared<StoreInDir>();
                             return std::shared_ptr<Store>(holder, holder->store.get());
                         }}),
                         [](const auto&) { return std::string("Sqlite"); });

const TimePoint kT0 = TimePoint{std::chrono::hours(24 * 365 * 56)};

Prompt prompt(int i) {
    return {core::new_object_id(kT0), "p" + std::to_string(i), "c", "i", kT0, kT0};
}

int user_version(const std::string& path) {
    Connection c(path);
    Statement s(c, "PRAGMA user_version");
    s.step();
    return static_cast<int>(s.integer(0));
}

TEST(SqliteStore, MigratesOnceAndReopensWithoutChange) {
    va::test::TempDir dir;
    auto path = dir.file("m.db");
    auto p = prompt(1);
    SqliteStore::open(path)->prompts().create(p);
    EXPECT_EQ(user_version(path), sqlite::schema_version());
    auto reopened = SqliteStore::open(path);
    EXPECT_TRUE(reopened->prompts().get(p.id));
    EXPECT_EQ(user_version(path), sqlite::schema_version());
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

TEST(SqliteStore, UsesWalWithFullSync) {
    va::test::TempDir dir;
    auto path = dir.file("w.db");
    auto store = SqliteStore::open(path);
    Connection c(path);
    Statement mode(c, "PRAGMA journal_mode");
    mode.step();
    EXPECT_EQ(mode.text(0), "wal");
    Statement sync(c, "PRAGMA synchronous");
    sync.step();
    EXPECT_EQ(sync.integer(0), 2);  // FULL
}

TEST(SqliteStore, TwoHandlesOnOneFileSeeEachOthersWrites) {
    va::test::TempDir dir;
    auto a = SqliteStore::open(dir.file("shared.db"));
    auto b = SqliteStore::open(dir.file("shared.db"));
    std::vector<std::future<void>> writers;
    for (auto* store : {a.get(), b.get()}) {
        writers.push_back(std::async(std::launch::async, [store] {
            for (int i = 0; i < 50; ++i) store->prompts().create(prompt(i));
        }));
    }
    for (auto& w : writers) w.get();
    EXPECT_EQ(a->prompts().list({"", 200}).items.size(), 100u);
    EXPECT_EQ(b->prompts().list({"", 200}).items.size(), 100u);
}

TEST(SqliteStore, ConcurrentCreatesAllLand) {
    va::test::TempDir dir;
    auto store = SqliteStore::open(dir.file("many.db"));
    std::vector<std::future<void>> threads;
    for (int t = 0; t < 16; ++t) {
        threads.push_back(std::async(std::launch::async, [&] {
            for (int i = 0; i < 13; ++i) store->prompts().create(prompt(i));
        }));
    }
    for (auto& t : threads) t.get();
    PageRequest all{"", 200};
    size_t count = 0;
    do {
        auto page = store->prompts().list(all);
        count += page.items.size();
        all.cursor = page.next_cursor;
    } while (!all.cursor.empty());
    EXPECT_EQ(count, 16u * 13u);
}

TEST(WriteQueue, AFailingJobIsUndoneAloneAndItsErrorReachesItsCaller) {
    va::test::TempDir dir;
    auto connection = std::make_unique<Connection>(dir.file("q.db"));
    connection->exec("CREATE TABLE t (v INTEGER PRIMARY KEY)");
    sqlite::WriteQueue queue(std::move(connection));
    std::vector<std::future<bool>> results;
    for (int i = 0; i < 20; ++i) {
        results.push_back(std::async(std::launch::async, [&queue, i] {
            try {
                queue.run([i](Connection& c) {
                    Statement s(c, "INSERT INTO t (v) VALUES (?)");
                    s.bind(1, std::int64_t{i}).run();
                    if (i % 5 == 0) throw std::runtime_error("job failed after writing");
                });
                return true;
            } catch (const std::runtime_error&) {
                return false;
            }
        }));
    }
    int ok = 0;
    for (auto& r : results) ok += r.get();
    EXPECT_EQ(ok, 16);
    auto rows = queue.run([](Connection& c) {
        Statement s(c, "SELECT count(*), sum(v % 5 = 0) FROM t");
        s.step();
        return std::pair{s.integer(0), s.integer(1)};
    });
    EXPECT_EQ(rows.first, 16);
    EXPECT_EQ(rows.second, 0);
}

}  // namespace
}  // namespace va::store::test
