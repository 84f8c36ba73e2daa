#pragma once
// A chat model that streams its answer: text deltas as tokens arrive, and tool calls. Every LLM
// provider implements this: the OpenAI-compatible client (openai_chat.hpp) and the scripted
// responder (scripted_chat.hpp) of the demo and the tests.
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include <boost/asio/awaitable.hpp>

#include "engine/error.hpp"

namespace va::llm {

struct ToolCall {
    std::string id;         // the provider's id, echoed back in the tool's answer
    std::string name;       // e.g. "end_call"
    std::string arguments;  // a JSON object, as text
};

struct Message {
    std::string role;  // "system", "user", "assistant" or "tool"
    std::string content;
    std::vector<ToolCall> tool_calls;  // an assistant message that called tools
    std::string tool_call_id;          // a "tool" message: the call it answers
};

struct Tool {
    std::string name;
    std::string description;
    std::string parameters;  // JSON Schema of the arguments, as text
};

struct ChatRequest {
    std::vector<Message> messages;
    std::vector<Tool> tools;
    std::string model;  // "" = the model the provider was set up with
};

// What an answer hands over as it streams, on the caller's executor.
struct ChatSink {
    std::function<void(std::string delta)> on_text;  // each piece of the answer's text, in order
    std::function<void(ToolCall call)> on_tool_call;  // a complete tool call, in order with the text
};

class ChatModel {
public:
    virtual ~ChatModel() = default;
    // Asks for an answer to `request`, streamed into `sink`. Completes when the answer is complete,
    // or with engine::Errc (what failed is logged with the model's name, never with a secret).
    // Cancelling the caller stops the answer and throws operation_aborted; nothing is handed over
    // after that.
    virtual boost::asio::awaitable<engine::Result<void>> answer(ChatRequest request, ChatSink sink) = 0;
    // What answers ("openai:gpt-4o-mini", "scripted"), for logs and the call log; with `model`,
    // what answers a request that asks for that model.
    virtual std::string name(const std::string& model = {}) const = 0;
};

}  // namespace va::llm
