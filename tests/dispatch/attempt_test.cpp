// The attempt state machine and the claim loop on simulated time, against a scripted Twilio
// (fake_calls.hpp) and a real SQLite store, with the production timings: a minute of reconcile
// grace or an hour's wait runs in milliseconds, and the same way every time.
#include <gtest/gtest.h>

#include "core/id.hpp"
#include "core/time_format.hpp"
#include "dispatch/dispatcher.hpp"
#include "calling_window/time_zones.hpp"
#include "fake_calls.hpp"
#include "store/sqlite/sqlite_store.hpp"
#include "support/simulated_run.hpp"
#include "support/temp_dir.hpp"

namespace va::dispatch::test {
namespace {

using namespace std::chrono_literals;
using store::RecipientStatus;

const core::TimePoint kNow = *core::parse_rfc3339("2026-12-07T15:00:00Z");

class Rig {
public:
    Rig() {
        options.from_number = "+15005550006";
        options.public_url = "https://va.example.com";
        options.min_hours_between_calls_to_a_number = 0ms;
    }
    ~Rig() {
        for (auto& d : dispatchers) d->stop();
        va::test::settle(io);
    }

    // A worker of its own (as another process would be), started.
    Dispatcher& start(const std::string& owner = "worker-a") {
        auto o = options;
        o.owner = owner;
        dispatchers.push_back(std::make_unique<Dispatcher>(
            io, DispatchContext{store->dispatch(), twilio, io.get_executor(), time, zones, o}));
        dispatchers.back()->start();
        return *dispatchers.back();
    }

    std::string schedule(const std::string& number, core::TimePoint due) {
        store::ScheduledCall call;
        const auto now = time.now();
        call.id = core::new_object_id(now);
        call.to_phone_numbers = {number};
        call.prompt_id = core::new_object_id(now);
        call.scheduled_date_time = due;
        call.content = "You remind people of their appointment.";
        call.introduction = "Hello!";
        call.recipients.push_back(store::new_recipient(number, now));
        call.created_at = call.updated_at = now;
        store->scheduled_calls().create(call, std::nullopt);
        for (auto& d : dispatchers) d->wake();
        return call.id;
    }

    // A worker, and one recipient due now whose creates answer as scripted: its scheduled call's id.
    std::string dial_one(std::deque<CreateAnswer> answers) {
        twilio.answers = std::move(answers);
        start();
        return schedule("+14155551001", kNow);
    }

    store::Recipient recipient(const std::string& id) { return store->scheduled_calls().get(id)->recipients.at(0); }

    bool run_until(const std::function<bool()>& done, timing::Duration limit = 24h) {
        return va::test::run_until(io, time, done, limit);
    }

    boost::asio::io_context io;
    timing::SimulatedTime time{kNow};
    va::test::TempDir dir;
    std::unique_ptr<store::Store> store = store::sqlite::SqliteStore::open(dir.file("dispatch.db"));
    calling_window::CountryZones zones;
    FakeCalls twilio{time};
    DispatcherOptions options;
    std::vector<std::unique_ptr<Dispatcher>> dispatchers;
};

TEST(Attempt, ACallDueInAnHourIsDialedThenAndNotBefore) {
    Rig rig;
    rig.start();
    auto id = rig.schedule("+14155551001", kNow + 1h);
    ASSERT_TRUE(rig.run_until([&] { return !rig.twilio.creates.empty(); }));
    EXPECT_GE(rig.twilio.creates[0].at, kNow + 1h);
    EXPECT_LT(rig.twilio.creates[0].at, kNow + 1h + 1s);
    EXPECT_EQ(rig.recipient(id).call_sid, FakeCalls::sid(1));
    EXPECT_EQ(rig.twilio.creates[0].request.to, "+14155551001");
}

TEST(Attempt, AThrottledDialIsSentAgainAfterAGrowingBackoff) {
    Rig rig;
    auto id = rig.dial_one({CreateAnswer::throttled, CreateAnswer::throttled});
    ASSERT_TRUE(rig.run_until([&] { return rig.twilio.creates.size() == 3; }));
    const auto& c = rig.twilio.creates;
    EXPECT_GE(c[1].at - c[0].at, rig.options.backoff_initial / 2);
    EXPECT_GE(c[2].at - c[1].at, rig.options.backoff_initial) << "the second wait is drawn from a doubled range";
    ASSERT_TRUE(rig.run_until([&] { return rig.recipient(id).status != RecipientStatus::dialing; }));
    EXPECT_EQ(rig.recipient(id).call_sid, FakeCalls::sid(1));
    EXPECT_EQ(rig.twilio.calls.size(), 1u);
}

TEST(Attempt, ARefusedNumberFailsWithTwiliosReasonAndIsNotDialedAgain) {
    Rig rig;
    auto id = rig.dial_one({CreateAnswer::refused});
    ASSERT_TRUE(rig.run_until([&] { return rig.recipient(id).status == RecipientStatus::failed; }));
    EXPECT_EQ(rig.recipient(id).error_code, 21211);
    rig.run_until([] { return false; }, 1h);
    EXPECT_EQ(rig.twilio.creates.size(), 1u);
}

TEST(Attempt, ALostAnswerIsReconciledByAdoptingTheCallTwilioPlaced) {
    Rig rig;
    auto id = rig.dial_one({CreateAnswer::lost_after_place});
    ASSERT_TRUE(rig.run_until([&] { return !rig.recipient(id).call_sid.empty(); }));
    EXPECT_EQ(rig.recipient(id).call_sid, FakeCalls::sid(1));
    rig.run_until([] { return false; }, 1h);
    EXPECT_EQ(rig.twilio.creates.size(), 1u) << "never dialed twice";
}

TEST(Attempt, ALostAnswerIsReconciledOnTwiliosClockWhetherItRunsAheadOrBehind) {
    for (const auto offset : {std::chrono::milliseconds(30s), std::chrono::milliseconds(-30s)}) {
        SCOPED_TRACE(offset.count());
        Rig rig;
        rig.twilio.offset = offset;
        auto id = rig.dial_one({CreateAnswer::lost_after_place});
        ASSERT_TRUE(rig.run_until([&] { return !rig.recipient(id).call_sid.empty(); }));
        EXPECT_EQ(rig.recipient(id).call_sid, FakeCalls::sid(1)) << "adopted";
        rig.run_until([] { return false; }, 1h);
        EXPECT_EQ(rig.twilio.creates.size(), 1u) << "never dialed twice";
    }
}

TEST(Attempt, ALostRequestIsDeclaredNotPlacedAfterTheGraceAndThenDialedAgain) {
    Rig rig;
    auto id = rig.dial_one({CreateAnswer::lost_before_place});
    ASSERT_TRUE(rig.run_until([&] { return rig.twilio.creates.size() == 2; }));
    const auto& c = rig.twilio.creates;
    EXPECT_GE(c[1].at - c[0].at, rig.options.reconcile_grace + rig.options.unplaced_retry_delay);
    ASSERT_TRUE(rig.run_until([&] { return !rig.recipient(id).call_sid.empty(); }));
    EXPECT_EQ(rig.recipient(id).call_sid, FakeCalls::sid(1));
    EXPECT_EQ(rig.twilio.calls.size(), 1u);
}

TEST(Attempt, AFinalStatusThatNeverArrivesIsFetchedFromTwilio) {
    Rig rig;
    auto id = rig.dial_one({});
    ASSERT_TRUE(rig.run_until([&] { return !rig.twilio.calls.empty(); }));
    rig.twilio.calls[0].status = "completed";
    rig.twilio.calls[0].duration_s = 42;
    const auto placed = rig.time.now();
    ASSERT_TRUE(rig.run_until([&] { return rig.recipient(id).status == RecipientStatus::completed; }));
    EXPECT_GE(rig.time.now() - placed, std::chrono::seconds(rig.options.ring_timeout_seconds) + rig.options.check_margin);
    EXPECT_EQ(rig.twilio.fetches, 1);
}

TEST(Attempt, AWorkerThatDiesMidDialIsReconciledByAnotherOnceItsLeaseRunsOut) {
    Rig rig;
    rig.twilio.answers = {CreateAnswer::hangs};
    rig.start("worker-a");
    auto id = rig.schedule("+14155551001", kNow);
    ASSERT_TRUE(rig.run_until([&] { return rig.twilio.creates.size() == 1; }));
    rig.dispatchers[0]->stop();  // it claims nothing more; its dial never returns
    const auto dialed = rig.time.now();
    rig.start("worker-b");
    ASSERT_TRUE(rig.run_until([&] { return !rig.recipient(id).call_sid.empty(); }));
    EXPECT_EQ(rig.recipient(id).call_sid, FakeCalls::sid(1)) << "adopted, not dialed again";
    EXPECT_GE(rig.time.now() - dialed, rig.options.request_timeout) << "not before the lease ran out";
    rig.run_until([] { return false; }, 1h);
    EXPECT_EQ(rig.twilio.creates.size(), 1u);
}

}  // namespace
}  // namespace va::dispatch::test
