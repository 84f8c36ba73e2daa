#pragma once
// Local stand-ins for the two cloud TTS wire formats, on test::ScriptedHttpServer (127.0.0.1, a
// free port, a thread of its own, every request recorded):
//   ElevenLabs: POST /v1/text-to-speech/{voice_id}/stream?output_format=ulaw_8000 → raw μ-law
//     bytes, chunked; errors as {"detail":{"status":..,"message":..}}.
//   OpenAI: POST /v1/audio/speech → raw 24 kHz s16le PCM, chunked; errors as
//     {"error":{"message":..,"type":..,"param":null,"code":..}}.
// Any other route gets the provider's 404. Replies are scripted per request (pieces, delays, hold
// until release(), drop, stall, never answer).
#include <cstdint>
#include <span>
#include <string>
#include <string_view>

#include "net/scripted_http_server.hpp"

namespace va::test {

class ElevenLabsStandin {
public:
    ElevenLabsStandin();
    ScriptedHttpServer& server() { return server_; }
    std::string base_url() const { return server_.base_url(); }  // like "https://api.elevenlabs.io"

    // μ-law bytes, `piece_bytes` per HTTP chunk, as the streaming endpoint sends them.
    static ScriptedReply audio(std::span<const std::uint8_t> mulaw, std::size_t piece_bytes);
    static ScriptedReply error(unsigned status, std::string_view code, std::string_view message);

private:
    ScriptedHttpServer server_;
};

class OpenAiSpeechStandin {
public:
    OpenAiSpeechStandin();
    ScriptedHttpServer& server() { return server_; }
    std::string base_url() const { return server_.base_url() + "/v1"; }  // like "https://api.openai.com/v1"

    // 24 kHz PCM as little-endian bytes, `piece_bytes` per HTTP chunk (odd sizes split samples).
    static ScriptedReply audio(std::span<const std::int16_t> pcm24k, std::size_t piece_bytes);
    static ScriptedReply error(unsigned status, std::string_view message, std::string_view type = "invalid_request_error");

private:
    ScriptedHttpServer server_;
};

}  // namespace va::test
