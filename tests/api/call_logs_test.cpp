#include <gtest/gtest.h>

#include "api_harness.hpp"
#include "core/id.hpp"

namespace va::api::test {
namespace {

store::CallLog log_for(const std::string& call_id, const std::string& to, const std::string& status,
                       core::TimePoint at) {
    store::CallLog log;
    log.id = core::new_object_id(at);
    log.scheduled_call_id = call_id;
    log.to = to;
    log.from = "+15005550006";
    log.call_sid = "CA0123456789abcdef0123456789abcdef";
    log.status = status;
    log.duration = 42;
    log.transcript = {{"agent", "Hello!", at, at + std::chrono::seconds(1), false, std::nullopt},
                      {"callee", "Hi", at + std::chrono::seconds(2), at + std::chrono::seconds(3), true, std::nullopt},
                      {"callee", "mm-hm", at + std::chrono::seconds(3), at + std::chrono::seconds(4), false, std::nullopt,
                       /*backchannel=*/true},
                      {"agent", "Hi!", at + std::chrono::seconds(4), at + std::chrono::seconds(5), false,
                       store::TurnLatency{600, 650, 660, std::nullopt}}};
    log.created_at = log.updated_at = at;
    return log;
}

TEST(CallLogsApi, ListsWithFiltersAndGetsOne) {
    ApiHarness api;
    auto& logs = api.store().call_logs();
    logs.create(log_for("call-a", "+14155552671", "completed", kNow));
    logs.create(log_for("call-a", "+14155552672", "busy", kNow + std::chrono::seconds(1)));
    auto last = log_for("call-b", "+14155552671", "completed", kNow + std::chrono::seconds(2));
    logs.create(last);

    auto all = api.call("GET", "/api/call-logs");
    ASSERT_EQ(all.status, 200u);
    EXPECT_EQ(all.json.at("items").as_array().size(), 3u);
    EXPECT_EQ(all.json.at("items").at(0).at("id"), boost::json::value(last.id));

    EXPECT_EQ(api.call("GET", "/api/call-logs?scheduledCallId=call-a").json.at("items").as_array().size(), 2u);
    EXPECT_EQ(api.call("GET", "/api/call-logs?status=busy").json.at("items").as_array().size(), 1u);
    // Any spelling of the number finds its E.164 form.
    EXPECT_EQ(api.call("GET", "/api/call-logs?phoneNumber=%2B1%20415-555-2671").json.at("items").as_array().size(), 2u);

    auto one = api.call("GET", "/api/call-logs/" + last.id);
    ASSERT_EQ(one.status, 200u);
    EXPECT_EQ(one.json.at("duration"), 42);
    EXPECT_EQ(one.json.at("transcript").at(1).at("interrupted"), true);
    EXPECT_EQ(one.json.at("transcript").at(0).at("startedAt"), "2026-11-25T12:00:02.000Z");
    EXPECT_TRUE(one.json.at("answeredAt").is_null());
    EXPECT_FALSE(one.json.at("transcript").at(0).as_object().contains("latency"));
    EXPECT_EQ(one.json.at("transcript").at(1).at("backchannel"), false);
    EXPECT_EQ(one.json.at("transcript").at(2).at("backchannel"), true);
    const auto& latency = one.json.at("transcript").at(3).at("latency");
    EXPECT_EQ(latency.at("sttFinalMs"), 600);
    EXPECT_EQ(latency.at("ttsFirstAudioMs"), 660);
    EXPECT_TRUE(latency.at("voiceToVoiceMs").is_null());
    EXPECT_TRUE(one.json.at("engines").is_null()) << "no conversation was saved";
}

// Calls made before the policy changed, or to numbers it now refuses, can still be looked up.
TEST(CallLogsApi, FindsNumbersTheDialingPolicyWouldRefuse) {
    ApiHarness api({}, core::PhonePolicy{"", {"US"}, false});
    api.store().call_logs().create(log_for("call-a", "+442071838750", "completed", kNow));
    api.store().call_logs().create(log_for("call-b", "+19005550123", "completed", kNow));
    EXPECT_EQ(api.call("GET", "/api/call-logs?phoneNumber=%2B442071838750").json.at("items").as_array().size(), 1u);
    EXPECT_EQ(api.call("GET", "/api/call-logs?phoneNumber=%2B19005550123").json.at("items").as_array().size(), 1u);
}

TEST(CallLogsApi, RefusesBadFiltersAndUnknownIds) {
    ApiHarness api;
    EXPECT_EQ(api.call("GET", "/api/call-logs?phoneNumber=banana").error_field(), "phoneNumber");
    EXPECT_EQ(api.call("GET", "/api/call-logs?to=%2B14155552671").error_code(), "unknown_parameter");
    EXPECT_EQ(api.call("GET", "/api/call-logs?limit=-1").status, 400u);
    EXPECT_EQ(api.call("GET", "/api/call-logs/abc").status, 404u);
}

}  // namespace
}  // namespace va::api::test

namespace va::api::test {
namespace {

const std::string kReaderToken = "reader-0123456789abcdef0123456789abcd";
const std::string kFullToken = "full-0123456789abcdef0123456789abcdef0";

TEST(CallLogsApi, LiveCallsAreTheAnsweredOnesWithTheirLastTurnsTextForTranscriptsOnly) {
    ApiOptions options;
    options.tokens = {{kReaderToken, kRead}, {kFullToken, kAllScopes}};
    ApiHarness api(options);
    auto& logs = api.store().call_logs();
    auto live = log_for("call-a", "+14155552671", "in-progress", kNow);
    live.answered_at = kNow;
    logs.create(live);
    logs.create(log_for("call-a", "+14155552672", "completed", kNow + std::chrono::seconds(1)));
    logs.create(log_for("call-b", "+14155552673", "ringing", kNow + std::chrono::seconds(2)));

    auto full = api.call("GET", "/api/live-calls", "", {{"Authorization", "Bearer " + kFullToken}});
    ASSERT_EQ(full.status, 200u) << boost::json::serialize(full.json);
    const auto& items = full.json.at("items").as_array();
    ASSERT_EQ(items.size(), 1u) << "answered and not ended: only the in-progress one";
    EXPECT_EQ(items[0].at("callLogId"), boost::json::value(live.id));
    EXPECT_EQ(items[0].at("scheduledCallId"), "call-a");
    EXPECT_EQ(items[0].at("answeredAt"), "2026-11-25T12:00:00.000Z");
    EXPECT_EQ(items[0].at("lastTurn").at("role"), "agent");
    EXPECT_EQ(items[0].at("lastTurn").at("text"), "Hi!");
    EXPECT_TRUE(full.json.at("nextCursor").is_null());

    auto reader = api.call("GET", "/api/live-calls", "", {{"Authorization", "Bearer " + kReaderToken}});
    EXPECT_TRUE(reader.json.at("items").at(0).at("lastTurn").at("text").is_null()) << "no scope transcripts";
    EXPECT_EQ(api.call("GET", "/api/live-calls?status=x", "", {{"Authorization", "Bearer " + kFullToken}}).error_code(),
              "unknown_parameter");
}

TEST(CallLogsApi, HangUpAsksTwilioForALiveCallOnly) {
    ApiHarness api;
    auto& logs = api.store().call_logs();
    auto live = log_for("call-a", "+14155552671", "in-progress", kNow);
    logs.create(live);
    auto ended = log_for("call-a", "+14155552672", "completed", kNow);
    logs.create(ended);

    EXPECT_EQ(api.call("POST", "/api/call-logs/" + live.id + "/hangup").error_code(), "unavailable")
        << "without Twilio";
    std::vector<std::string> hung_up;
    api.context().hang_up_call = [&](const std::string& sid) { hung_up.push_back(sid); };
    auto reply = api.call("POST", "/api/call-logs/" + live.id + "/hangup");
    EXPECT_EQ(reply.status, 202u);
    EXPECT_EQ(reply.json.at("id"), boost::json::value(live.id));
    EXPECT_EQ(hung_up, std::vector<std::string>{live.call_sid});

    auto refused = api.call("POST", "/api/call-logs/" + ended.id + "/hangup");
    EXPECT_EQ(refused.status, 409u);
    EXPECT_EQ(refused.error_code(), "not_live");
    EXPECT_EQ(api.call("POST", "/api/call-logs/nope/hangup").status, 404u);
    EXPECT_EQ(api.call("POST", "/api/call-logs/" + live.id + "/hangup", "{}").status, 422u);
    EXPECT_EQ(hung_up.size(), 1u);
}

}  // namespace
}  // namespace va::api::test
