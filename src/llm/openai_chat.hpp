#pragma once
// The OpenAI Chat Completions client (and anything that speaks its wire format: Azure, vLLM,
// Ollama, llama.cpp's server, ...), streaming: `POST {base_url}/chat/completions` with
// `"stream": true`, the answer read as Server-Sent Events while it arrives.
#include <chrono>
#include <memory>
#include <optional>
#include <string>

#include "llm/chat.hpp"

namespace va::llm {

struct OpenAiConfig {
    std::string base_url;  // "https://api.openai.com/v1" (a trailing slash is fine)
    std::string api_key;   // sent as "Authorization: Bearer ..." when not empty; never logged
    std::string model;     // "gpt-4o-mini"
    // From the start (connecting included) until the first text or tool-call fragment arrives.
    std::chrono::milliseconds first_token_timeout{10'000};
    // From the start until the answer is complete.
    std::chrono::milliseconds total_timeout{60'000};
    std::optional<double> temperature;
    std::optional<int> max_tokens = 300;  // bounds each answer's cost: a phone answer is a few sentences
};

// Each answer is one request over a connection of its own, on the caller's executor. A failure is
// logged as "HTTP <status>: <error.message>", a timeout, a broken stream or the I/O error.
// Throws std::invalid_argument when base_url is not an http:// or https:// URL.
std::unique_ptr<ChatModel> make_openai_chat(OpenAiConfig config);

}  // namespace va::llm
