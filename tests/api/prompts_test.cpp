#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "api_harness.hpp"

namespace va::api::test {
namespace {

const std::string kPrompt = R"({"name":"Reminder","content":"You are polite.","introduction":"Hi there"})";

TEST(PromptsApi, CreatesGetsListsReplacesAndDeletes) {
    ApiHarness api;
    auto created = api.call("POST", "/api/prompts", kPrompt);
    ASSERT_EQ(created.status, 201u);
    auto id = std::string(created.json.at("id").as_string());
    EXPECT_EQ(id.size(), 24u);
    EXPECT_EQ(created.json.at("introduction"), "Hi there");
    EXPECT_EQ(created.json.at("createdAt"), "2026-11-25T12:00:00.000Z");
    EXPECT_EQ(created.header("Location"), "/api/prompts/" + id);

    EXPECT_EQ(api.call("GET", "/api/prompts/" + id).json.at("name"), "Reminder");
    EXPECT_EQ(api.call("GET", "/api/prompts").json.at("items").as_array().size(), 1u);

    api.clock().advance(std::chrono::seconds(5));
    auto replaced =
        api.call("PUT", "/api/prompts/" + id, R"({"name":"New","content":"Be brief.","introduction":""})");
    ASSERT_EQ(replaced.status, 200u);
    EXPECT_EQ(replaced.json.at("name"), "New");
    EXPECT_EQ(replaced.json.at("updatedAt"), "2026-11-25T12:00:05.000Z");
    EXPECT_EQ(replaced.json.at("createdAt"), "2026-11-25T12:00:00.000Z");

    EXPECT_EQ(api.call("DELETE", "/api/prompts/" + id).status, 204u);
    EXPECT_EQ(api.call("GET", "/api/prompts/" + id).status, 404u);
    EXPECT_EQ(api.call("DELETE", "/api/prompts/" + id).status, 404u);
}

TEST(PromptsApi, UnknownIdsAre404) {
    ApiHarness api;
    EXPECT_EQ(api.call("GET", "/api/prompts/0123456789abcdef01234567").error_code(), "not_found");
    EXPECT_EQ(api.call("PUT", "/api/prompts/nope", kPrompt).status, 404u);
}

struct BadBody {
    std::string body;
    unsigned status;
    std::string code;
    std::string field;
};

class PromptBadBody : public ::testing::TestWithParam<BadBody> {};

TEST_P(PromptBadBody, IsRefusedAndStoresNothing) {
    ApiHarness api;
    const auto& p = GetParam();
    auto reply = api.call("POST", "/api/prompts", p.body);
    EXPECT_EQ(reply.status, p.status);
    EXPECT_EQ(reply.error_code(), p.code);
    EXPECT_EQ(reply.error_field(), p.field);
    EXPECT_TRUE(api.call("GET", "/api/prompts").json.at("items").as_array().empty());
}

INSTANTIATE_TEST_SUITE_P(
    Cases, PromptBadBody,
    ::testing::Values(BadBody{"{", 400, "malformed_json", ""}, BadBody{"[1,2]", 400, "not_an_object", ""},
                      BadBody{"\"text\"", 400, "not_an_object", ""},
                      BadBody{R"({"content":"c","introduction":"i"})", 422, "missing_field", "name"},
                      BadBody{R"({"name":5,"content":"c","introduction":"i"})", 422, "wrong_type", "name"},
                      BadBody{R"({"name":"n","content":null,"introduction":"i"})", 422, "wrong_type", "content"},
                      BadBody{R"({"name":"","content":"c","introduction":"i"})", 422, "invalid_value", "name"},
                      BadBody{R"({"name":"n","content":"","introduction":"i"})", 422, "invalid_value", "content"},
                      BadBody{R"({"name":"n","content":"c","introduction":"i","id":"x"})", 422, "unknown_field",
                              "id"},
                      BadBody{R"({"name":")" + std::string(201, 'n') + R"(","content":"c","introduction":"i"})", 422,
                              "invalid_value", "name"},
                      BadBody{"{\"name\":\"\xff\",\"content\":\"c\",\"introduction\":\"i\"}", 400, "malformed_json",
                              ""}));

INSTANTIATE_TEST_SUITE_P(
    Placeholders, PromptBadBody,
    ::testing::Values(BadBody{R"({"name":"n","content":"Call {{name","introduction":"i"})", 422, "invalid_value", "content"},
                      BadBody{R"({"name":"n","content":"c","introduction":"Hello {{first name}}"})", 422, "invalid_value",
                              "introduction"},
                      BadBody{R"({"name":"n","content":"c","introduction":"Hello {{}}"})", 422, "invalid_value",
                              "introduction"}));

TEST(PromptsApi, ABadPlaceholderIsNamedWithItsPlace) {
    ApiHarness api;
    auto reply = api.call("POST", "/api/prompts", R"({"name":"n","content":"c","introduction":"Héllo {{first name}}"})");
    EXPECT_EQ(reply.status, 422u);
    EXPECT_THAT(std::string(reply.json.at("error").at("message").as_string()),
                ::testing::HasSubstr("at character 7: bad variable name \"first name\""));
    reply = api.call("POST", "/api/prompts", R"({"name":"n","content":"Call {{name|the patient}}","introduction":"Hi {{ name }}"})");
    EXPECT_EQ(reply.status, 201u);
}

std::string with_conversation(const std::string& conversation) {
    return R"({"name":"n","content":"c","introduction":"i","conversation":)" + conversation + "}";
}

INSTANTIATE_TEST_SUITE_P(
    Conversation, PromptBadBody,
    ::testing::Values(BadBody{with_conversation("[]"), 422, "wrong_type", "conversation"},
                      BadBody{with_conversation("null"), 422, "wrong_type", "conversation"},
                      BadBody{with_conversation(R"({"endOfTurnMs":"600"})"), 422, "wrong_type", "conversation.endOfTurnMs"},
                      BadBody{with_conversation(R"({"endOfTurnMs":600.5})"), 422, "wrong_type", "conversation.endOfTurnMs"},
                      BadBody{with_conversation(R"({"endOfTurnMs":99})"), 422, "invalid_value", "conversation.endOfTurnMs"},
                      BadBody{with_conversation(R"({"maxCallMs":18446744073709551615})"), 422, "invalid_value",
                              "conversation.maxCallMs"},
                      BadBody{with_conversation(R"({"minSpeechMs":-1})"), 422, "invalid_value", "conversation.minSpeechMs"},
                      BadBody{with_conversation(R"({"fillerAfterMs":100})"), 422, "invalid_value", "conversation.fillerAfterMs"},
                      BadBody{with_conversation(R"({"bargeIn":1})"), 422, "wrong_type", "conversation.bargeIn"},
                      BadBody{with_conversation(R"({"llmModel":""})"), 422, "invalid_value", "conversation.llmModel"},
                      BadBody{with_conversation(R"({"sttGrammar":5})"), 422, "wrong_type", "conversation.sttGrammar"},
                      BadBody{with_conversation(R"({"ttsVoice":""})"), 422, "invalid_value", "conversation.ttsVoice"},
                      BadBody{with_conversation(R"({"stt":["deepgram"]})"), 422, "wrong_type", "conversation.stt"},
                      BadBody{with_conversation(R"({"voice":"x"})"), 422, "unknown_field", "conversation.voice"},
                      BadBody{with_conversation(R"({"repromptAfterMs":9000,"hangupAfterMs":9000})"), 422,
                              "invalid_value", "conversation.hangupAfterMs"}));

TEST(PromptsApi, ConversationSettingsAreKeptReplacedAndSnapshotIntoCalls) {
    ApiHarness api;
    const std::string tuned = R"({"endOfTurnMs":450,"fillerAfterMs":1500,"bargeIn":false,"llmModel":"llama-3.1-8b-instant"})";
    auto created = api.call("POST", "/api/prompts", with_conversation(tuned));
    ASSERT_EQ(created.status, 201u);
    EXPECT_EQ(created.json.at("conversation"), boost::json::parse(tuned));
    auto id = std::string(created.json.at("id").as_string());

    auto call = api.call("POST", "/api/scheduled-calls",
                         R"({"toPhoneNumbers":["+14155552671"],"promptId":")" + id +
                             R"(","scheduledDateTime":"2026-11-25T13:00:00Z"})");
    ASSERT_EQ(call.status, 201u);
    EXPECT_EQ(call.json.at("conversation"), boost::json::parse(tuned));

    // PUT replaces the whole prompt: without `conversation` every setting is the deployment's again,
    // and the call scheduled before keeps its snapshot.
    auto replaced = api.call("PUT", "/api/prompts/" + id, kPrompt);
    EXPECT_EQ(replaced.json.at("conversation"), boost::json::object{});
    auto call_id = std::string(call.json.at("id").as_string());
    EXPECT_EQ(api.call("GET", "/api/scheduled-calls/" + call_id).json.at("conversation"), boost::json::parse(tuned));
}

TEST(PromptsApi, TheDeploymentChecksConversationSettingsAndARefusalStoresNothing) {
    ApiHarness api;
    api.context().check_conversation = [](const store::ConversationOverrides& c) -> ApiResult<> {
        if (c.stt_grammar.find("public") == std::string::npos)
            return ApiError{ErrorCode::invalid_value, "conversation.sttGrammar has no public rule", "conversation.sttGrammar"};
        return {};
    };
    auto refused = api.call("POST", "/api/prompts", with_conversation(R"({"sttGrammar":"#JSGF V1.0; grammar g;"})"));
    EXPECT_EQ(refused.status, 422u);
    EXPECT_EQ(refused.error_field(), "conversation.sttGrammar");
    EXPECT_TRUE(api.call("GET", "/api/prompts").json.at("items").as_array().empty());
    auto accepted = api.call("POST", "/api/prompts",
                             with_conversation(R"({"sttGrammar":"#JSGF V1.0; grammar g; public <a> = yes | no;"})"));
    EXPECT_EQ(accepted.status, 201u);
}

TEST(PromptsApi, ANewIntroductionIsAtMostAThousandCharactersAndAStoredLongerOneStays) {
    ApiHarness api;
    auto body = [](const std::string& introduction) {
        return R"({"name":"n","content":"c","introduction":")" + introduction + "\"}";
    };
    std::string thousand;
    for (int i = 0; i < 1000; ++i) thousand += "\u00e9";  // two bytes each: characters are counted
    EXPECT_EQ(api.call("POST", "/api/prompts", body(thousand)).status, 201u);
    auto refused = api.call("POST", "/api/prompts", body(thousand + "e"));
    EXPECT_EQ(refused.status, 422u);
    EXPECT_EQ(refused.error_field(), "introduction");

    // Saved before the limit: still served, and a PUT that keeps it is fine; a new long one is not.
    store::Prompt old;
    old.id = "6566a1b2c3d4e5f6071829ff";
    old.name = "old";
    old.content = "c";
    old.introduction = std::string(1500, 'a');
    old.created_at = old.updated_at = kNow;
    api.store().prompts().create(old);
    const auto path = "/api/prompts/" + old.id;
    EXPECT_EQ(api.call("GET", path).json.at("introduction").as_string().size(), 1500u);
    EXPECT_EQ(api.call("PUT", path, body(old.introduction)).status, 200u);
    EXPECT_EQ(api.call("PUT", path, body(std::string(1501, 'a'))).status, 422u);
    EXPECT_EQ(api.call("PUT", path, body("short now")).status, 200u);
}

TEST(PromptsApi, ABusyStoreIsA503WithRetryAfterAndStoresNothing) {
    ApiHarness api;
    // Stands for a store whose queue of bulk writes is full (store/sqlite/write_queue.hpp).
    api.context().check_conversation = [](const store::ConversationOverrides&) -> ApiResult<> {
        throw store::Busy("the store has 1024 writes waiting; retry shortly");
    };
    auto reply = api.call("POST", "/api/prompts", R"({"name":"n","content":"c","introduction":"i","conversation":{}})");
    EXPECT_EQ(reply.status, 503u);
    EXPECT_EQ(reply.error_code(), "busy");
    EXPECT_EQ(reply.header("Retry-After"), "1");
    EXPECT_TRUE(api.call("GET", "/api/prompts").json.at("items").as_array().empty());
}

TEST(PromptsApi, RequiresJsonContentType) {
    ApiHarness api;
    auto reply = api.call("POST", "/api/prompts", kPrompt, {{"Content-Type", "text/plain"}});
    EXPECT_EQ(reply.status, 415u);
    EXPECT_EQ(reply.error_code(), "unsupported_media_type");
    EXPECT_EQ(api.call("POST", "/api/prompts", kPrompt, {}).status, 415u);
    EXPECT_EQ(api.call("POST", "/api/prompts", kPrompt, {{"content-type", "Application/JSON; charset=utf-8"}}).status,
              201u);
}

TEST(PromptsApi, PaginatesNewestFirst) {
    ApiHarness api;
    for (int i = 0; i < 5; ++i) {
        api.make_prompt("p" + std::to_string(i));
        api.clock().advance(std::chrono::seconds(1));
    }
    auto first = api.call("GET", "/api/prompts?limit=2");
    ASSERT_EQ(first.status, 200u);
    EXPECT_EQ(first.json.at("items").at(0).at("name"), "p4");
    auto cursor = std::string(first.json.at("nextCursor").as_string());
    std::vector<std::string> names;
    std::string next = cursor;
    while (!next.empty()) {
        auto page = api.call("GET", "/api/prompts?limit=2&cursor=" + next);
        for (auto& item : page.json.at("items").as_array()) names.emplace_back(item.at("name").as_string());
        next = page.json.at("nextCursor").is_null() ? "" : std::string(page.json.at("nextCursor").as_string());
    }
    EXPECT_EQ(names, (std::vector<std::string>{"p2", "p1", "p0"}));
}

TEST(PromptsApi, RefusesBadPagingParameters) {
    ApiHarness api;
    EXPECT_EQ(api.call("GET", "/api/prompts?limit=0").error_field(), "limit");
    EXPECT_EQ(api.call("GET", "/api/prompts?limit=201").status, 400u);
    EXPECT_EQ(api.call("GET", "/api/prompts?limit=abc").status, 400u);
    EXPECT_EQ(api.call("GET", "/api/prompts?cursor=garbage").error_field(), "cursor");
    EXPECT_EQ(api.call("GET", "/api/prompts?colour=red").error_code(), "unknown_parameter");
}

}  // namespace
}  // namespace va::api::test

namespace va::api::test {
namespace {

TEST(PromptsApi, TheIntroductionIsAWavFileInThePromptsVoiceRevalidatedByEtag) {
    ApiHarness api;
    int syntheses = 0;
    std::string spoken;
    api.context().speak_introduction = [&](const store::Prompt& p) -> boost::asio::awaitable<std::optional<std::string>> {
        ++syntheses;
        spoken = p.introduction;
        co_return std::string("RIFF-the-file");
    };
    auto id = api.make_prompt();
    auto reply = api.call("GET", "/api/prompts/" + id + "/introduction.wav");
    ASSERT_EQ(reply.status, 200u);
    EXPECT_EQ(reply.raw.content_type, "audio/wav");
    EXPECT_EQ(reply.raw.body, "RIFF-the-file");
    EXPECT_EQ(spoken, "Hello!");
    const auto etag = reply.header("ETag");
    ASSERT_TRUE(etag);
    auto again = api.call("GET", "/api/prompts/" + id + "/introduction.wav", "", {{"If-None-Match", *etag}});
    EXPECT_EQ(again.status, 304u);
    EXPECT_EQ(syntheses, 1) << "a browser that has the file costs no synthesis";

    // Another introduction is another file.
    api.call("PUT", "/api/prompts/" + id, R"({"name":"n","content":"c","introduction":"Good morning!"})");
    EXPECT_EQ(api.call("GET", "/api/prompts/" + id + "/introduction.wav", "", {{"If-None-Match", *etag}}).status, 200u);
    EXPECT_EQ(spoken, "Good morning!");
    EXPECT_EQ(api.call("GET", "/api/prompts/nope/introduction.wav").status, 404u);
}

TEST(PromptsApi, WithoutVoicesOrWhenSynthesisFailsTheIntroductionIs503) {
    ApiHarness api;
    auto id = api.make_prompt();
    auto none = api.call("GET", "/api/prompts/" + id + "/introduction.wav");
    EXPECT_EQ(none.status, 503u);
    EXPECT_EQ(none.error_code(), "unavailable");
    api.context().speak_introduction = [](const store::Prompt&) -> boost::asio::awaitable<std::optional<std::string>> {
        co_return std::nullopt;
    };
    EXPECT_EQ(api.call("GET", "/api/prompts/" + id + "/introduction.wav").status, 503u);
}

}  // namespace
}  // namespace va::api::test
