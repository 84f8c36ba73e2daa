// The scripted model: word-by-word text, the reply chosen by the number of user messages, the
// tool call after the text, a turn of the caller's executor between words, cancel, and the demo
// script.
#include "llm/scripted_chat.hpp"

#include <cctype>

#include <gtest/gtest.h>

#include "llm/chat_log.hpp"

namespace va::llm {
namespace {

using test::ChatLog;

ChatRequest with_users(int n) {
    ChatRequest request;
    request.messages.push_back(Message{"system", "Be brief.", {}, {}});
    for (int i = 0; i < n; ++i) {
        request.messages.push_back(Message{"user", "u" + std::to_string(i), {}, {}});
        request.messages.push_back(Message{"assistant", "a" + std::to_string(i), {}, {}});
    }
    if (n > 0) request.messages.pop_back();  // ends with the user's turn
    return request;
}

class ScriptedChatTest : public ::testing::Test {
protected:
    std::shared_ptr<ChatLog> answer(ChatModel& model, const ChatRequest& request) {
        auto log = ChatLog::make();
        log->start(io_, model, request);
        io_.restart();
        io_.run();
        EXPECT_EQ(log->dones(), 1);
        return log;
    }

    boost::asio::io_context io_;  // outlives the logs, which keep a strand of it
};

TEST_F(ScriptedChatTest, StreamsTheReplyWordByWord) {
    auto model = make_scripted_chat({{"Hello there,  my friend.", std::nullopt}});
    auto log = answer(*model, with_users(1));
    EXPECT_EQ(log->texts(), (std::vector<std::string>{"Hello ", "there,  ", "my ", "friend."}));
    EXPECT_TRUE(log->ok());
    EXPECT_EQ(model->name(), "scripted");
}

TEST_F(ScriptedChatTest, AnswersByTheNumberOfUserMessages) {
    auto model = make_scripted_chat({{"one", std::nullopt}, {"two", std::nullopt}, {"three", std::nullopt}});
    EXPECT_EQ(answer(*model, with_users(0))->joined(), "one");  // no user yet: the first reply
    EXPECT_EQ(answer(*model, with_users(1))->joined(), "one");
    EXPECT_EQ(answer(*model, with_users(2))->joined(), "two");
    EXPECT_EQ(answer(*model, with_users(3))->joined(), "three");
    EXPECT_EQ(answer(*model, with_users(7))->joined(), "three");  // past the end: the last
    EXPECT_EQ(answer(*model, with_users(1))->joined(), "one");    // by the request, not a counter
}

TEST_F(ScriptedChatTest, TheToolCallComesAfterTheTextAndBeforeDone) {
    auto model = make_scripted_chat({{"Bye now.", ToolCall{"", "end_call", ""}}});
    auto log = answer(*model, with_users(1));
    EXPECT_EQ(log->order(), (std::vector<std::string>{"text:Bye ", "text:now.", "tool:end_call {}", "done:"}));
    ASSERT_EQ(log->calls().size(), 1u);
    EXPECT_FALSE(log->calls()[0].id.empty());  // made up: the conversation echoes it back
}

TEST(ScriptedChat, EachWordComesAfterTheCallerHadATurnAsTokensWould) {
    auto model = make_scripted_chat({{"a b c", std::nullopt}});
    boost::asio::io_context io;
    std::vector<std::string> heard;
    auto first = ChatLog::make(), second = ChatLog::make();
    first->on_text([&] { heard.push_back("first:" + first->texts().back()); });
    second->on_text([&] { heard.push_back("second:" + second->texts().back()); });
    first->start(io, *model, with_users(1));
    second->start(io, *model, with_users(1));
    EXPECT_TRUE(heard.empty()) << "nothing is handed over inside answer()";
    io.run();
    EXPECT_EQ(heard, (std::vector<std::string>{"first:a ", "second:a ", "first:b ", "second:b ", "first:c",
                                               "second:c"}));
}

TEST(ScriptedChat, CancelStopsBetweenWords) {
    auto model = make_scripted_chat({{"one two three", std::nullopt}});
    boost::asio::io_context io;
    auto log = ChatLog::make();
    log->on_text([&] { log->cancel(); });
    log->start(io, *model, with_users(1));
    io.run();
    EXPECT_EQ(log->texts(), std::vector<std::string>{"one "});
    EXPECT_TRUE(log->canceled());
    EXPECT_EQ(log->dones(), 1);
}

TEST_F(ScriptedChatTest, NoRepliesGiveEmptyAnswers) {
    auto model = make_scripted_chat({});
    auto log = answer(*model, with_users(1));
    EXPECT_TRUE(log->order() == std::vector<std::string>{"done:"});
}

TEST_F(ScriptedChatTest, TheDemoScriptIsThreePlainTurnsEndingTheCall) {
    auto script = default_demo_script();
    ASSERT_EQ(script.size(), 3u);
    EXPECT_FALSE(script[0].tool);
    EXPECT_FALSE(script[1].tool);
    ASSERT_TRUE(script[2].tool);
    EXPECT_EQ(script[2].tool->name, "end_call");
    EXPECT_EQ(script[2].tool->arguments, "{}");
    for (const auto& reply : script) {
        EXPECT_FALSE(reply.text.empty());
        for (unsigned char c : reply.text)  // words a recogniser can check: letters and plain punctuation
            EXPECT_TRUE(std::isalpha(c) || c == ' ' || c == '.' || c == ',' || c == '?') << reply.text;
    }
    auto model = make_scripted_chat(script);
    auto log = answer(*model, with_users(3));
    EXPECT_EQ(log->order().back(), "done:");
    ASSERT_EQ(log->calls().size(), 1u);
    EXPECT_EQ(log->calls()[0].name, "end_call");
}

}  // namespace
}  // namespace va::llm
