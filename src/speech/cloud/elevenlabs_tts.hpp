#pragma once
// ElevenLabs text to speech, streamed: `POST {base_url}/v1/text-to-speech/{voice_id}/stream
// ?output_format=ulaw_8000` with `xi-api-key`, body {"text", "model_id"}; the answer is raw μ-law
// at 8 kHz, chunked while it is synthesised, decoded here to 8 kHz PCM as it arrives.
#include <chrono>
#include <memory>
#include <string>

#include "speech/tts.hpp"

namespace va::speech {

struct ElevenLabsConfig {
    std::string base_url = "https://api.elevenlabs.io";
    std::string api_key;  // sent as xi-api-key; never in an error or a log
    std::string voice_id;
    std::string model_id = "eleven_flash_v2_5";
    // From the start (connecting included) until the first audio byte / until the audio is complete.
    std::chrono::milliseconds first_audio_timeout{5000}, total_timeout{30000};
};

// Each synthesis is one request over a connection of its own, on the caller's executor. Text of
// whitespace only is spoken at once, without a request. A failure is logged as "HTTP <status>: <detail>", a
// timeout or the I/O error. Throws std::invalid_argument when base_url is not http(s) or voice_id is empty.
std::unique_ptr<TextToSpeech> make_elevenlabs_tts(ElevenLabsConfig config);

}  // namespace va::speech
