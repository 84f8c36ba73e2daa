// Chat Completions' JSON without sockets: URLs, error texts, redaction and the chunk decoder.
#include "llm/openai_wire.hpp"

#include <stdexcept>

#include <boost/json.hpp>
#include <gtest/gtest.h>

namespace va::llm::openai {
namespace {

namespace json = boost::json;

std::string chunk(const std::string& delta, const std::string& finish = "null") {
    return R"({"id":"c","object":"chat.completion.chunk","choices":[{"index":0,"delta":)" + delta +
           R"(,"finish_reason":)" + finish + "}]}";
}

TEST(OpenAiWire, CompletionsUrl) {
    EXPECT_EQ(completions_url("https://api.openai.com/v1"), "https://api.openai.com/v1/chat/completions");
    EXPECT_EQ(completions_url("https://api.openai.com/v1/"), "https://api.openai.com/v1/chat/completions");
    EXPECT_EQ(completions_url("https://x.azure.com/openai/deployments/d?api-version=2024-06-01"),
              "https://x.azure.com/openai/deployments/d/chat/completions?api-version=2024-06-01");
}

TEST(OpenAiWire, HttpErrorTakesOpenAisMessage) {
    EXPECT_EQ(http_error(429, R"({"error":{"message":"Rate limit reached","type":"requests"}})"),
              "HTTP 429: Rate limit reached");
    EXPECT_EQ(http_error(500, R"({"error":"model not loaded"})"), "HTTP 500: model not loaded");
    EXPECT_EQ(http_error(502, "<html>bad gateway</html>"), "HTTP 502");
    EXPECT_EQ(http_error(503, ""), "HTTP 503");
    EXPECT_EQ(http_error(400, R"({"detail":"x"})"), "HTTP 400");
    auto long_message = http_error(400, R"({"error":{"message":")" + std::string(5000, 'm') + R"("}})");
    EXPECT_LT(long_message.size(), 400u);
}

TEST(OpenAiWire, RedactReplacesEveryOccurrence) {
    EXPECT_EQ(redact("key sk-1 and sk-1 again", "sk-1"), "key [redacted] and [redacted] again");
    EXPECT_EQ(redact("nothing here", ""), "nothing here");
    EXPECT_EQ(redact("aaaa", "aa"), "[redacted][redacted]");
}

TEST(OpenAiWire, RequestBodyGivesToolsWithoutParametersAnEmptySchema) {
    OpenAiConfig config;
    config.model = "m";
    ChatRequest request{{Message{"user", "hi", {}, {}}}, {Tool{"end_call", "Hang up.", ""}}, {}};
    auto body = json::parse(request_body(config, request));
    EXPECT_EQ(body.at("tools").at(0).at("function").at("parameters"), json::parse(R"({"type":"object","properties":{}})"));
    request.tools[0].parameters = "[1,2]";
    EXPECT_THROW(request_body(config, request), std::invalid_argument);
}

TEST(OpenAiWire, ARequestMayAskForAnotherModelThanTheConfiguredOne) {
    OpenAiConfig config;
    config.model = "gpt-4o-mini";
    ChatRequest request{{Message{"user", "hi", {}, {}}}, {}, {}};
    EXPECT_EQ(json::parse(request_body(config, request)).at("model"), "gpt-4o-mini");
    request.model = "llama-3.1-8b-instant";
    EXPECT_EQ(json::parse(request_body(config, request)).at("model"), "llama-3.1-8b-instant");
}

TEST(OpenAiWire, AnAssistantMessageWithTextAndToolCallsKeepsItsText) {
    OpenAiConfig config;
    ChatRequest request{{Message{"assistant", "One moment.", {ToolCall{"c1", "lookup", ""}}, {}}}, {}, {}};
    auto message = json::parse(request_body(config, request)).at("messages").at(0);
    EXPECT_EQ(message.at("content"), json::value("One moment."));
    EXPECT_EQ(message.at("tool_calls").at(0).at("function").at("arguments"), json::value("{}"));
}

TEST(OpenAiWire, DecoderReportsTextAndTheFirstToken) {
    StreamDecoder decoder;
    auto role = decoder.on_data(chunk(R"({"role":"assistant","content":""})"));
    EXPECT_EQ(role.text, "");
    EXPECT_FALSE(role.first_token);
    auto text = decoder.on_data(chunk(R"({"content":"Hi"})"));
    EXPECT_EQ(text.text, "Hi");
    EXPECT_TRUE(text.first_token);
    auto done = decoder.on_data("[DONE]");
    EXPECT_TRUE(done.done);
    EXPECT_FALSE(done.error);
}

TEST(OpenAiWire, DecoderReleasesToolCallsInIndexOrderAtFinish) {
    StreamDecoder decoder;
    decoder.on_data(chunk(R"({"tool_calls":[{"index":1,"id":"b","type":"function","function":{"name":"second","arguments":""}}]})"));
    decoder.on_data(chunk(R"({"tool_calls":[{"index":0,"id":"a","type":"function","function":{"name":"first","arguments":"{\"x\""}}]})"));
    auto more = decoder.on_data(chunk(R"({"tool_calls":[{"index":0,"function":{"arguments":":1}"}}]})"));
    EXPECT_TRUE(more.tool_calls.empty());
    EXPECT_TRUE(more.first_token);
    auto finish = decoder.on_data(chunk("{}", R"("tool_calls")"));
    ASSERT_EQ(finish.tool_calls.size(), 2u);
    EXPECT_EQ(finish.tool_calls[0].id, "a");
    EXPECT_EQ(finish.tool_calls[0].arguments, "{\"x\":1}");
    EXPECT_EQ(finish.tool_calls[1].name, "second");
    EXPECT_EQ(finish.tool_calls[1].arguments, "{}");
    EXPECT_FALSE(finish.done);  // [DONE] (or the end of the body) still to come
    auto done = decoder.on_data("[DONE]");
    EXPECT_TRUE(done.done);
    EXPECT_TRUE(done.tool_calls.empty());
}

TEST(OpenAiWire, DecoderReleasesPendingCallsAtDoneWithoutAFinishReason) {
    StreamDecoder decoder;
    decoder.on_data(chunk(R"({"tool_calls":[{"id":"a","function":{"name":"end_call","arguments":"{}"}}]})"));
    auto done = decoder.on_data("[DONE]");
    EXPECT_TRUE(done.done);
    ASSERT_EQ(done.tool_calls.size(), 1u);
    EXPECT_EQ(done.tool_calls[0].name, "end_call");
}

TEST(OpenAiWire, DecoderRefusesBrokenInput) {
    EXPECT_TRUE(StreamDecoder().on_data("{not json").error);
    EXPECT_TRUE(StreamDecoder().on_data("[1,2]").error);
    EXPECT_TRUE(StreamDecoder().on_data(R"({"choices":[5]})").error);
    EXPECT_TRUE(StreamDecoder().on_data(chunk(R"({"tool_calls":[7]})")).error);
    StreamDecoder nameless;
    nameless.on_data(chunk(R"({"tool_calls":[{"index":0,"function":{"arguments":"{}"}}]})"));
    EXPECT_EQ(nameless.on_data("[DONE]").error, "tool call 0 has no name");
    StreamDecoder cut;
    cut.on_data(chunk(R"({"tool_calls":[{"index":0,"id":"a","function":{"name":"f","arguments":"{\"a"}}]})"));
    EXPECT_EQ(cut.on_data(chunk("{}", R"("length")")).error, "the answer reached max_tokens inside a tool call");
}

TEST(OpenAiWire, DecoderIgnoresChunksWithoutChoicesAndNullContent) {
    StreamDecoder decoder;
    auto usage = decoder.on_data(R"({"choices":[],"usage":{"total_tokens":9}})");
    EXPECT_FALSE(usage.error);
    EXPECT_FALSE(usage.done);
    auto null_content = decoder.on_data(chunk(R"({"content":null})"));
    EXPECT_FALSE(null_content.error);
    EXPECT_EQ(null_content.text, "");
}

TEST(OpenAiWire, DecoderEndWithoutFinishIsAnError) {
    StreamDecoder decoder;
    decoder.on_data(chunk(R"({"content":"Hi"})"));
    EXPECT_EQ(decoder.on_end().error, "the stream ended before the answer was complete");
    StreamDecoder finished;
    finished.on_data(chunk(R"({"content":"Hi"})", R"("stop")"));
    EXPECT_TRUE(finished.on_end().done);
}

}  // namespace
}  // namespace va::llm::openai
