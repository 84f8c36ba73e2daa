// The scripted model: each answer is a coroutine on the caller's executor.
#include "llm/scripted_chat.hpp"

#include <algorithm>
#include <atomic>

#include <boost/asio/post.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "engine/inbox.hpp"

namespace va::llm {
namespace {

namespace asio = boost::asio;

// "Thanks. Is it" -> "Thanks. ", "Is ", "it": each word keeps the spaces that follow it.
std::vector<std::string> words(const std::string& text) {
    std::vector<std::string> out;
    std::size_t at = 0;
    while (at < text.size()) {
        auto end = text.find(' ', at);
        if (end == std::string::npos) {
            out.push_back(text.substr(at));
            break;
        }
        end = text.find_first_not_of(' ', end);
        if (end == std::string::npos) end = text.size();
        out.push_back(text.substr(at, end - at));
        at = end;
    }
    return out;
}

class ScriptedChat final : public ChatModel {
public:
    explicit ScriptedChat(std::vector<ScriptedReply> replies) : replies_(std::move(replies)) {}

    asio::awaitable<engine::Result<void>> answer(ChatRequest request, ChatSink sink) override {
        const auto users = std::count_if(request.messages.begin(), request.messages.end(),
                                         [](const Message& m) { return m.role == "user"; });
        if (replies_.empty()) co_return engine::Result<void>{};
        const auto turn = static_cast<std::size_t>(std::max<std::ptrdiff_t>(users, 1) - 1);
        const auto& reply = replies_[std::min(turn, replies_.size() - 1)];
        const auto executor = co_await asio::this_coro::executor;
        for (auto& word : words(reply.text)) {
            // A word at a time, each after the caller has had its turn, as tokens arrive.
            co_await asio::post(executor, asio::use_awaitable);
            co_await engine::stop_if_cancelled();
            if (sink.on_text) sink.on_text(std::move(word));
        }
        if (reply.tool) {
            auto call = *reply.tool;
            if (call.id.empty()) call.id = "call_scripted_" + std::to_string(++calls_);
            if (call.arguments.empty()) call.arguments = "{}";
            if (sink.on_tool_call) sink.on_tool_call(std::move(call));
        }
        co_return engine::Result<void>{};
    }

    std::string name(const std::string&) const override { return "scripted"; }

private:
    const std::vector<ScriptedReply> replies_;
    std::atomic<std::size_t> calls_ = 0;  // answers run on many calls' executors
};

}  // namespace

std::unique_ptr<ChatModel> make_scripted_chat(std::vector<ScriptedReply> replies) {
    return std::make_unique<ScriptedChat>(std::move(replies));
}

std::vector<ScriptedReply> default_demo_script() {
    ToolCall end_call;
    end_call.id = "call_end";
    end_call.name = "end_call";
    end_call.arguments = "{}";
    return {
        {"Thanks. Is tomorrow at ten a good time for your appointment?", std::nullopt},
        {"Great, you are booked for tomorrow at ten.", std::nullopt},
        {"Thank you, goodbye.", end_call},
    };
}

}  // namespace va::llm
