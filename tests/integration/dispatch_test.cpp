// `voiceagent serve` dialing through `voiceagent sim`, both real processes: a scheduled call is
// dialed, its recipients reach the simulator's final states, and no phone number reaches the log.
#include <signal.h>

#include <gtest/gtest.h>

#include "dispatch_process.hpp"

namespace va::test {
namespace {

using namespace std::chrono_literals;

TEST(DispatchBinary, DialsAScheduledCallThroughTheSimulator) {
    TempDir dir;
    SimProcess sim(dir, R"({"callsPerSecond": 100, "default": {"ringSeconds": 0.05, "hangupAfterSeconds": 1},
                           "numbers": {"+14155552672": {"outcome": "busy"}}})");
    ServeProcess serve(dir, sim, {"--calls-per-second", "10"});
    auto id = serve.schedule_now({"+1 415 555 2671", "+14155552672"});
    ASSERT_TRUE(eventually([&] { return serve.scheduled_call(id)->at("status") == "completed"; }, 30s))
        << boost::json::serialize(*serve.scheduled_call(id));

    auto call = *serve.scheduled_call(id);
    const auto& recipients = call.at("recipients").as_array();
    EXPECT_EQ(recipients[0].at("status"), "completed");
    EXPECT_EQ(recipients[1].at("status"), "busy");
    for (const auto& number : {"+14155552671", "+14155552672"}) {
        auto calls = sim.calls_to(number);
        ASSERT_EQ(calls.size(), 1u) << number;
        EXPECT_EQ(calls[0].at("from"), "+15005550006");
    }
    EXPECT_EQ(recipients[0].at("callSid"), sim.calls_to("+14155552671")[0].at("sid"));

    auto logs = serve.api("GET", "/api/call-logs?scheduledCallId=" + id);
    ASSERT_EQ(logs.at("items").as_array().size(), 2u);
    for (const auto& l : logs.at("items").as_array()) {
        if (l.at("to") != "+14155552671") continue;
        EXPECT_TRUE(l.at("streamSid").is_string()) << "the answered call streamed: " << boost::json::serialize(l);
        EXPECT_TRUE(l.at("streamEndedAt").is_string());
    }

    serve.process().signal(SIGTERM);
    EXPECT_EQ(serve.process().wait(), 0);
    auto log = serve.process().read_all_stderr();
    EXPECT_EQ(log.find("4155552671"), std::string::npos) << "phone numbers must not be logged";
    EXPECT_EQ(log.find(kSimToken), std::string::npos) << "secrets must not be logged";
}

TEST(DispatchBinary, ThreeWorkerProcessesOnOneFileCallEachRecipientOnce) {
    TempDir dir;
    SimProcess sim(dir, R"({"callsPerSecond": 1000, "default": {"ringSeconds": 0, "outcome": "busy"}})");
    const std::vector<std::string> flags{"--calls-per-second", "20", "--dispatch-sweep-seconds", "1"};
    ServeProcess first(dir, sim, flags), second(dir, sim, flags), third(dir, sim, flags);
    std::vector<std::string> numbers;
    for (int i = 0; i < 30; ++i) numbers.push_back("+1415555" + std::to_string(3000 + i));
    // Scheduled through one worker: the others find the work through their sweeps and leases.
    auto id = first.schedule_now(numbers);
    ASSERT_TRUE(eventually([&] { return third.scheduled_call(id)->at("status") == "completed"; }, 60s));
    for (const auto& number : numbers) EXPECT_EQ(sim.calls_to(number).size(), 1u) << number;
    for (auto* worker : {&first, &second, &third}) {
        worker->process().signal(SIGTERM);
        EXPECT_EQ(worker->process().wait(), 0);
    }
}

TEST(DispatchBinary, IncompleteTwilioSettingsAreRefused) {
    TempDir dir;
    Process serve(voiceagent_binary(), {"serve", "--listen", "127.0.0.1:0", "--db", "sqlite:" + dir.file("x.db"),
                                        "--twilio-account-sid", kSimAccount});
    EXPECT_EQ(serve.wait(), 2);
    EXPECT_NE(serve.read_all_stderr().find("TWILIO_FROM_NUMBER"), std::string::npos);
}

}  // namespace
}  // namespace va::test
