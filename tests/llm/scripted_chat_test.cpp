// The scripted model: word-by-word text, the reply chosen by the number of user messages, the
// tool call after the text, its own thread, cancel, and the demo script.
#include "llm/scripted_chat.hpp"

#include <cctype>
#include <future>
#include <thread>

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

std::shared_ptr<ChatLog> answer(ChatModel& model, const ChatRequest& request) {
    auto log = ChatLog::make();
    auto stream = model.chat(request, log->callbacks());
    EXPECT_TRUE(log->wait_done());
    return log;
}

TEST(ScriptedChat, StreamsTheReplyWordByWord) {
    auto model = make_scripted_chat({{"Hello there,  my friend.", std::nullopt}});
    auto log = answer(*model, with_users(1));
    EXPECT_EQ(log->texts(), (std::vector<std::string>{"Hello ", "there,  ", "my ", "friend."}));
    EXPECT_EQ(log->error(), "");
    EXPECT_EQ(model->name(), "scripted");
}

TEST(ScriptedChat, AnswersByTheNumberOfUserMessages) {
    auto model = make_scripted_chat({{"one", std::nullopt}, {"two", std::nullopt}, {"three", std::nullopt}});
    EXPECT_EQ(answer(*model, with_users(0))->joined(), "one");  // no user yet: the first reply
    EXPECT_EQ(answer(*model, with_users(1))->joined(), "one");
    EXPECT_EQ(answer(*model, with_users(2))->joined(), "two");
    EXPECT_EQ(answer(*model, with_users(3))->joined(), "three");
    EXPECT_EQ(answer(*model, with_users(7))->joined(), "three");  // past the end: the last
    EXPECT_EQ(answer(*model, with_users(1))->joined(), "one");    // by the request, not a counter
}

TEST(ScriptedChat, TheToolCallComesAfterTheTextAndBeforeDone) {
    auto model = make_scripted_chat({{"Bye now.", ToolCall{"", "end_call", ""}}});
    auto log = answer(*model, with_users(1));
    EXPECT_EQ(log->order(), (std::vector<std::string>{"text:Bye ", "text:now.", "tool:end_call {}", "done:"}));
    ASSERT_EQ(log->calls().size(), 1u);
    EXPECT_FALSE(log->calls()[0].id.empty());  // made up: the conversation echoes it back
}

TEST(ScriptedChat, CallbacksRunOnItsOwnThreadNeverInsideChat) {
    auto model = make_scripted_chat({{"a b", std::nullopt}});
    auto log = answer(*model, with_users(1));
    for (auto id : log->threads()) EXPECT_NE(id, std::this_thread::get_id());
}

TEST(ScriptedChat, CancelStopsBetweenWordsAndQueuedAnswersEndCanceled) {
    auto model = make_scripted_chat({{"one two three", std::nullopt}});
    // The first answer holds the worker in its first on_text until the test lets it go, so the
    // second is still queued when it is canceled.
    std::promise<std::shared_ptr<ChatStream>> handle;
    auto handle_future = handle.get_future().share();
    std::promise<void> release;
    auto released = release.get_future().share();
    auto first = ChatLog::make();
    auto callbacks = first->callbacks();
    auto record = callbacks.on_text;
    callbacks.on_text = [record, handle_future, released](std::string word) {
        record(std::move(word));
        handle_future.get()->cancel();
        released.wait();
    };
    handle.set_value(model->chat(with_users(1), callbacks));
    auto second = ChatLog::make();
    auto second_stream = model->chat(with_users(1), second->callbacks());
    second_stream->cancel();
    release.set_value();
    ASSERT_TRUE(first->wait_done());
    ASSERT_TRUE(second->wait_done());
    EXPECT_EQ(first->texts(), std::vector<std::string>{"one "});
    EXPECT_EQ(first->error(), "canceled");
    EXPECT_TRUE(second->texts().empty());
    EXPECT_EQ(second->error(), "canceled");
}

TEST(ScriptedChat, NoRepliesGiveEmptyAnswers) {
    auto model = make_scripted_chat({});
    auto log = answer(*model, with_users(1));
    EXPECT_TRUE(log->order() == std::vector<std::string>{"done:"});
}

TEST(ScriptedChat, TheDestructorFinishesQueuedAnswers) {
    auto log = ChatLog::make();
    {
        auto model = make_scripted_chat({{"still said", std::nullopt}});
        auto stream = model->chat(with_users(1), log->callbacks());
    }
    EXPECT_EQ(log->dones(), 1);
    EXPECT_EQ(log->joined(), "still said");
}

TEST(ScriptedChat, TheDemoScriptIsThreePlainTurnsEndingTheCall) {
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
