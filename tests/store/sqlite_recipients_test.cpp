// The recipients table as the dispatcher will use it: when each recipient is due, and that a claim
// ("up to N due recipients for owner X until T") is one conditional UPDATE with fencing.
#include <optional>

#include "store/sqlite/database.hpp"
#include "store/sqlite/sqlite_store.hpp"
#include "store_contract.hpp"
#include "support/temp_dir.hpp"

namespace va::store::test {
namespace {

using sqlite::Connection;
using sqlite::SqliteStore;
using sqlite::Statement;
using std::chrono::seconds;

std::int64_t ms(TimePoint t) { return t.time_since_epoch().count(); }

class SqliteRecipients : public ::testing::Test {
protected:
    std::vector<std::optional<std::int64_t>> next_attempts(const std::string& call_id) {
        Connection c(path_);
        Statement s(c, "SELECT nextAttemptAt FROM recipients WHERE scheduledCallId = ? ORDER BY position");
        s.bind(1, call_id);
        std::vector<std::optional<std::int64_t>> out;
        while (s.step()) out.push_back(s.optional_integer(0));
        return out;
    }

    va::test::TempDir dir_;
    std::string path_ = dir_.file("r.db");
    std::unique_ptr<SqliteStore> store_ = SqliteStore::open(path_);
};

using Due = std::vector<std::optional<std::int64_t>>;

TEST_F(SqliteRecipients, AreDueAtTheScheduledTimeUntilCanceled) {
    auto call = make_call({"+14155552671", "+14155552672"}, kT0, kT0 + seconds(60));
    store_->scheduled_calls().create(call, std::nullopt);
    EXPECT_EQ(next_attempts(call.id), (Due{ms(kT0 + seconds(60)), ms(kT0 + seconds(60))}));

    ScheduledCallPatch later;
    later.scheduled_date_time = kT0 + seconds(90);
    store_->scheduled_calls().update_pending(call.id, later, kT0 + seconds(1));
    EXPECT_EQ(next_attempts(call.id), (Due{ms(kT0 + seconds(90)), ms(kT0 + seconds(90))}));

    ScheduledCallPatch replace;
    replace.to_phone_numbers = std::vector<std::string>{"+14155552673"};
    store_->scheduled_calls().update_pending(call.id, replace, kT0 + seconds(2));
    EXPECT_EQ(next_attempts(call.id), (Due{ms(kT0 + seconds(90))}));

    store_->scheduled_calls().cancel(call.id, kT0 + seconds(3));
    EXPECT_EQ(next_attempts(call.id), (Due{std::nullopt}));
}

// The statement the dispatcher will run inside BEGIN IMMEDIATE. Kept here so that a schema change
// that breaks it fails now, not in the dispatcher's tests.
constexpr const char* kClaim = R"sql(
UPDATE recipients SET status = 'dialing', attempt = attempt + 1, leaseOwner = ?1, leaseExpiresAt = ?2,
       fence = fence + 1
WHERE rowid IN (SELECT rowid FROM recipients
                WHERE status = 'pending' AND nextAttemptAt <= ?3
                  AND (leaseExpiresAt IS NULL OR leaseExpiresAt < ?3)
                ORDER BY nextAttemptAt LIMIT ?4)
RETURNING scheduledCallId, position, fence)sql";

int claim(Connection& c, const std::string& owner, TimePoint now, TimePoint until, int limit) {
    c.exec("BEGIN IMMEDIATE");
    int claimed = 0;
    {
        Statement s(c, kClaim);
        s.bind(1, owner).bind(2, ms(until)).bind(3, ms(now)).bind(4, std::int64_t{limit});
        while (s.step()) ++claimed;
    }
    c.exec("COMMIT");
    return claimed;
}

TEST_F(SqliteRecipients, ClaimIsOneConditionalUpdateAndLaterWritesCarryTheFence) {
    auto due = make_call({"+14155552671", "+14155552672", "+14155552673"}, kT0, kT0);
    auto future = make_call({"+14155552674"}, kT0, kT0 + seconds(600));
    store_->scheduled_calls().create(due, std::nullopt);
    store_->scheduled_calls().create(future, std::nullopt);

    Connection worker(path_);
    EXPECT_EQ(claim(worker, "w1", kT0, kT0 + seconds(30), 2), 2);
    EXPECT_EQ(claim(worker, "w2", kT0, kT0 + seconds(30), 10), 1);  // the third; none twice
    EXPECT_EQ(claim(worker, "w2", kT0 + seconds(1), kT0 + seconds(30), 10), 0);

    // A write from a worker that lost its lease (stale fence) changes nothing.
    Statement stale(worker, "UPDATE recipients SET callSid = 'CA1' WHERE scheduledCallId = ? AND position = 0 "
                            "AND fence = 0");
    stale.bind(1, due.id).run();
    EXPECT_EQ(worker.changes(), 0);
    Statement current(worker, "UPDATE recipients SET callSid = 'CA1' WHERE scheduledCallId = ? AND position = 0 "
                              "AND fence = 1");
    current.bind(1, due.id).run();
    EXPECT_EQ(worker.changes(), 1);

    // The claimed call can no longer be edited; the API sees the dialing state.
    ScheduledCallPatch patch;
    patch.scheduled_date_time = kT0 + seconds(5);
    EXPECT_EQ(store_->scheduled_calls().update_pending(due.id, patch, kT0).result, ChangeResult::wrong_state);
    auto got = store_->scheduled_calls().get(due.id);
    EXPECT_EQ(got->recipients[0].status, RecipientStatus::dialing);
    EXPECT_EQ(got->recipients[0].attempt, 1);
    EXPECT_EQ(got->recipients[0].call_sid, "CA1");
}

}  // namespace
}  // namespace va::store::test
