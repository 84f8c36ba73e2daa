// A chat model as a coroutine awaits it: the model's callbacks, on its own threads, reach the
// caller through an inbox (engine/inbox.hpp).
#include <optional>

#include <spdlog/spdlog.h>

#include "engine/inbox.hpp"
#include "llm/chat.hpp"

namespace va::llm {

namespace asio = boost::asio;

namespace {

struct Streamed {
    std::string text;
    std::optional<ToolCall> tool_call;
    std::optional<std::string> done;  // set last: "" when the answer is complete, else what failed
};

}  // namespace

asio::awaitable<engine::Result<void>> answer(ChatModel& model, ChatRequest request, ChatSink sink) {
    engine::Inbox<Streamed> inbox(co_await asio::this_coro::executor);
    auto send = inbox.sender();
    const auto asked = request.model;
    engine::CancelUnlessDone<ChatStream> guard{model.chat(std::move(request),
                                    {[send](std::string delta) { send({std::move(delta), std::nullopt, std::nullopt}); },
                                     [send](ToolCall call) { send({{}, std::move(call), std::nullopt}); },
                                     [send](std::string error) { send({{}, std::nullopt, std::move(error)}); }})};
    for (;;) {
        auto event = co_await inbox.receive();
        if (event.tool_call) {
            if (sink.on_tool_call) sink.on_tool_call(std::move(*event.tool_call));
        } else if (!event.done) {
            if (sink.on_text) sink.on_text(std::move(event.text));
        } else {
            guard.done = true;
            if (event.done->empty()) co_return engine::Result<void>{};
            spdlog::warn("the chat model ({}) failed: {}", model.name(asked), *event.done);
            co_return engine::Result<void>(engine::Errc::failed);
        }
    }
}

}  // namespace va::llm
