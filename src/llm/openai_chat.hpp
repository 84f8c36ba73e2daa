#pragma once
// The OpenAI Chat Completions client (and anything that speaks its wire format: Azure, vLLM,
// Ollama, llama.cpp's server, ...), streaming: `POST {base_url}/chat/completions` with
// `"stream": true`, the answer read as Server-Sent Events while it arrives.
#include <chrono>
#include <memory>
#include <optional>
#include <string>

#include <boost/asio/io_context.hpp>

#include "llm/chat.hpp"

namespace va::llm {

struct OpenAiConfig {
    std::string base_url;  // "https://api.openai.com/v1" (a trailing slash is fine)
    std::string api_key;   // sent as "Authorization: Bearer ..." when not empty; never logged
    std::string model;     // "gpt-4o-mini"
    // From chat() (connecting included) until the first text or tool-call fragment arrives.
    std::chrono::milliseconds first_token_timeout{10'000};
    // From chat() until the answer is complete.
    std::chrono::milliseconds total_timeout{60'000};
    std::optional<double> temperature;
    std::optional<int> max_tokens;
};

// Each chat() runs on its own strand of `io` (which must outlive every answer), over a connection
// of its own; callbacks are called there. Dropping the returned stream does not stop the answer:
// call cancel(). Throws std::invalid_argument when base_url is not an http:// or https:// URL.
std::unique_ptr<ChatModel> make_openai_chat(boost::asio::io_context& io, OpenAiConfig config);

}  // namespace va::llm
