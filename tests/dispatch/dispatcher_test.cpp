// The dispatcher end to end against the phone simulator (real sockets, real time, short timings):
// on-time dials, what Twilio is sent, several workers on one file, every REST fault, callback
// faults, redial policy, and a worker that died mid-dial. The simulator's call list is the witness:
// a number in it twice is a person called twice.
#include <algorithm>
#include <set>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/use_future.hpp>
#include <gtest/gtest.h>

#include "dispatch/hang_up.hpp"
#include "dispatch_harness.hpp"
#include "telephony/twilio/form.hpp"

namespace va::dispatch::test {
namespace {

using namespace std::chrono_literals;
using store::CallStatus;
using store::RecipientStatus;

constexpr const char* kAnswerAndHangUp = R"({"callsPerSecond": 100, "default": {"ringSeconds": 0.05}})";


TEST(Dispatcher, DialsOnTimeWithTheUrlsAndEventsOfTheContract) {
    DispatchHarness h(kAnswerAndHangUp);
    auto due = h.clock().now() + 400ms;
    auto id = h.schedule({"+14155552671"}, due);
    ASSERT_TRUE(h.wait_for_completed(id));

    auto calls = h.sim().calls();
    ASSERT_EQ(calls.size(), 1u);
    const auto& call = calls[0];
    // RFC 2822 dates have whole seconds, so lateness is measured on the simulator's record.
    EXPECT_GE(call.date_created, due);
    EXPECT_LT(call.date_created, due + 1s);
    EXPECT_EQ(call.from, kFrom);
    EXPECT_EQ(call.status, "completed");
    EXPECT_EQ(call.status_callback_events, (std::set<std::string>{"initiated", "ringing", "answered", "completed"}));
    EXPECT_EQ(call.timeout_s, 5);
    EXPECT_EQ(call.time_limit_s, 60);
    auto attempt = id + "-0-1";
    EXPECT_TRUE(call.url.ends_with("/webhooks/twilio/incoming?scheduled_call_id=" + id +
                                   "&is_scheduled=true&attempt=" + attempt))
        << call.url;
    EXPECT_TRUE(call.status_callback.ends_with("/webhooks/twilio/status?attempt=" + attempt)) << call.status_callback;
    ASSERT_EQ(h.voice_webhook_queries().size(), 1u);

    auto scheduled = h.store().scheduled_calls().get(id);
    const auto& r = scheduled->recipients.at(0);
    EXPECT_EQ(r.status, RecipientStatus::completed);
    EXPECT_EQ(r.attempt, 1);
    EXPECT_EQ(r.call_sid, call.sid);
    ASSERT_TRUE(r.dialed_at);
    EXPECT_GE(*r.dialed_at, due);

    store::CallLogQuery q;
    q.scheduled_call_id = id;
    auto logs = h.store().call_logs().list(q).items;
    ASSERT_EQ(logs.size(), 1u);
    EXPECT_EQ(logs[0].call_sid, call.sid);
    EXPECT_EQ(logs[0].status, "completed");
    EXPECT_EQ(logs[0].to, "+14155552671");
    EXPECT_EQ(logs[0].from, kFrom);
    EXPECT_EQ(logs[0].attempt_id, attempt);
    EXPECT_TRUE(logs[0].answered_at);
    EXPECT_TRUE(logs[0].ended_at);
    EXPECT_TRUE(logs[0].duration);
}

TEST(Dispatcher, ThreeWorkersOnOneFileDialEachRecipientOnceWithinTheRate) {
    DispatchHarness h(kAnswerAndHangUp, 3);
    auto recipients = numbers(24);
    auto id = h.schedule(recipients, h.clock().now() + 200ms);
    ASSERT_TRUE(h.wait_for_completed(id));
    for (const auto& n : recipients) EXPECT_EQ(h.calls_to(n), 1u) << n;
    EXPECT_EQ(h.sim().calls().size(), recipients.size());

    auto requests = h.sim().create_requests();
    ASSERT_EQ(requests.size(), recipients.size());
    expect_within_rate(requests, 20);
}

TEST(Dispatcher, LostAnswersAreReconciledWithoutASecondCall) {
    DispatchHarness h(R"({"callsPerSecond": 100, "default": {"ringSeconds": 0.05},
        "numbers": {"+14155551001": {"restFault": {"mode": "500-placed", "count": 1}},
                    "+14155551002": {"restFault": {"mode": "drop", "count": 1}},
                    "+14155551003": {"restFault": {"mode": "delay", "delayMs": 1500, "count": 1}}}})");
    auto recipients = numbers(3);
    auto id = h.schedule(recipients, h.clock().now());
    ASSERT_TRUE(h.wait_for_completed(id));
    auto call = h.store().scheduled_calls().get(id);
    for (std::size_t i = 0; i < recipients.size(); ++i) {
        EXPECT_EQ(h.calls_to(recipients[i]), 1u) << recipients[i];
        EXPECT_EQ(call->recipients[i].status, RecipientStatus::completed) << recipients[i];
        EXPECT_EQ(call->recipients[i].attempt, 1) << recipients[i];  // adopted, not redialed
    }
}

TEST(Dispatcher, ALostAnswerIsReconciledOnTwiliosClockWhenItRunsAheadOrBehind) {
    for (const int offset_ms : {30'000, -30'000}) {
        SCOPED_TRACE(offset_ms);
        DispatchHarness h(R"({"callsPerSecond": 100, "clockOffsetMs": )" + std::to_string(offset_ms) +
                          R"(, "default": {"ringSeconds": 0.05},
            "numbers": {"+14155551001": {"restFault": {"mode": "drop", "count": 1}}}})");
        auto id = h.schedule({"+14155551001"}, h.clock().now());
        ASSERT_TRUE(h.wait_for_completed(id));
        EXPECT_EQ(h.calls_to("+14155551001"), 1u) << "never a second call";
        auto r = h.store().scheduled_calls().get(id)->recipients.at(0);
        EXPECT_EQ(r.status, RecipientStatus::completed);
        EXPECT_EQ(r.attempt, 1) << "adopted, not redialed";
    }
}

// The simulated call to the first recipient of `id`, as the simulator has it.
std::string sim_status(DispatchHarness& h, const std::string& number) {
    auto calls = h.sim().calls();
    for (const auto& c : calls) {
        if (c.to == number) return c.status;
    }
    return "";
}

TEST(Dispatcher, CancelHangsUpARingingCallWhichEndsCanceled) {
    DispatchHarness h(R"({"callsPerSecond": 100, "default": {"ringSeconds": 30}})");
    auto id = h.schedule({"+14155551001"}, h.clock().now());
    auto recipient = [&] { return h.store().scheduled_calls().get(id)->recipients.at(0); };
    ASSERT_TRUE(h.wait_for([&] { return recipient().status == RecipientStatus::ringing; }));
    auto canceled = h.store().scheduled_calls().cancel(id, h.clock().now());
    ASSERT_EQ(canceled.result, store::ChangeResult::changed);
    hang_up_live(h.twilio(), h.io().get_executor(), *canceled.call);  // what the API's cancel does
    ASSERT_TRUE(h.wait_for([&] { return recipient().status == RecipientStatus::canceled; }, 10s));
    EXPECT_EQ(sim_status(h, "+14155551001"), "canceled") << "hung up, not left to ring for 30 s";
    EXPECT_EQ(h.store().scheduled_calls().get(id)->status, CallStatus::canceled);
    EXPECT_EQ(h.calls_to("+14155551001"), 1u);
}

TEST(Dispatcher, ACallStillBeingDialedWhenCanceledIsHungUpAtItsFirstCallback) {
    // The callbacks come half a second late: the cancel lands before the first of them.
    DispatchHarness h(R"({"callsPerSecond": 100,
        "default": {"ringSeconds": 30, "callbackFaults": {"delayMs": 500}}})");
    auto id = h.schedule({"+14155551001"}, h.clock().now());
    ASSERT_TRUE(h.wait_for([&] { return h.sim().create_requests().size() == 1; }));
    ASSERT_EQ(h.store().scheduled_calls().cancel(id, h.clock().now()).result, store::ChangeResult::changed);
    auto recipient = [&] { return h.store().scheduled_calls().get(id)->recipients.at(0); };
    ASSERT_TRUE(h.wait_for([&] { return recipient().status == RecipientStatus::canceled; }, 10s));
    EXPECT_EQ(sim_status(h, "+14155551001"), "canceled");
    EXPECT_EQ(h.calls_to("+14155551001"), 1u);
}

TEST(Dispatcher, A500ThatPlacedNothingIsDialedAgainAfterTheGracePeriod) {
    DispatchHarness h(R"({"callsPerSecond": 100, "default": {"ringSeconds": 0.05},
        "numbers": {"+14155551001": {"restFault": {"mode": "500", "count": 1}}}})");
    auto id = h.schedule({"+14155551001"}, h.clock().now());
    ASSERT_TRUE(h.wait_for_completed(id));
    auto r = h.store().scheduled_calls().get(id)->recipients.at(0);
    EXPECT_EQ(h.calls_to("+14155551001"), 1u);
    EXPECT_EQ(r.status, RecipientStatus::completed);
    EXPECT_EQ(r.attempt, 2);
    EXPECT_EQ(h.sim().create_requests().size(), 2u);
}

TEST(Dispatcher, ThrottledRequestsAreRetriedInNewSlots) {
    DispatchHarness h(R"({"callsPerSecond": 100, "default": {"ringSeconds": 0.05, "restFault": {"mode": "429", "count": 3}}})");
    auto recipients = numbers(4);
    auto id = h.schedule(recipients, h.clock().now());
    ASSERT_TRUE(h.wait_for_completed(id));
    for (const auto& n : recipients) EXPECT_EQ(h.calls_to(n), 1u) << n;
    auto requests = h.sim().create_requests();
    EXPECT_EQ(requests.size(), 16u);  // 3 × 429 + 1 × 201 per number
    expect_within_rate(requests, 20);
    auto call = h.store().scheduled_calls().get(id);
    for (const auto& r : call->recipients) EXPECT_EQ(r.attempt, 1);  // a 429 is the same attempt
}

TEST(Dispatcher, RefusalsFailTheRecipientWithTwiliosCode) {
    DispatchHarness h(R"({"callsPerSecond": 100, "geoBlockedPrefixes": ["+882"], "default": {"ringSeconds": 0.05}})");
    auto id = h.schedule({"+88212345678", "+14155551001"}, h.clock().now());
    ASSERT_TRUE(h.wait_for_completed(id));
    auto call = h.store().scheduled_calls().get(id);
    EXPECT_EQ(call->recipients[0].status, RecipientStatus::failed);
    EXPECT_EQ(call->recipients[0].error_code, 21215);
    EXPECT_FALSE(call->recipients[0].error_message.empty());
    EXPECT_EQ(call->recipients[1].status, RecipientStatus::completed);
    EXPECT_EQ(h.sim().create_requests().size(), 2u);  // no retry of the refusal
}

TEST(Dispatcher, BusyIsRedialedUnderTheRetryPolicy) {
    DispatchHarness h(R"({"callsPerSecond": 100, "default": {"ringSeconds": 0.05, "outcome": "busy"}})");
    auto id = h.schedule({"+14155551001"}, h.clock().now(), store::RetryPolicy{3, 1s});
    ASSERT_TRUE(h.wait_for_completed(id));
    auto r = h.store().scheduled_calls().get(id)->recipients.at(0);
    EXPECT_EQ(r.status, RecipientStatus::busy);
    EXPECT_EQ(r.attempt, 3);
    EXPECT_EQ(h.calls_to("+14155551001"), 3u);
    store::CallLogQuery q;
    q.scheduled_call_id = id;
    auto logs = h.store().call_logs().list(q).items;
    ASSERT_EQ(logs.size(), 3u);
    for (const auto& log : logs) EXPECT_EQ(log.status, "busy");
}

TEST(Dispatcher, CallbackFaultsStillEndInTheSimulatorsFinalStates) {
    DispatchHarness h(R"({"callsPerSecond": 100, "default": {"ringSeconds": 0.05},
        "numbers": {"+14155551001": {"callbackFaults": {"duplicate": true}},
                    "+14155551002": {"callbackFaults": {"reorder": true}},
                    "+14155551003": {"callbackFaults": {"drop": ["completed"]}},
                    "+14155551004": {"outcome": "no-answer", "callbackFaults": {"drop": ["initiated", "ringing", "completed"]}},
                    "+14155551005": {"outcome": "busy", "callbackFaults": {"reorder": true, "duplicate": true}}}})");
    auto recipients = numbers(5);
    auto id = h.schedule(recipients, h.clock().now());
    // Dropped final callbacks are found by the overdue check: ring timeout (5 s) + margin.
    ASSERT_TRUE(h.wait_for_completed(id, 30s));
    auto call = h.store().scheduled_calls().get(id);
    auto sim_calls = h.sim().calls();
    for (std::size_t i = 0; i < recipients.size(); ++i) {
        auto it = std::find_if(sim_calls.begin(), sim_calls.end(), [&](const auto& c) { return c.to == recipients[i]; });
        ASSERT_NE(it, sim_calls.end());
        EXPECT_EQ(store::to_string(call->recipients[i].status), it->status) << recipients[i];
        EXPECT_EQ(call->recipients[i].call_sid, it->sid);
        EXPECT_EQ(h.calls_to(recipients[i]), 1u);
    }
}

TEST(Dispatcher, AnAttemptLeftMidDialByADeadWorkerIsAdoptedOrRedialedOnce) {
    DispatchHarness h(kAnswerAndHangUp, 0);
    auto now = h.clock().now();
    auto id = h.schedule({"+14155551001", "+14155551002"}, now);
    // The dead worker claimed both with a short lease; it placed a call for the first only.
    store::ClaimRequest request;
    request.owner = "dead";
    request.now = now;
    request.lease = 100ms;
    request.slot_interval = 1ms;
    request.lookahead = 10ms;
    auto claims = h.store().dispatch().claim(request).claims;
    ASSERT_EQ(claims.size(), 2u);
    auto placed = [&]() -> boost::asio::awaitable<twilio::CallResult> {
        twilio::CreateCallRequest r;
        r.to = "+14155551001";
        r.from = kFrom;
        r.twiml = "<Response><Hangup/></Response>";
        co_return co_await h.twilio().create_call(r);
    };
    auto future = boost::asio::co_spawn(h.io(), placed(), boost::asio::use_future);
    ASSERT_EQ(future.get().outcome, twilio::RestOutcome::ok);

    h.add_worker();
    h.start_workers();
    ASSERT_TRUE(h.wait_for_completed(id));
    auto call = h.store().scheduled_calls().get(id);
    EXPECT_EQ(h.calls_to("+14155551001"), 1u);  // adopted
    EXPECT_EQ(call->recipients[0].attempt, 1);
    EXPECT_EQ(call->recipients[0].status, RecipientStatus::completed);
    EXPECT_EQ(h.calls_to("+14155551002"), 1u);  // not placed: dialed after the grace period
    EXPECT_EQ(call->recipients[1].attempt, 2);
    EXPECT_EQ(call->recipients[1].status, RecipientStatus::completed);
}

// A window that opens an hour from now (in UTC): nobody is dialed, the recipient waits for it.
TEST(Dispatcher, WaitsForTheCallingWindow) {
    DispatchHarness h(kAnswerAndHangUp);
    auto now = h.clock().now();
    auto minute_of_day = [](core::TimePoint t) {
        return static_cast<int>(std::chrono::duration_cast<std::chrono::minutes>(t - std::chrono::floor<std::chrono::days>(t)).count());
    };
    store::CallingWindow window{minute_of_day(now + 1h), minute_of_day(now + 2h), "UTC", {}};
    auto id = h.schedule({"+14155551001"}, now, std::nullopt, window);
    auto opens = std::chrono::floor<std::chrono::minutes>(now + 1h);
    ASSERT_TRUE(h.wait_for([&] {
        auto r = h.store().scheduled_calls().get(id)->recipients.at(0);
        return r.status == RecipientStatus::pending && r.next_attempt_at == opens;
    }));
    EXPECT_EQ(h.sim().create_requests().size(), 0u);
    EXPECT_EQ(h.store().scheduled_calls().get(id)->recipients.at(0).attempt, 0);

    // Inside the window, the same recipient is dialed at once.
    store::CallingWindow open_now{minute_of_day(now - 1min), minute_of_day(now + 1h), "UTC", {}};
    auto other = h.schedule({"+14155551002"}, now, std::nullopt, open_now);
    ASSERT_TRUE(h.wait_for_completed(other));
    EXPECT_EQ(h.calls_to("+14155551002"), 1u);
}

}  // namespace
}  // namespace va::dispatch::test
