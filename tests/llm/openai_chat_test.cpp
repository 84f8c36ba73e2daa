// The streaming OpenAI client against the local stand-in over loopback: deltas, tool calls, the
// request it sends, errors, deadlines and cancel.
#include "llm/openai_chat.hpp"

#include <thread>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/json.hpp>
#include <gtest/gtest.h>

#include "llm/chat_log.hpp"
#include "support/log_capture.hpp"
#include "support/openai_standin.hpp"

namespace va::llm {
namespace {

namespace asio = boost::asio;
namespace json = boost::json;
using namespace std::chrono_literals;
using test::ChatLog;
using va::test::OpenAiStandin;
using va::test::StandinReply;
using va::test::StandinToolCall;

constexpr const char* kKey = "sk-test-5f3a9c1e7b";

Message user(std::string text) { return Message{"user", std::move(text), {}, {}}; }

ChatRequest hello() { return ChatRequest{{Message{"system", "Be brief.", {}, {}}, user("Hello?")}, {}, {}}; }

// The client's io_context on a thread of its own, as in the service.
class OpenAiChatTest : public ::testing::Test {
protected:
    OpenAiChatTest() : thread_([this] { io_.run(); }) {}
    ~OpenAiChatTest() override {
        io_.stop();
        if (thread_.joinable()) thread_.join();
    }

    OpenAiConfig config() const {
        OpenAiConfig c;
        c.base_url = standin_.base_url();
        c.api_key = kKey;
        c.model = "gpt-test";
        return c;
    }
    std::unique_ptr<ChatModel> model(OpenAiConfig c) { return make_openai_chat(std::move(c)); }
    std::unique_ptr<ChatModel> model() { return model(config()); }

    // Lets every handler still queued run, so that "nothing after on_done" means something.
    void drain() {
        guard_.reset();
        thread_.join();
    }

    OpenAiStandin standin_;
    va::test::LogCapture logs_;  // what an operator reads when the model fails
    asio::io_context io_;
    asio::executor_work_guard<asio::io_context::executor_type> guard_ = asio::make_work_guard(io_);
    std::thread thread_;
};

TEST_F(OpenAiChatTest, StreamsTextDeltasInOrder) {
    standin_.enqueue(StandinReply::words("Hello there, how can I help you today?"));
    auto log = ChatLog::make();
    auto m = model();
    log->start(io_, *m, hello());
    ASSERT_TRUE(log->wait_done());
    EXPECT_TRUE(log->ok());
    EXPECT_EQ(log->texts(), (std::vector<std::string>{"Hello ", "there, ", "how ", "can ", "I ", "help ", "you ",
                                                      "today?"}));
    EXPECT_EQ(log->joined(), "Hello there, how can I help you today?");
    drain();
    EXPECT_EQ(log->dones(), 1);
    EXPECT_FALSE(log->anything_after_done());
    EXPECT_EQ(m->name(), "openai:gpt-test");
}

TEST_F(OpenAiChatTest, Utf8SplitAcrossWritesArrivesWhole) {
    StandinReply reply;
    reply.text = {"Caf\xC3\xA9 ", "\xE2\x98\x95 ", "ok"};
    reply.max_write_bytes = 3;  // every event in 3-byte HTTP chunks: lines, CRLFs and UTF-8 cut
    standin_.enqueue(reply);
    auto log = ChatLog::make();
    auto m = model();
    log->start(io_, *m, hello());
    ASSERT_TRUE(log->wait_done());
    EXPECT_TRUE(log->ok());
    EXPECT_EQ(log->texts(), reply.text);
}

TEST_F(OpenAiChatTest, AssemblesAToolCallFromFragmentsAfterTheText) {
    StandinReply reply;
    reply.text = {"Goodbye."};
    reply.tool_calls = {StandinToolCall{"call_abc", "end_call", {"{\"rea", "son\":\"do", "ne\"}"}}};
    standin_.enqueue(reply);
    auto log = ChatLog::make();
    auto m = model();
    log->start(io_, *m, hello());
    ASSERT_TRUE(log->wait_done());
    EXPECT_EQ(log->order(), (std::vector<std::string>{"text:Goodbye.", "tool:end_call {\"reason\":\"done\"}", "done:"}));
    ASSERT_EQ(log->calls().size(), 1u);
    EXPECT_EQ(log->calls()[0].id, "call_abc");
    EXPECT_EQ(log->calls()[0].name, "end_call");
}

TEST_F(OpenAiChatTest, SeveralToolCallsComeInIndexOrder) {
    StandinReply reply;
    reply.tool_calls = {StandinToolCall{"call_1", "lookup", {"{\"day\":", "\"monday\"}"}},
                        StandinToolCall{"call_2", "end_call", {}}};
    standin_.enqueue(reply);
    auto log = ChatLog::make();
    auto m = model();
    log->start(io_, *m, hello());
    ASSERT_TRUE(log->wait_done());
    EXPECT_EQ(log->order(),
              (std::vector<std::string>{"tool:lookup {\"day\":\"monday\"}", "tool:end_call {}", "done:"}));
}

TEST_F(OpenAiChatTest, SendsTheDocumentedRequestShape) {
    standin_.enqueue(StandinReply::words("ok"));
    auto c = config();
    c.temperature = 0.25;
    c.max_tokens = 50;
    ChatRequest request;
    request.messages = {
        Message{"system", "You book appointments.", {}, {}},
        user("Hi"),
        Message{"assistant", "", {ToolCall{"call_9", "lookup", "{\"day\":\"monday\"}"}}, {}},
        Message{"tool", "{\"free\":true}", {}, "call_9"},
        Message{"assistant", "Monday works.", {}, {}},
        user("Great"),
    };
    request.tools = {Tool{"end_call", "Hang up politely.", "{\"type\":\"object\",\"properties\":{}}"}};
    auto log = ChatLog::make();
    auto m = model(c);
    log->start(io_, *m, request);
    ASSERT_TRUE(log->wait_done());
    EXPECT_TRUE(log->ok());
    auto requests = standin_.requests();
    ASSERT_EQ(requests.size(), 1u);
    const auto& r = requests[0];
    EXPECT_EQ(r.method, "POST");
    EXPECT_EQ(r.target, "/v1/chat/completions");
    EXPECT_EQ(r.headers.at("authorization"), std::string("Bearer ") + kKey);
    EXPECT_EQ(r.headers.at("accept"), "text/event-stream");
    EXPECT_EQ(r.headers.at("content-type"), "application/json");
    auto expected = json::parse(R"({
        "model": "gpt-test",
        "messages": [
            {"role": "system", "content": "You book appointments."},
            {"role": "user", "content": "Hi"},
            {"role": "assistant", "content": null, "tool_calls": [
                {"id": "call_9", "type": "function", "function": {"name": "lookup", "arguments": "{\"day\":\"monday\"}"}}]},
            {"role": "tool", "content": "{\"free\":true}", "tool_call_id": "call_9"},
            {"role": "assistant", "content": "Monday works."},
            {"role": "user", "content": "Great"}
        ],
        "stream": true,
        "tools": [{"type": "function", "function": {"name": "end_call", "description": "Hang up politely.",
                   "parameters": {"type": "object", "properties": {}}}}],
        "temperature": 0.25,
        "max_tokens": 50
    })");
    EXPECT_EQ(r.json, expected) << r.body;
}

TEST_F(OpenAiChatTest, OmitsAuthorizationWithoutAKeyAndToolsWhenThereAreNone) {
    standin_.enqueue(StandinReply::words("ok"));
    auto c = config();
    c.api_key.clear();
    c.base_url += "/";  // a trailing slash is tolerated
    auto log = ChatLog::make();
    auto m = model(c);
    log->start(io_, *m, hello());
    ASSERT_TRUE(log->wait_done());
    EXPECT_TRUE(log->ok());
    auto r = standin_.requests().at(0);
    EXPECT_EQ(r.target, "/v1/chat/completions");
    EXPECT_FALSE(r.has_header("authorization"));
    ASSERT_TRUE(r.json.is_object());
    EXPECT_FALSE(r.json.as_object().contains("tools"));
    EXPECT_FALSE(r.json.as_object().contains("temperature"));
    EXPECT_EQ(r.json.at("max_tokens"), json::value(300)) << "a default that bounds each answer's cost";
    EXPECT_EQ(r.json.at("stream"), json::value(true));
}

TEST_F(OpenAiChatTest, Http401ReportsOpenAisMessageWithoutTheKey) {
    // OpenAI masks the key in this message; a proxy or a compatible server may not.
    standin_.enqueue(StandinReply::error(
        401, std::string("Incorrect API key provided: ") + kKey + ". You can find your API key in your account.",
        "invalid_request_error"));
    auto log = ChatLog::make();
    auto m = model();
    log->start(io_, *m, hello());
    ASSERT_TRUE(log->wait_done());
    EXPECT_EQ(log->error(), engine::Errc::refused);
    EXPECT_TRUE(logs_.contains("(openai:gpt-test) failed: HTTP 401: Incorrect API key provided: [redacted]. You can "
                               "find your API key in your account."))
        << logs_.all();
    EXPECT_EQ(logs_.all().find(kKey), std::string::npos);
    EXPECT_TRUE(log->texts().empty());
}

TEST_F(OpenAiChatTest, ANonJsonErrorBodyGivesTheStatus) {
    StandinReply reply;
    reply.status = 502;
    reply.error_body = "<html>Bad Gateway</html>";
    standin_.enqueue(reply);
    auto log = ChatLog::make();
    auto m = model();
    log->start(io_, *m, hello());
    ASSERT_TRUE(log->wait_done());
    EXPECT_EQ(log->error(), engine::Errc::failed);
    EXPECT_TRUE(logs_.contains("HTTP 502")) << logs_.all();
}

TEST_F(OpenAiChatTest, AConnectionDroppedMidStreamIsAnError) {
    auto reply = StandinReply::words("one two three");
    reply.drop_after = 2;  // the role chunk and "one "
    standin_.enqueue(reply);
    auto log = ChatLog::make();
    auto m = model();
    log->start(io_, *m, hello());
    ASSERT_TRUE(log->wait_done());
    EXPECT_EQ(log->texts(), std::vector<std::string>{"one "});
    EXPECT_EQ(log->error(), engine::Errc::failed);
    EXPECT_TRUE(logs_.contains("receive: ")) << logs_.all();
    EXPECT_FALSE(logs_.contains("timeout")) << logs_.all();
}

TEST_F(OpenAiChatTest, TimesOutWhenTheServerNeverAnswers) {
    auto reply = StandinReply::words("late");
    reply.never_answer = true;
    standin_.enqueue(reply);
    auto c = config();
    c.first_token_timeout = 200ms;
    auto log = ChatLog::make();
    auto m = model(c);
    auto started = std::chrono::steady_clock::now();
    log->start(io_, *m, hello());
    ASSERT_TRUE(log->wait_done());
    auto took = std::chrono::steady_clock::now() - started;
    EXPECT_EQ(log->error(), engine::Errc::failed);
    EXPECT_TRUE(logs_.contains("timeout: no first token within 200 ms")) << logs_.all();
    EXPECT_GE(took, 190ms);
    EXPECT_LT(took, 5s);
    EXPECT_TRUE(standin_.wait_for_disconnects(1));  // the client hung up
}

TEST_F(OpenAiChatTest, TheFirstTokenDeadlineHoldsAfterTheHeaders) {
    auto reply = StandinReply::words("late");
    reply.stall_after = 1;  // headers and the role chunk (no text), then nothing
    standin_.enqueue(reply);
    auto c = config();
    c.first_token_timeout = 200ms;
    auto log = ChatLog::make();
    auto m = model(c);
    log->start(io_, *m, hello());
    ASSERT_TRUE(log->wait_done());
    EXPECT_EQ(log->error(), engine::Errc::failed);
    EXPECT_TRUE(logs_.contains("timeout: no first token within 200 ms")) << logs_.all();
}

TEST_F(OpenAiChatTest, TheTotalDeadlineHoldsAfterTheFirstToken) {
    auto reply = StandinReply::words("a b c");
    reply.stall_after = 2;  // the role chunk and "a ", then nothing
    standin_.enqueue(reply);
    auto c = config();
    c.total_timeout = 300ms;
    auto log = ChatLog::make();
    auto m = model(c);
    log->start(io_, *m, hello());
    ASSERT_TRUE(log->wait_done());
    EXPECT_EQ(log->texts(), std::vector<std::string>{"a "});
    EXPECT_EQ(log->error(), engine::Errc::failed);
    EXPECT_TRUE(logs_.contains("timeout: no complete answer within 300 ms")) << logs_.all();
}

TEST_F(OpenAiChatTest, CancelMidStreamEndsOnceAndClosesTheConnection) {
    auto reply = StandinReply::words("one two three four");
    reply.stall_after = 3;  // role, "one ", "two ", then the server waits
    standin_.enqueue(reply);
    auto log = ChatLog::make();
    auto m = model();
    log->start(io_, *m, hello());
    ASSERT_TRUE(log->wait_texts(2));
    log->cancel();
    ASSERT_TRUE(log->wait_done());
    EXPECT_TRUE(log->canceled());
    EXPECT_TRUE(standin_.wait_for_disconnects(1));  // promptly: the stand-in would wait forever
    log->cancel();                               // again: harmless
    drain();
    EXPECT_EQ(log->dones(), 1);
    EXPECT_FALSE(log->anything_after_done());
    EXPECT_EQ(log->texts(), (std::vector<std::string>{"one ", "two "}));
}

TEST_F(OpenAiChatTest, CancelFromInsideACallbackStopsTheNextDelta) {
    standin_.enqueue(StandinReply::words("one two three four"));
    auto log = ChatLog::make();
    log->on_text([raw = log.get()] { raw->cancel(); });
    auto m = model();
    log->start(io_, *m, hello());
    ASSERT_TRUE(log->wait_done());
    drain();
    EXPECT_EQ(log->texts(), std::vector<std::string>{"one "});
    EXPECT_TRUE(log->canceled());
    EXPECT_EQ(log->dones(), 1);
}

TEST_F(OpenAiChatTest, CancelAfterDoneChangesNothing) {
    standin_.enqueue(StandinReply::words("all done"));
    auto log = ChatLog::make();
    auto m = model();
    log->start(io_, *m, hello());
    ASSERT_TRUE(log->wait_done());
    log->cancel();
    drain();
    EXPECT_EQ(log->dones(), 1);
    EXPECT_TRUE(log->ok());
}

TEST_F(OpenAiChatTest, AMalformedChunkIsAnError) {
    StandinReply reply;
    reply.raw_events = {": keep-alive\n\n",
                        "data: {\"choices\":[{\"index\":0,\"delta\":{\"content\":\"hi\"},\"finish_reason\":null}]}\n\n",
                        "data: {\"choices\":[{\"index\":0,\"delta\":{\"content\n\n", "data: [DONE]\n\n"};
    standin_.enqueue(reply);
    auto log = ChatLog::make();
    auto m = model();
    log->start(io_, *m, hello());
    ASSERT_TRUE(log->wait_done());
    EXPECT_EQ(log->texts(), std::vector<std::string>{"hi"});
    EXPECT_EQ(log->error(), engine::Errc::failed);
    EXPECT_TRUE(logs_.contains("malformed")) << logs_.all();
}

TEST_F(OpenAiChatTest, AnErrorEventMidStreamIsReported) {
    StandinReply reply;
    reply.raw_events = {"data: {\"error\":{\"message\":\"The server is overloaded\",\"type\":\"server_error\"}}\n\n"};
    standin_.enqueue(reply);
    auto log = ChatLog::make();
    auto m = model();
    log->start(io_, *m, hello());
    ASSERT_TRUE(log->wait_done());
    EXPECT_EQ(log->error(), engine::Errc::failed);
    EXPECT_TRUE(logs_.contains("the stream reported an error: The server is overloaded")) << logs_.all();
}

TEST_F(OpenAiChatTest, ABodyEndingAfterFinishReasonWithoutDoneIsComplete) {
    StandinReply reply;
    reply.raw_events = {"data: {\"choices\":[{\"index\":0,\"delta\":{\"content\":\"hi\"},\"finish_reason\":null}]}\n\n",
                        "data: {\"choices\":[{\"index\":0,\"delta\":{},\"finish_reason\":\"stop\"}]}\n\n"};
    standin_.enqueue(reply);
    auto log = ChatLog::make();
    auto m = model();
    log->start(io_, *m, hello());
    ASSERT_TRUE(log->wait_done());
    EXPECT_TRUE(log->ok());
    EXPECT_EQ(log->joined(), "hi");
}

TEST_F(OpenAiChatTest, ABodyEndingBeforeTheAnswerIsAnError) {
    StandinReply reply;
    reply.raw_events = {"data: {\"choices\":[{\"index\":0,\"delta\":{\"content\":\"hi\"},\"finish_reason\":null}]}\n\n"};
    standin_.enqueue(reply);
    auto log = ChatLog::make();
    auto m = model();
    log->start(io_, *m, hello());
    ASSERT_TRUE(log->wait_done());
    EXPECT_EQ(log->error(), engine::Errc::failed);
    EXPECT_TRUE(logs_.contains("the stream ended before the answer was complete")) << logs_.all();
}

TEST_F(OpenAiChatTest, InvalidToolParametersEndTheAnswerWithoutARequest) {
    auto request = hello();
    request.tools = {Tool{"end_call", "Hang up.", "not json"}};
    auto log = ChatLog::make();
    auto m = model();
    log->start(io_, *m, request);
    ASSERT_TRUE(log->wait_done());
    EXPECT_EQ(log->error(), engine::Errc::failed);
    EXPECT_TRUE(logs_.contains("tool end_call: parameters are not a JSON object")) << logs_.all();
    EXPECT_TRUE(standin_.requests().empty());
}

TEST_F(OpenAiChatTest, ARefusedConnectionIsAnError) {
    unsigned short port = 0;
    {
        asio::io_context scratch;
        asio::ip::tcp::acceptor closed(scratch, {asio::ip::make_address("127.0.0.1"), 0});
        port = closed.local_endpoint().port();
    }  // closed again: nothing listens there now
    auto c = config();
    c.base_url = "http://127.0.0.1:" + std::to_string(port) + "/v1";
    auto log = ChatLog::make();
    auto m = model(c);
    log->start(io_, *m, hello());
    ASSERT_TRUE(log->wait_done());
    EXPECT_EQ(log->error(), engine::Errc::unreachable) << "nothing reached the model";
    EXPECT_TRUE(logs_.contains("failed: connect: ")) << logs_.all();
}

TEST_F(OpenAiChatTest, ConcurrentAnswersKeepToTheirOwnStreams) {
    // Answer each request with its own user message, whatever order they arrive in.
    standin_.set_responder([](const va::test::RecordedRequest& r) {
        auto text = std::string(r.json.at("messages").as_array().back().at("content").as_string());
        return StandinReply::words(text + " again and again");
    });
    auto m = model();
    std::vector<std::shared_ptr<ChatLog>> logs;
    for (int i = 0; i < 4; ++i) {
        logs.push_back(ChatLog::make());
        logs.back()->start(io_, *m, ChatRequest{{user("echo" + std::to_string(i))}, {}, {}});
    }
    for (int i = 0; i < 4; ++i) {
        ASSERT_TRUE(logs[i]->wait_done());
        EXPECT_TRUE(logs[i]->ok());
        EXPECT_EQ(logs[i]->joined(), "echo" + std::to_string(i) + " again and again");
    }
}

TEST(OpenAiChatConfig, RefusesABaseUrlThatIsNotHttp) {
    for (std::string url : {"", "api.openai.com/v1", "ftp://api.openai.com/v1", "ws://127.0.0.1:1/v1"}) {
        OpenAiConfig c;
        c.base_url = url;
        c.api_key = kKey;
        try {
            make_openai_chat(c);
            ADD_FAILURE() << "accepted " << url;
        } catch (const std::invalid_argument& e) {
            EXPECT_NE(std::string(e.what()).find("http:// or https://"), std::string::npos) << e.what();
            EXPECT_EQ(std::string(e.what()).find(kKey), std::string::npos);
        }
    }
    OpenAiConfig ok;
    ok.base_url = "https://api.openai.com/v1";
    ok.model = "gpt-4o-mini";
    EXPECT_EQ(make_openai_chat(ok)->name(), "openai:gpt-4o-mini");
}

}  // namespace
}  // namespace va::llm
