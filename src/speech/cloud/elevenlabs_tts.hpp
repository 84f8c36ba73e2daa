#pragma once
// ElevenLabs text to speech, streamed: `POST {base_url}/v1/text-to-speech/{voice_id}/stream
// ?output_format=ulaw_8000` with `xi-api-key`, body {"text", "model_id"}; the answer is raw μ-law
// at 8 kHz, chunked while it is synthesised, decoded here to 8 kHz PCM as it arrives.
#include <chrono>
#include <memory>
#include <string>

#include <boost/asio/io_context.hpp>

#include "speech/tts.hpp"

namespace va::speech {

struct ElevenLabsConfig {
    std::string base_url = "https://api.elevenlabs.io";
    std::string api_key;  // sent as xi-api-key; never in an error or a log
    std::string voice_id;
    std::string model_id = "eleven_flash_v2_5";
    // From speak() (connecting included) until the first audio byte / until the audio is complete.
    std::chrono::milliseconds first_audio_timeout{5000}, total_timeout{30000};
};

// Each speak() runs on its own strand of `io` (which must outlive every speech) over a connection
// of its own; the callbacks are called there, on an io thread. Text of whitespace only ends with
// on_done("") and no request. Errors: "HTTP <status>: <detail>", "timeout: ...", "canceled",
// "connect: ..." and the like. Throws std::invalid_argument when base_url is not http(s) or
// voice_id is empty.
std::unique_ptr<TextToSpeech> make_elevenlabs_tts(boost::asio::io_context& io, ElevenLabsConfig config);

}  // namespace va::speech
