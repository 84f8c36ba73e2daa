// --retention-days on simulated time: a purge at start-up, then one an hour, each taking what has
// grown older than the retention since; stop() ends the loop.
#include "app/retention.hpp"

#include <gtest/gtest.h>

#include "core/time_format.hpp"
#include "store/sqlite/sqlite_store.hpp"
#include "support/simulated_run.hpp"
#include "support/temp_dir.hpp"

namespace va::app {
namespace {

using namespace std::chrono_literals;

const core::TimePoint kStart = *core::parse_rfc3339("2026-12-01T12:00:00Z");

class RetentionTest : public ::testing::Test {
protected:
    // A canceled call to `number`, last changed at `at`.
    std::string canceled_call(const std::string& number, core::TimePoint at) {
        store::ScheduledCall call;
        call.id = "6566a1b2c3d4e5f60718293" + std::to_string(next_++);
        call.prompt_id = "6566a1b2c3d4e5f6071829ff";
        call.to_phone_numbers = {number};
        call.recipients = {store::new_recipient(number, at)};
        call.scheduled_date_time = at + 24h;
        call.created_at = call.updated_at = at;
        store_->scheduled_calls().create(call, std::nullopt);
        store_->scheduled_calls().cancel(call.id, at);
        return call.id;
    }
    std::string number_of(const std::string& id) { return store_->scheduled_calls().get(id)->to_phone_numbers.at(0); }

    test::TempDir dir_;
    std::unique_ptr<store::sqlite::SqliteStore> store_ = store::sqlite::SqliteStore::open(dir_.file("retention.db"));
    boost::asio::io_context io_;
    timing::SimulatedTime time_{kStart};
    int next_ = 0;
};

TEST_F(RetentionTest, PurgesAtStartAndThenEveryHourWhatHasGrownOld) {
    const auto old = canceled_call("+14155550001", kStart - 31 * 24h);
    const auto younger = canceled_call("+14155550002", kStart - 30 * 24h + 30min);
    RetentionOptions options;
    options.keep = std::chrono::days(30);
    Retention retention(io_, *store_, io_.get_executor(), time_, options);
    retention.start();
    ASSERT_TRUE(test::run_until(io_, time_, [&] { return number_of(old) == "********0001"; }, 1min));
    EXPECT_EQ(number_of(younger), "+14155550002") << "29.5 days old at start-up";
    // Old enough half an hour later; purged by the next hourly sweep, not before.
    test::run_for(io_, time_, 59min);
    EXPECT_EQ(number_of(younger), "+14155550002");
    test::run_for(io_, time_, 2min);
    EXPECT_EQ(number_of(younger), "********0002");

    retention.stop();
    test::settle(io_);
    EXPECT_FALSE(time_.next_deadline()) << "no sweep is waiting any more";
}

}  // namespace
}  // namespace va::app
