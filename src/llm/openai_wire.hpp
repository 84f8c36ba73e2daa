#pragma once
// Internal to llm/: Chat Completions' JSON, apart from any socket, so that what we send and how
// we read the stream can be tested on their own.
#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "llm/chat.hpp"
#include "llm/openai_chat.hpp"

namespace va::llm::openai {

// The request body: model, messages, "stream": true, tools (only when there are some),
// temperature and max_tokens when set. Throws std::invalid_argument when a tool's parameters are
// not a JSON object (an empty string stands for "no parameters").
std::string request_body(const OpenAiConfig& config, const ChatRequest& request);

// base_url + "/chat/completions" (one trailing slash tolerated), a query kept at the end
// (Azure's "?api-version=...").
std::string completions_url(std::string_view base_url);

// What a non-2xx answer says: "HTTP 401: <error.message>" when the body is OpenAI's error JSON,
// "HTTP 401" otherwise.
std::string http_error(unsigned status, std::string_view body);

// `text` with every occurrence of `secret` replaced by "[redacted]" (nothing when it is empty):
// a server may echo the key back, and error strings end up in logs.
std::string redact(std::string text, std::string_view secret);

// Turns the stream's `data:` payloads into text deltas and whole tool calls. Tool calls arrive as
// fragments keyed by `index` (id and name first, the arguments in pieces) and are released together,
// in index order, at finish_reason or [DONE].
class StreamDecoder {
public:
    struct Step {
        std::string text;                 // this payload's content delta ("" when none)
        std::vector<ToolCall> tool_calls; // completed calls, in index order
        bool first_token = false;         // the payload carried text or a tool-call fragment
        bool done = false;                // the answer is complete
        std::optional<std::string> error; // why the stream is broken, once it is
    };

    // One `data:` payload: a chunk's JSON, or "[DONE]".
    Step on_data(std::string_view payload);
    // The body ended without [DONE]: complete when a finish_reason came first.
    Step on_end();

private:
    void release(Step& step);

    std::map<std::int64_t, ToolCall> pending_;  // by the provider's index
    std::size_t pending_bytes_ = 0;
    bool finished_ = false;
    bool cut_at_length_ = false;
};

}  // namespace va::llm::openai
