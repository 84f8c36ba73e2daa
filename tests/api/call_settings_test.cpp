// A scheduled call's optional settings: its own retry policy and calling window, and the 422s
// for every way of getting them wrong (nothing is scheduled then).
#include <gtest/gtest.h>

#include "api_harness.hpp"

namespace va::api::test {
namespace {

std::string with(const std::string& prompt_id, const std::string& extra,
                 const std::string& numbers = R"(["+14155552671"])") {
    return R"({"toPhoneNumbers":)" + numbers + R"(,"promptId":")" + prompt_id +
           R"(","scheduledDateTime":"2026-11-25T13:00:00Z",)" + extra + "}";
}

TEST(CallSettingsApi, StoresTheRetryPolicyAndCallingWindow) {
    ApiHarness api;
    auto prompt = api.make_prompt();
    auto reply = api.call("POST", "/api/scheduled-calls",
                          with(prompt,
                               R"("retry":{"maxAttempts":3,"delaySeconds":600},)"
                               R"("callWindow":{"start":"09:00","end":"20:30","timeZone":"America/New_York",)"
                               R"("recipientTimeZones":{"+44 20 7183 8750":"Europe/London"}})",
                               R"(["+14155552671","+442071838750"])"));
    ASSERT_EQ(reply.status, 201u) << boost::json::serialize(reply.json);
    auto id = std::string(reply.json.at("id").as_string());
    auto fetched = api.call("GET", "/api/scheduled-calls/" + id).json;
    EXPECT_EQ(fetched.at("retry"), boost::json::parse(R"({"maxAttempts":3,"delaySeconds":600})"));
    EXPECT_EQ(fetched.at("callWindow"),
              boost::json::parse(R"({"start":"09:00","end":"20:30","timeZone":"America/New_York",)"
                                 R"("recipientTimeZones":{"+442071838750":"Europe/London"}})"));
    auto stored = api.store().scheduled_calls().get(id);
    ASSERT_TRUE(stored->call_window);
    EXPECT_EQ(stored->call_window->zone_for("+442071838750"), "Europe/London");
    EXPECT_EQ(stored->call_window->zone_for("+14155552671"), "America/New_York");
    EXPECT_EQ(stored->retry, (store::RetryPolicy{3, std::chrono::seconds(600)}));
}

TEST(CallSettingsApi, WithoutThemTheServerDefaultsApply) {
    ApiHarness api;
    auto plain = api.call("POST", "/api/scheduled-calls",
                          R"({"toPhoneNumbers":["+14155552671"],"promptId":")" + api.make_prompt() +
                              R"(","scheduledDateTime":"2026-11-25T13:00:00Z"})");
    ASSERT_EQ(plain.status, 201u);
    EXPECT_TRUE(plain.json.at("retry").is_null());
    EXPECT_TRUE(plain.json.at("callWindow").is_null());
}

struct BadSetting {
    std::string extra;
    std::string code;
    std::string field;
};

class CallSettingsBadInput : public ::testing::TestWithParam<BadSetting> {};

TEST_P(CallSettingsBadInput, IsRefusedWith422AndSchedulesNothing) {
    ApiHarness api;
    auto reply = api.call("POST", "/api/scheduled-calls", with(api.make_prompt(), GetParam().extra));
    ASSERT_EQ(reply.status, 422u) << boost::json::serialize(reply.json);
    EXPECT_EQ(reply.error_code(), GetParam().code);
    EXPECT_EQ(reply.error_field(), GetParam().field);
    EXPECT_EQ(api.call("GET", "/api/scheduled-calls").json.at("items").as_array().size(), 0u);
}

INSTANTIATE_TEST_SUITE_P(
    Cases, CallSettingsBadInput,
    ::testing::Values(
        BadSetting{R"("retry":3)", "wrong_type", "retry"},
        BadSetting{R"("retry":{"maxAttempts":0,"delaySeconds":60})", "invalid_value", "retry.maxAttempts"},
        BadSetting{R"("retry":{"maxAttempts":11,"delaySeconds":60})", "invalid_value", "retry.maxAttempts"},
        BadSetting{R"("retry":{"maxAttempts":2,"delaySeconds":5})", "invalid_value", "retry.delaySeconds"},
        BadSetting{R"("retry":{"maxAttempts":2})", "missing_field", "retry.delaySeconds"},
        BadSetting{R"("retry":{"maxAttempts":2.5,"delaySeconds":60})", "wrong_type", "retry.maxAttempts"},
        BadSetting{R"("retry":{"maxAttempts":2,"delaySeconds":60,"jitter":true})", "unknown_field", "retry.jitter"},
        BadSetting{R"("callWindow":"9-5")", "wrong_type", "callWindow"},
        BadSetting{R"("callWindow":{"end":"17:00"})", "missing_field", "callWindow.start"},
        BadSetting{R"("callWindow":{"start":"9:00","end":"17:00"})", "invalid_value", "callWindow.start"},
        BadSetting{R"("callWindow":{"start":"09:00","end":"24:00"})", "invalid_value", "callWindow.end"},
        BadSetting{R"("callWindow":{"start":"09:00","end":"09:00"})", "invalid_value", "callWindow.end"},
        BadSetting{R"("callWindow":{"start":"09:00","end":"17:00","timeZone":"Mars/Olympus"})", "invalid_value",
                   "callWindow.timeZone"},
        BadSetting{R"("callWindow":{"start":"09:00","end":"17:00","timeZone":"../../etc/passwd"})", "invalid_value",
                   "callWindow.timeZone"},
        BadSetting{R"("callWindow":{"start":"09:00","end":"17:00","recipientTimeZones":{"+33 1 23 45 67 89":"Europe/Paris"}})",
                   "invalid_value", "callWindow.recipientTimeZones.+33 1 23 45 67 89"},
        BadSetting{R"("callWindow":{"start":"09:00","end":"17:00","days":"weekdays"})", "unknown_field",
                   "callWindow.days"},
        // Hawaii to New York share no hour of 09:00-12:00: without a zone, nobody could be called.
        BadSetting{R"("callWindow":{"start":"09:00","end":"12:00"})", "invalid_value", "callWindow"}));

}  // namespace
}  // namespace va::api::test
