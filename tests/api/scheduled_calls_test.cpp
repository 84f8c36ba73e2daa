#include <future>
#include <thread>

#include <gtest/gtest.h>

#include "api/openapi.hpp"
#include "api_harness.hpp"

namespace va::api::test {
namespace {

std::string body(const std::string& prompt_id, const std::string& numbers = R"(["+14155552671"])",
                 const std::string& when = "2026-11-25T13:00:00Z") {
    return R"({"toPhoneNumbers":)" + numbers + R"(,"promptId":")" + prompt_id + R"(","scheduledDateTime":")" + when +
           R"("})";
}

size_t count_calls(ApiHarness& api) {
    return api.call("GET", "/api/scheduled-calls?limit=200").json.at("items").as_array().size();
}

TEST(ScheduledCallsApi, CreatesAPendingCallWithASnapshotAndOneEntryPerRecipient) {
    ApiHarness api;
    auto prompt = api.make_prompt();
    auto reply = api.call("POST", "/api/scheduled-calls",
                          body(prompt, R"(["+1 (415) 555-2671", "+44 20 7183 8750", "+14155552671"])",
                               "2026-11-25T14:30:00+01:00"));
    ASSERT_EQ(reply.status, 201u) << boost::json::serialize(reply.json);
    const auto& call = reply.json.as_object();
    EXPECT_EQ(call.at("status"), "pending");
    EXPECT_EQ(call.at("promptId"), boost::json::value(prompt));
    EXPECT_EQ(call.at("content"), "You are a polite assistant.");
    EXPECT_EQ(call.at("introduction"), "Hello!");
    EXPECT_EQ(call.at("scheduledDateTime"), "2026-11-25T13:30:00.000Z");
    // E.164, duplicates removed, request order kept.
    EXPECT_EQ(boost::json::serialize(call.at("toPhoneNumbers")), R"(["+14155552671","+442071838750"])");
    const auto& recipients = call.at("recipients").as_array();
    ASSERT_EQ(recipients.size(), 2u);
    EXPECT_EQ(recipients[1].at("phoneNumber"), "+442071838750");
    EXPECT_EQ(recipients[1].at("status"), "pending");
    EXPECT_EQ(recipients[1].at("attempt"), 0);

    auto id = std::string(call.at("id").as_string());
    auto fetched = api.call("GET", "/api/scheduled-calls/" + id);
    EXPECT_EQ(fetched.status, 200u);
    EXPECT_EQ(fetched.json, reply.json);
}

TEST(ScheduledCallsApi, TellsTheDispatcherAboutNewCalls) {
    ApiHarness api;
    std::vector<std::string> told;
    api.context().on_schedule_changed = [&](const store::ScheduledCall& c) { told.push_back(c.id); };
    auto reply = api.call("POST", "/api/scheduled-calls", body(api.make_prompt()));
    ASSERT_EQ(told.size(), 1u);
    EXPECT_EQ(boost::json::value(told[0]), reply.json.at("id"));
}

TEST(ScheduledCallsApi, DeletingThePromptLeavesTheSnapshot) {
    ApiHarness api;
    auto prompt = api.make_prompt();
    auto id = std::string(api.call("POST", "/api/scheduled-calls", body(prompt)).json.at("id").as_string());
    ASSERT_EQ(api.call("DELETE", "/api/prompts/" + prompt).status, 204u);
    auto call = api.call("GET", "/api/scheduled-calls/" + id);
    EXPECT_EQ(call.json.at("content"), "You are a polite assistant.");
    EXPECT_EQ(call.json.at("promptId"), boost::json::value(prompt));
}

TEST(ScheduledCallsApi, ATimeUpToFiveMinutesAgoMeansNow) {
    ApiHarness api;
    auto reply = api.call("POST", "/api/scheduled-calls", body(api.make_prompt(), R"(["+14155552671"])",
                                                                "2026-11-25T11:56:00Z"));
    ASSERT_EQ(reply.status, 201u);
    EXPECT_EQ(reply.json.at("scheduledDateTime"), "2026-11-25T12:00:00.000Z");
}

struct BadCall {
    std::string name;
    std::string numbers;
    std::string when;
    std::string code;
    std::string field;
};

class ScheduledCallBadInput : public ::testing::TestWithParam<BadCall> {};

TEST_P(ScheduledCallBadInput, IsRefusedWith422AndSchedulesNothing) {
    ApiHarness api;
    const auto& p = GetParam();
    auto reply = api.call("POST", "/api/scheduled-calls", body(api.make_prompt(), p.numbers, p.when));
    EXPECT_EQ(reply.status, 422u);
    EXPECT_EQ(reply.error_code(), p.code);
    EXPECT_EQ(reply.error_field(), p.field);
    EXPECT_EQ(count_calls(api), 0u);
}

std::string many_numbers(int n) {
    std::string out = "[";
    for (int i = 0; i < n; ++i) out += (i ? ",\"" : "\"") + std::string("+1415") + std::to_string(2000000 + i) + "\"";
    return out + "]";
}

const auto kWhen = std::string("2026-11-25T13:00:00Z");

INSTANTIATE_TEST_SUITE_P(
    Cases, ScheduledCallBadInput,
    ::testing::Values(
        BadCall{"InvalidNumber", R"(["+14155552671","+1 555 0000"])", kWhen, "invalid_phone_number",
                "toPhoneNumbers[1]"},
        BadCall{"Garbage", R"(["call me"])", kWhen, "invalid_phone_number", "toPhoneNumbers[0]"},
        BadCall{"NoCountryCode", R"(["(415) 555-2671"])", kWhen, "invalid_phone_number", "toPhoneNumbers[0]"},
        BadCall{"PremiumRate", R"(["+19005550123"])", kWhen, "invalid_phone_number", "toPhoneNumbers[0]"},
        BadCall{"SharedCost", R"(["+33810123456"])", kWhen, "invalid_phone_number", "toPhoneNumbers[0]"},
        BadCall{"NoRecipients", "[]", kWhen, "invalid_value", "toPhoneNumbers"},
        BadCall{"TooManyRecipients", many_numbers(10'001), kWhen, "invalid_value", "toPhoneNumbers"},
        BadCall{"NumbersNotAnArray", R"("+14155552671")", kWhen, "wrong_type", "toPhoneNumbers"},
        BadCall{"NumberNotAString", R"(["+14155552671", 14155552672])", kWhen, "wrong_type", "toPhoneNumbers[1]"},
        BadCall{"NaiveLocalTime", R"(["+14155552671"])", "2026-11-25T13:00:00", "invalid_date_time",
                "scheduledDateTime"},
        BadCall{"NotATime", R"(["+14155552671"])", "tomorrow", "invalid_date_time", "scheduledDateTime"},
        BadCall{"ImpossibleDate", R"(["+14155552671"])", "2026-02-30T10:00:00Z", "invalid_date_time",
                "scheduledDateTime"},
        BadCall{"SixMinutesAgo", R"(["+14155552671"])", "2026-11-25T11:54:00Z", "invalid_date_time",
                "scheduledDateTime"},
        BadCall{"OverAYearAhead", R"(["+14155552671"])", "2027-11-26T12:00:00Z", "invalid_date_time",
                "scheduledDateTime"}),
    [](const auto& test_info) { return test_info.param.name; });

TEST(ScheduledCallsApi, AcceptsTenThousandRecipients) {
    ApiHarness api;
    auto reply = api.call("POST", "/api/scheduled-calls", body(api.make_prompt(), many_numbers(10'000)));
    ASSERT_EQ(reply.status, 201u) << boost::json::serialize(reply.json);
    EXPECT_EQ(reply.json.at("recipients").as_array().size(), 10'000u);
}

// ---- recipients with variables ----

std::string prompt_with(ApiHarness& api, const std::string& content, const std::string& introduction) {
    boost::json::object p{{"name", "Campaign"}, {"content", content}, {"introduction", introduction}};
    auto reply = api.call("POST", "/api/prompts", boost::json::serialize(p));
    EXPECT_EQ(reply.status, 201u) << boost::json::serialize(reply.json);
    return std::string(reply.json.at("id").as_string());
}

std::string with_recipients(const std::string& prompt_id, const std::string& recipients, const std::string& extra = "") {
    return R"({"recipients":)" + recipients + R"(,"promptId":")" + prompt_id +
           R"(","scheduledDateTime":"2026-11-25T13:00:00Z")" + extra + "}";
}

TEST(ScheduledCallsApi, RecipientsCarryTheirVariables) {
    ApiHarness api;
    const auto prompt = prompt_with(api, "Remind {{name}}.", "Hello {{name}}, about {{day|your checkup}}.");
    auto reply = api.call("POST", "/api/scheduled-calls",
                          with_recipients(prompt, R"([{"phoneNumber":"+1 415 555 2671","variables":{"name":"Maria","day":"Tuesday"}},
                                                      {"phoneNumber":"+14155552672","variables":{"name":"Ken"}}])"));
    ASSERT_EQ(reply.status, 201u) << boost::json::serialize(reply.json);
    const auto& call = reply.json.as_object();
    EXPECT_EQ(call.at("toPhoneNumbers").as_array(), (boost::json::array{"+14155552671", "+14155552672"}));
    EXPECT_EQ(call.at("introduction"), "Hello {{name}}, about {{day|your checkup}}.") << "the snapshot keeps the template";
    const auto& recipients = call.at("recipients").as_array();
    EXPECT_EQ(recipients[0].at("variables"), (boost::json::object{{"name", "Maria"}, {"day", "Tuesday"}}));
    EXPECT_EQ(recipients[1].at("variables"), (boost::json::object{{"name", "Ken"}}));
    auto got = api.call("GET", "/api/scheduled-calls/" + std::string(call.at("id").as_string()));
    EXPECT_EQ(got.json.at("recipients").at(0).at("variables"), recipients[0].at("variables"));
}

TEST(ScheduledCallsApi, ARecipientsTimeZoneWinsOverTheWindowsList) {
    ApiHarness api;
    const auto window = R"(,"callWindow":{"start":"09:00","end":"17:00","recipientTimeZones":{"+14155552671":"America/New_York"}})";
    auto reply = api.call("POST", "/api/scheduled-calls",
                          with_recipients(api.make_prompt(), R"([{"phoneNumber":"+14155552671","timeZone":"America/Los_Angeles"}])",
                                          window));
    ASSERT_EQ(reply.status, 201u) << boost::json::serialize(reply.json);
    EXPECT_EQ(reply.json.at("callWindow").at("recipientTimeZones").at("+14155552671"), "America/Los_Angeles");
}

struct BadRecipients {
    std::string name;
    std::string content;  // the prompt's
    std::string recipients;
    std::string field;
    std::string code = "invalid_value";
};

class ScheduledCallBadRecipients : public ::testing::TestWithParam<BadRecipients> {};

TEST_P(ScheduledCallBadRecipients, IsRefusedWith422NamingTheEntryAndSchedulesNothing) {
    ApiHarness api;
    const auto& p = GetParam();
    auto reply = api.call("POST", "/api/scheduled-calls", with_recipients(prompt_with(api, p.content, "Hi"), p.recipients));
    EXPECT_EQ(reply.status, 422u) << boost::json::serialize(reply.json);
    EXPECT_EQ(reply.error_code(), p.code) << boost::json::serialize(reply.json);
    EXPECT_EQ(reply.error_field(), p.field);
    EXPECT_EQ(count_calls(api), 0u);
}

std::string many_variables(int n) {
    std::string out;
    for (int i = 0; i < n; ++i) out += (i ? ",\"v" : "\"v") + std::to_string(i) + "\":\"x\"";
    return R"([{"phoneNumber":"+14155552671","variables":{)" + out + "}}]";
}

INSTANTIATE_TEST_SUITE_P(
    Cases, ScheduledCallBadRecipients,
    ::testing::Values(
        BadRecipients{"PlaceholderWithoutValue", "Remind {{name}} of {{day}}.",
                      R"([{"phoneNumber":"+14155552671","variables":{"name":"Maria","day":"Tue"}},
                          {"phoneNumber":"+14155552672","variables":{"name":"Ken"}}])",
                      "recipients[1].variables.day"},
        BadRecipients{"DuplicateNumber", "c",
                      R"([{"phoneNumber":"+14155552671"},{"phoneNumber":"+1 415 555 2671"}])", "recipients[1].phoneNumber"},
        BadRecipients{"BadVariableName", "c", R"([{"phoneNumber":"+14155552671","variables":{"first name":"M"}}])",
                      "recipients[0].variables.first name"},
        BadRecipients{"ValueNotAString", "c", R"([{"phoneNumber":"+14155552671","variables":{"age":42}}])",
                      "recipients[0].variables.age", "wrong_type"},
        BadRecipients{"ValueTooLong", "c",
                      R"([{"phoneNumber":"+14155552671","variables":{"note":")" + std::string(501, 'x') + R"("}}])",
                      "recipients[0].variables.note"},
        BadRecipients{"TooManyVariables", "c", many_variables(33), "recipients[0].variables"},
        BadRecipients{"BadNumber", "c", R"([{"phoneNumber":"call me"}])", "recipients[0].phoneNumber",
                      "invalid_phone_number"},
        BadRecipients{"NoNumber", "c", R"([{"variables":{}}])", "recipients[0].phoneNumber", "missing_field"},
        BadRecipients{"UnknownField", "c", R"([{"phoneNumber":"+14155552671","name":"M"}])", "recipients[0].name",
                      "unknown_field"},
        BadRecipients{"BadTimeZone", "c", R"([{"phoneNumber":"+14155552671","timeZone":"Mars/Base"}])",
                      "recipients[0].timeZone"},
        BadRecipients{"NotAnArray", "c", R"({"phoneNumber":"+14155552671"})", "recipients", "wrong_type"},
        BadRecipients{"Empty", "c", "[]", "recipients"}),
    [](const auto& test_info) { return test_info.param.name; });

TEST(ScheduledCallsApi, APatchKeepsTheVariablesOfNumbersStillCalledAndNeedsThemForNewOnes) {
    ApiHarness api;
    const auto prompt = prompt_with(api, "c", "Hello {{name}}");
    auto created = api.call("POST", "/api/scheduled-calls",
                            with_recipients(prompt, R"([{"phoneNumber":"+14155552671","variables":{"name":"Maria"}},
                                                        {"phoneNumber":"+14155552672","variables":{"name":"Ken"}}])"));
    ASSERT_EQ(created.status, 201u);
    const auto url = "/api/scheduled-calls/" + std::string(created.json.at("id").as_string());
    auto added = api.call("PATCH", url, R"({"toPhoneNumbers":["+14155552672","+14155552673"]})");
    EXPECT_EQ(added.status, 422u) << "the new number has no name";
    EXPECT_EQ(added.error_field(), "toPhoneNumbers[1].variables.name");
    auto kept = api.call("PATCH", url, R"({"toPhoneNumbers":["+14155552672"]})");
    ASSERT_EQ(kept.status, 200u) << boost::json::serialize(kept.json);
    EXPECT_EQ(kept.json.at("recipients").at(0).at("variables"), (boost::json::object{{"name", "Ken"}}));
}

TEST(ScheduledCallsApi, ToPhoneNumbersAndRecipientsTogetherAre422) {
    ApiHarness api;
    auto reply = api.call("POST", "/api/scheduled-calls",
                          R"({"toPhoneNumbers":["+14155552671"],"recipients":[{"phoneNumber":"+14155552671"}],"promptId":")" +
                              api.make_prompt() + R"(","scheduledDateTime":"2026-11-25T13:00:00Z"})");
    EXPECT_EQ(reply.status, 422u);
    EXPECT_EQ(reply.error_field(), "recipients");
    EXPECT_EQ(count_calls(api), 0u);
}

TEST(ScheduledCallsApi, NumbersAloneCannotFillAPlaceholderWithoutADefault) {
    ApiHarness api;
    const auto prompt = prompt_with(api, "c", "Hello {{name}}");
    auto reply = api.call("POST", "/api/scheduled-calls", body(prompt));
    EXPECT_EQ(reply.status, 422u);
    EXPECT_EQ(reply.error_field(), "toPhoneNumbers[0].variables.name");
    const std::string message(reply.json.at("error").at("message").as_string());
    EXPECT_NE(message.find("{{name}}"), std::string::npos) << message;
    EXPECT_EQ(api.call("POST", "/api/scheduled-calls", body(prompt_with(api, "c", "Hello {{name|there}}"))).status, 201u);
}

TEST(ScheduledCallsApi, AllowsPremiumNumbersAndLimitsCountriesWhenConfigured) {
    ApiHarness open_api({}, core::PhonePolicy{"", {}, true});
    EXPECT_EQ(open_api.call("POST", "/api/scheduled-calls", body(open_api.make_prompt(), R"(["+19005550123"])")).status,
              201u);
    ApiHarness us_only({}, core::PhonePolicy{"", {"US"}, false});
    auto prompt = us_only.make_prompt();
    EXPECT_EQ(us_only.call("POST", "/api/scheduled-calls", body(prompt, R"(["+14155552671"])")).status, 201u);
    auto uk = us_only.call("POST", "/api/scheduled-calls", body(prompt, R"(["+442071838750"])"));
    EXPECT_EQ(uk.status, 422u);
    EXPECT_EQ(uk.error_field(), "toPhoneNumbers[0]");
}

TEST(ScheduledCallsApi, UsesTheDefaultRegionForNationalNumbersWhenConfigured) {
    ApiHarness api({}, core::PhonePolicy{"US", {}, false});
    auto reply = api.call("POST", "/api/scheduled-calls", body(api.make_prompt(), R"(["(415) 555-2671"])"));
    ASSERT_EQ(reply.status, 201u);
    EXPECT_EQ(reply.json.at("toPhoneNumbers").at(0), "+14155552671");
}

TEST(ScheduledCallsApi, RefusesAnUnknownPrompt) {
    ApiHarness api;
    auto reply = api.call("POST", "/api/scheduled-calls", body("0123456789abcdef01234567"));
    EXPECT_EQ(reply.status, 422u);
    EXPECT_EQ(reply.error_code(), "unknown_prompt");
    EXPECT_EQ(reply.error_field(), "promptId");
}

TEST(ScheduledCallsApi, RefusesFieldsAClientMayNotSet) {
    ApiHarness api;
    auto prompt = api.make_prompt();
    for (std::string extra : {R"("status":"completed")", R"("id":"abc")", R"("counts":{})", R"("content":"x")"}) {
        auto b = body(prompt);
        b.insert(1, extra + ",");
        auto reply = api.call("POST", "/api/scheduled-calls", b);
        EXPECT_EQ(reply.status, 422u) << extra;
        EXPECT_EQ(reply.error_code(), "unknown_field") << extra;
    }
    EXPECT_EQ(count_calls(api), 0u);
}

TEST(ScheduledCallsApi, RefusesMissingFieldsAndWrongTypes) {
    ApiHarness api;
    auto missing = api.call("POST", "/api/scheduled-calls", R"({"toPhoneNumbers":["+14155552671"]})");
    EXPECT_EQ(missing.error_code(), "missing_field");
    EXPECT_EQ(missing.error_field(), "promptId");
    auto wrong = api.call("POST", "/api/scheduled-calls",
                          R"({"toPhoneNumbers":["+14155552671"],"promptId":7,"scheduledDateTime":"2026-11-25T13:00:00Z"})");
    EXPECT_EQ(wrong.error_code(), "wrong_type");
    EXPECT_EQ(wrong.error_field(), "promptId");
    EXPECT_EQ(api.call("POST", "/api/scheduled-calls", "{oops").error_code(), "malformed_json");
    EXPECT_EQ(api.call("POST", "/api/scheduled-calls", body("x"), {{"Content-Type", "text/xml"}}).status, 415u);
}

TEST(ScheduledCallsApi, IdempotencyKeyReplaysTheSameRequestAndRefusesAnotherBody) {
    ApiHarness api;
    auto prompt = api.make_prompt();
    net::Fields headers{{"Content-Type", "application/json"}, {"Idempotency-Key", "order-17"}};
    auto first = api.call("POST", "/api/scheduled-calls", body(prompt), headers);
    ASSERT_EQ(first.status, 201u);
    // The same JSON with other white space is the same request.
    auto spaced = body(prompt);
    spaced.insert(1, "  ");
    auto again = api.call("POST", "/api/scheduled-calls", spaced, headers);
    EXPECT_EQ(again.status, 201u);
    EXPECT_EQ(again.json.at("id"), first.json.at("id"));
    EXPECT_EQ(again.header("Idempotent-Replayed"), "true");
    auto other = api.call("POST", "/api/scheduled-calls", body(prompt, R"(["+14155552672"])"), headers);
    EXPECT_EQ(other.status, 409u);
    EXPECT_EQ(other.error_code(), "idempotency_conflict");
    EXPECT_EQ(count_calls(api), 1u);
    auto bad = api.call("POST", "/api/scheduled-calls", body(prompt),
                        {{"Content-Type", "application/json"}, {"Idempotency-Key", std::string(256, 'k')}});
    EXPECT_EQ(bad.status, 400u);
    EXPECT_EQ(bad.error_code(), "invalid_header");
}

TEST(ScheduledCallsApi, AnIdempotencyKeyIsPerToken) {
    const std::string alpha = "alpha-0123456789abcdef0123456789abcdef";
    const std::string beta = "beta-0123456789abcdef0123456789abcdef0";
    ApiOptions options;
    options.tokens = {{alpha}, {beta}};
    ApiHarness api(options);
    auto as = [](const std::string& token) {
        return net::Fields{{"Content-Type", "application/json"}, {"Authorization", "Bearer " + token},
                           {"Idempotency-Key", "order-17"}};
    };
    auto created = api.call("POST", "/api/prompts", R"({"name":"n","content":"c","introduction":"i"})", as(alpha));
    const std::string prompt(created.json.at("id").as_string());
    auto first = api.call("POST", "/api/scheduled-calls", body(prompt), as(alpha));
    ASSERT_EQ(first.status, 201u);
    auto other_token = api.call("POST", "/api/scheduled-calls", body(prompt, R"(["+14155552672"])"), as(beta));
    EXPECT_EQ(other_token.status, 201u) << "not another token's conflict";
    EXPECT_NE(other_token.json.at("id"), first.json.at("id")) << "nor its replay";
    EXPECT_EQ(api.call("POST", "/api/scheduled-calls", body(prompt), as(alpha)).json.at("id"), first.json.at("id"));
}

TEST(ScheduledCallsApi, IdempotencyKeyIsRememberedFor24Hours) {
    ApiHarness api;
    auto prompt = api.make_prompt();
    net::Fields headers{{"Content-Type", "application/json"}, {"Idempotency-Key", "daily"}};
    auto first = api.call("POST", "/api/scheduled-calls", body(prompt, R"(["+14155552671"])", "2026-11-27T13:00:00Z"),
                          headers);
    api.clock().advance(std::chrono::hours(23));
    EXPECT_EQ(api.call("POST", "/api/scheduled-calls", body(prompt, R"(["+14155552671"])", "2026-11-27T13:00:00Z"),
                       headers).json.at("id"),
              first.json.at("id"));
    api.clock().advance(std::chrono::hours(2));
    auto fresh = api.call("POST", "/api/scheduled-calls", body(prompt, R"(["+14155552672"])", "2026-11-27T13:00:00Z"),
                          headers);
    EXPECT_EQ(fresh.status, 201u);
    EXPECT_NE(fresh.json.at("id"), first.json.at("id"));
}

TEST(ScheduledCallsApi, ConcurrentRequestsWithOneKeyCreateOneRecord) {
    ApiHarness api;
    auto prompt = api.make_prompt();
    std::vector<std::future<Reply>> replies;
    for (int i = 0; i < 8; ++i) {
        replies.push_back(std::async(std::launch::async, [&] {
            return api.call("POST", "/api/scheduled-calls", body(prompt),
                            {{"Content-Type", "application/json"}, {"Idempotency-Key", "same"}});
        }));
    }
    std::set<std::string> ids;
    for (auto& r : replies) {
        auto reply = r.get();
        EXPECT_EQ(reply.status, 201u);
        ids.insert(std::string(reply.json.at("id").as_string()));
    }
    EXPECT_EQ(ids.size(), 1u);
    EXPECT_EQ(count_calls(api), 1u);
}

TEST(ScheduledCallsApi, ListsWithStatusAndTimeFilters) {
    ApiHarness api;
    auto prompt = api.make_prompt();
    auto early = api.call("POST", "/api/scheduled-calls", body(prompt, R"(["+14155552671"])", "2026-11-25T13:00:00Z"));
    api.clock().advance(std::chrono::seconds(1));
    auto late = api.call("POST", "/api/scheduled-calls", body(prompt, R"(["+14155552671"])", "2026-11-26T13:00:00Z"));
    api.call("POST", "/api/scheduled-calls/" + std::string(late.json.at("id").as_string()) + "/cancel");

    auto all = api.call("GET", "/api/scheduled-calls");
    ASSERT_EQ(all.json.at("items").as_array().size(), 2u);
    EXPECT_EQ(all.json.at("items").at(0).at("id"), late.json.at("id"));  // newest first
    auto pending = api.call("GET", "/api/scheduled-calls?status=pending");
    ASSERT_EQ(pending.json.at("items").as_array().size(), 1u);
    EXPECT_EQ(pending.json.at("items").at(0).at("id"), early.json.at("id"));
    auto window = api.call("GET", "/api/scheduled-calls?from=2026-11-26T00:00:00Z&to=2026-11-27T00:00:00%2B00:00");
    ASSERT_EQ(window.json.at("items").as_array().size(), 1u);
    EXPECT_EQ(window.json.at("items").at(0).at("id"), late.json.at("id"));

    EXPECT_EQ(api.call("GET", "/api/scheduled-calls?status=done").error_field(), "status");
    EXPECT_EQ(api.call("GET", "/api/scheduled-calls?from=yesterday").error_field(), "from");
    EXPECT_EQ(api.call("GET", "/api/scheduled-calls?sort=asc").error_code(), "unknown_parameter");
}

TEST(ScheduledCallsApi, CancelMarksUndialedRecipientsCanceledAndHandsTheCallOverToHangUp) {
    ApiHarness api;
    std::vector<std::string> hung_up;  // the app hangs up the live recipients of what it is given
    api.context().on_canceled = [&hung_up](const store::ScheduledCall& call) { hung_up.push_back(call.id); };
    auto id = std::string(
        api.call("POST", "/api/scheduled-calls", body(api.make_prompt(), R"(["+14155552671","+14155552672"])"))
            .json.at("id")
            .as_string());
    auto reply = api.call("POST", "/api/scheduled-calls/" + id + "/cancel");
    ASSERT_EQ(reply.status, 200u);
    EXPECT_EQ(reply.json.at("status"), "canceled");
    for (auto& r : reply.json.at("recipients").as_array()) EXPECT_EQ(r.at("status"), "canceled");
    EXPECT_EQ(hung_up, std::vector<std::string>{id});
    EXPECT_EQ(api.call("POST", "/api/scheduled-calls/" + id + "/cancel").status, 200u);  // idempotent
    EXPECT_EQ(api.call("POST", "/api/scheduled-calls/nope/cancel").status, 404u);
    EXPECT_EQ(api.call("POST", "/api/scheduled-calls/" + id + "/cancel", "{}").status, 422u);
}

TEST(ScheduledCallsApi, PatchReschedulesAndReplacesRecipientsWhilePending) {
    ApiHarness api;
    auto id = std::string(api.call("POST", "/api/scheduled-calls", body(api.make_prompt())).json.at("id").as_string());
    auto reply = api.call("PATCH", "/api/scheduled-calls/" + id,
                          R"({"scheduledDateTime":"2026-11-26T09:00:00Z","toPhoneNumbers":["+442071838750"]})");
    ASSERT_EQ(reply.status, 200u) << boost::json::serialize(reply.json);
    EXPECT_EQ(reply.json.at("scheduledDateTime"), "2026-11-26T09:00:00.000Z");
    EXPECT_EQ(reply.json.at("recipients").as_array().size(), 1u);
    EXPECT_EQ(reply.json.at("recipients").at(0).at("phoneNumber"), "+442071838750");
    EXPECT_EQ(api.call("GET", "/api/scheduled-calls/" + id).json, reply.json);
}

TEST(ScheduledCallsApi, PatchRefusesBadInputAndNonPendingCalls) {
    ApiHarness api;
    auto id = std::string(api.call("POST", "/api/scheduled-calls", body(api.make_prompt())).json.at("id").as_string());
    auto path = "/api/scheduled-calls/" + id;
    EXPECT_EQ(api.call("PATCH", path, "{}").error_code(), "missing_field");
    EXPECT_EQ(api.call("PATCH", path, R"({"status":"completed"})").error_code(), "unknown_field");
    EXPECT_EQ(api.call("PATCH", path, R"({"promptId":"x"})").error_code(), "unknown_field");
    EXPECT_EQ(api.call("PATCH", path, R"({"scheduledDateTime":"2020-01-01T00:00:00Z"})").error_code(),
              "invalid_date_time");
    EXPECT_EQ(api.call("PATCH", path, R"({"toPhoneNumbers":["nope"]})").error_field(), "toPhoneNumbers[0]");
    EXPECT_EQ(api.call("PATCH", "/api/scheduled-calls/nope", R"({"toPhoneNumbers":["+14155552671"]})").status, 404u);
    auto unchanged = api.call("GET", path);
    EXPECT_EQ(unchanged.json.at("scheduledDateTime"), "2026-11-25T13:00:00.000Z");

    api.call("POST", path + "/cancel");
    auto refused = api.call("PATCH", path, R"({"scheduledDateTime":"2026-11-26T09:00:00Z"})");
    EXPECT_EQ(refused.status, 409u);
    EXPECT_EQ(refused.error_code(), "conflict");
}

TEST(ScheduledCallsApi, UnknownIdIs404) {
    ApiHarness api;
    EXPECT_EQ(api.call("GET", "/api/scheduled-calls/0123456789abcdef01234567").error_code(), "not_found");
}

}  // namespace
}  // namespace va::api::test

namespace va::api::test {
namespace {

// A recipient the dispatcher's claim deferred says why; the others say null.
TEST(ScheduledCallsApi, ShowsWhyAPendingRecipientWasDeferred) {
    ApiHarness api;
    auto created = api.call("POST", "/api/scheduled-calls",
                            body(api.make_prompt(), R"(["+14155552671", "+14155552672"])", "2026-11-25T12:00:00Z"));
    ASSERT_EQ(created.status, 201u);
    EXPECT_TRUE(created.json.at("recipients").at(0).at("deferredReason").is_null());
    auto id = std::string(created.json.at("id").as_string());

    store::ClaimRequest request;
    request.owner = "w1";
    request.now = kNow;
    request.max_dials_per_day = 1;
    ASSERT_EQ(api.store().dispatch().claim(request).claims.size(), 1u);

    auto fetched = api.call("GET", "/api/scheduled-calls/" + id);
    ASSERT_EQ(fetched.status, 200u);
    const auto& recipients = fetched.json.at("recipients").as_array();
    EXPECT_EQ(recipients[0].at("status"), "dialing");
    EXPECT_TRUE(recipients[0].at("deferredReason").is_null());
    EXPECT_EQ(recipients[1].at("status"), "pending");
    EXPECT_EQ(recipients[1].at("deferredReason"), "daily-budget");
    EXPECT_EQ(recipients[1].at("nextAttemptAt"), "2026-11-26T00:00:00.000Z");

    // The OpenAPI description names every reason the API can give.
    auto doc = boost::json::parse(openapi_document());
    const auto& recipient = doc.at("components").at("schemas").at("Recipient");
    const auto& reasons = recipient.at("properties").at("deferredReason").at("enum");
    EXPECT_EQ(boost::json::serialize(reasons), R"(["window","daily-budget","cooldown",null])");
}

}  // namespace
}  // namespace va::api::test

namespace va::api::test {
namespace {

TEST(ScheduledCallsApi, ADryRunAnswersEveryErrorWithItsEntryAndStoresNothing) {
    ApiHarness api;
    auto prompt = api.make_prompt();
    auto reply = api.call("POST", "/api/scheduled-calls?dryRun=true",
                          body(prompt, R"(["+14155552671", "not a number", "+1415", "+14155552672"])",
                               "2026-11-25T11:00:00Z"));  // an hour before the harness's now
    ASSERT_EQ(reply.status, 200u) << boost::json::serialize(reply.json);
    EXPECT_EQ(reply.json.at("valid"), false);
    const auto& errors = reply.json.at("errors").as_array();
    ASSERT_EQ(errors.size(), 3u) << boost::json::serialize(reply.json);
    EXPECT_EQ(errors[0].at("field"), "scheduledDateTime");
    EXPECT_EQ(errors[0].at("code"), "invalid_date_time");
    EXPECT_EQ(errors[1].at("field"), "toPhoneNumbers[1]");
    EXPECT_EQ(errors[1].at("code"), "invalid_phone_number");
    EXPECT_EQ(errors[2].at("field"), "toPhoneNumbers[2]");
    // The same words a create answers with: the rules live in one place.
    auto refused = api.call("POST", "/api/scheduled-calls", body(prompt, R"(["+14155552671", "not a number"])"));
    EXPECT_EQ(refused.json.at("error").at("message"), errors[1].at("message"));

    auto good = api.call("POST", "/api/scheduled-calls?dryRun=true", body(prompt),
                         {{"Content-Type", "application/json"}, {"Idempotency-Key", "k1"}});
    EXPECT_EQ(good.status, 200u);
    EXPECT_EQ(good.json.at("valid"), true);
    EXPECT_TRUE(good.json.at("errors").as_array().empty());
    auto unknown = api.call("POST", "/api/scheduled-calls?dryRun=true", body("0123456789abcdef01234567"));
    EXPECT_EQ(unknown.json.at("errors").at(0).at("field"), "promptId");
    EXPECT_EQ(count_calls(api), 0u) << "a dry run stores nothing";

    // The key a dry run carried was not taken: the real request with it creates.
    auto created = api.call("POST", "/api/scheduled-calls", body(prompt),
                         {{"Content-Type", "application/json"}, {"Idempotency-Key", "k1"}});
    EXPECT_EQ(created.status, 201u);
    EXPECT_FALSE(created.header("Idempotent-Replayed"));

    EXPECT_EQ(api.call("POST", "/api/scheduled-calls?dryRun=yes", body(prompt)).error_field(), "dryRun");
    EXPECT_EQ(api.call("POST", "/api/scheduled-calls?dry=true", body(prompt)).error_code(), "unknown_parameter");
    EXPECT_EQ(api.call("POST", "/api/scheduled-calls?dryRun=true", "[1]").status, 400u) << "not an object";
}

TEST(ScheduledCallsApi, EveryAnswerCountsTheRecipientsByStatus) {
    ApiHarness api;
    auto created = api.call("POST", "/api/scheduled-calls",
                            body(api.make_prompt(), R"(["+14155552671","+14155552672","+14155552673"])"));
    const auto& counts = created.json.at("counts").as_object();
    EXPECT_EQ(counts.size(), 11u) << "every recipient status, zeros too";
    EXPECT_EQ(counts.at("pending"), 3);
    EXPECT_EQ(counts.at("in-progress"), 0);
    auto id = std::string(created.json.at("id").as_string());
    auto canceled = api.call("POST", "/api/scheduled-calls/" + id + "/cancel");
    EXPECT_EQ(canceled.json.at("counts").at("canceled"), 3);
    EXPECT_EQ(canceled.json.at("counts").at("pending"), 0);
    auto listed = api.call("GET", "/api/scheduled-calls");
    EXPECT_EQ(listed.json.at("items").at(0).at("counts"), canceled.json.at("counts"));
}

}  // namespace
}  // namespace va::api::test
