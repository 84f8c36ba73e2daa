#pragma once
// OpenAI's speech endpoint (and servers that copy it), streamed: `POST {base_url}/audio/speech`
// with {"model", "input", "voice", "response_format": "pcm"}; the answer is raw 24 kHz 16-bit
// little-endian mono PCM, chunked while it is synthesised, resampled here to 8 kHz as it arrives.
#include <chrono>
#include <memory>
#include <string>

#include "speech/tts.hpp"

namespace va::speech {

struct OpenAiTtsConfig {
    std::string base_url = "https://api.openai.com/v1";  // a trailing slash is fine
    std::string api_key;  // "Authorization: Bearer ..." when not empty; never in an error or a log
    std::string model = "gpt-4o-mini-tts";
    std::string voice = "alloy";
    // From the start (connecting included) until the first audio byte / until the audio is complete.
    std::chrono::milliseconds first_audio_timeout{5000}, total_timeout{30000};
};

// Each synthesis is one request over a connection of its own, on the caller's executor. Text of
// whitespace only is spoken at once, without a request. A failure is logged as "HTTP <status>: <error.message>", a
// timeout or the I/O error. Throws std::invalid_argument when base_url is not http(s).
std::unique_ptr<TextToSpeech> make_openai_tts(OpenAiTtsConfig config);

}  // namespace va::speech
