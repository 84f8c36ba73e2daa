// The hourly sweeps on simulated time: one at start-up, then one an hour, each taking what has
// grown older since; stop() ends them.
#include "app/housekeeping.hpp"

#include <gtest/gtest.h>

#include "core/time_format.hpp"
#include "store/sqlite/sqlite_store.hpp"
#include "support/simulated_run.hpp"
#include "support/temp_dir.hpp"

namespace va::app {
namespace {

using namespace std::chrono_literals;

const core::TimePoint kStart = *core::parse_rfc3339("2026-12-01T12:00:00Z");

class HousekeepingTest : public ::testing::Test {
protected:
    // A call to `number` created at `at` (with Idempotency-Key `key` when given), canceled then.
    std::string canceled_call(const std::string& number, core::TimePoint at, const std::string& key = "") {
        store::ScheduledCall call;
        call.id = "6566a1b2c3d4e5f60718293" + std::to_string(next_++);
        call.prompt_id = "6566a1b2c3d4e5f6071829ff";
        call.to_phone_numbers = {number};
        call.recipients = {store::new_recipient(number, at)};
        call.scheduled_date_time = at + 24h;
        call.created_at = call.updated_at = at;
        std::optional<store::IdempotencyKey> idempotency;
        if (!key.empty()) idempotency = store::IdempotencyKey{"token", key, "hash", {}};
        store_->scheduled_calls().create(call, idempotency);
        store_->scheduled_calls().cancel(call.id, at);
        return call.id;
    }
    std::string number_of(const std::string& id) { return store_->scheduled_calls().get(id)->to_phone_numbers.at(0); }
    // Whether `key` is still remembered: the same key with another body conflicts.
    bool remembers(const std::string& key) {
        store::ScheduledCall call;
        call.id = "6566a1b2c3d4e5f6071829ee";
        call.prompt_id = "6566a1b2c3d4e5f6071829ff";
        call.created_at = call.updated_at = call.scheduled_date_time = time_.now();
        auto outcome = store_->scheduled_calls().create(call, store::IdempotencyKey{"token", key, "other", {}});
        if (outcome.result == store::CreateResult::created) store_->scheduled_calls().cancel(call.id, time_.now());
        return outcome.result == store::CreateResult::key_conflict;
    }

    test::TempDir dir_;
    std::unique_ptr<store::sqlite::SqliteStore> store_ = store::sqlite::SqliteStore::open(dir_.file("sweeps.db"));
    boost::asio::io_context io_;
    timing::SimulatedTime time_{kStart};
    int next_ = 0;
};

TEST_F(HousekeepingTest, RetentionPurgesAtStartAndThenEveryHourWhatHasGrownOld) {
    const auto old = canceled_call("+14155550001", kStart - 31 * 24h);
    const auto younger = canceled_call("+14155550002", kStart - 30 * 24h + 30min);
    HousekeepingOptions options;
    options.retention = std::chrono::days(30);
    Housekeeping sweeps(io_, *store_, io_.get_executor(), time_, options);
    sweeps.start();
    ASSERT_TRUE(test::run_until(io_, time_, [&] { return number_of(old) == "********0001"; }, 1min));
    EXPECT_EQ(number_of(younger), "+14155550002") << "29.5 days old at start-up";
    // Old enough half an hour later; purged by the next hourly sweep, not before.
    test::run_for(io_, time_, 59min);
    EXPECT_EQ(number_of(younger), "+14155550002");
    test::run_for(io_, time_, 2min);
    EXPECT_EQ(number_of(younger), "********0002");

    sweeps.stop();
    test::settle(io_);
    EXPECT_FALSE(time_.next_deadline()) << "no sweep is waiting any more";
}

TEST_F(HousekeepingTest, IdempotencyKeysAreForgottenADayLaterAndCallsKeptWithoutRetention) {
    const auto call = canceled_call("+14155550001", kStart - 23h - 30min, "order-17");
    Housekeeping sweeps(io_, *store_, io_.get_executor(), time_, {});
    sweeps.start();
    test::settle(io_);
    EXPECT_TRUE(remembers("order-17")) << "23.5 hours old at start-up";
    test::run_for(io_, time_, 61min);
    EXPECT_FALSE(remembers("order-17")) << "the hourly sweep after it turned 24 hours old";
    EXPECT_EQ(number_of(call), "+14155550001") << "no retention: the call is kept whole";
    sweeps.stop();
    test::settle(io_);
}

}  // namespace
}  // namespace va::app
