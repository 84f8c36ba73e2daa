// CPU per inbound media frame in the parser alone, on one core: the full parse (parse_inbound,
// a Boost.JSON DOM in a stack buffer, then μ-law to PCM) against the fast path (media_payload,
// then base64 and μ-law to PCM in one pass into a reused buffer). A frame like Twilio's: 160 bytes
// of audio, 216 characters of base64. Then the same two for an echoed mark, the VAD on a frame of
// line noise, and the JSON of an outbound 100 ms chunk with its mark. Usage: frame_bench [frames=2000000]
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "media/mulaw.hpp"
#include "speech/vad.hpp"
#include "telephony/twilio/base64.hpp"
#include "telephony/twilio/media_frame.hpp"
#include "telephony/twilio/stream_message.hpp"

using namespace va;

int main(int argc, char** argv) {
    const long frames = argc > 1 ? std::atol(argv[1]) : 2'000'000;
    const std::string sid = "MZ0123456789abcdef0123456789abcdef";
    std::vector<std::uint8_t> audio(160);
    for (std::size_t i = 0; i < audio.size(); ++i) audio[i] = static_cast<std::uint8_t>(i * 37);
    const auto frame = twilio::to_json(twilio::Media{"inbound", 1, 20, audio}, 2, sid);
    std::vector<std::int16_t> pcm;
    long sum = 0;  // keeps the work from being optimised away

    auto time = [&](const char* name, auto&& one) {
        const auto start = std::chrono::steady_clock::now();
        for (long i = 0; i < frames; ++i) one();
        const std::chrono::duration<double, std::nano> took = std::chrono::steady_clock::now() - start;
        std::printf("%-40s %7.1f ns per frame\n", name, took.count() / static_cast<double>(frames));
    };
    time("parse_inbound + decode_mulaw", [&] {
        auto parsed = twilio::parse_inbound(frame);
        const auto& media = std::get<twilio::Media>(std::get<twilio::ParsedInbound>(parsed).message);
        pcm.resize(media.payload.size());
        media::decode_mulaw(media.payload, pcm);
        sum += pcm[7];
    });
    time("media_payload + base64_decode_into", [&] {
        auto payload = twilio::media_payload(frame, sid);
        pcm.resize(payload->size() / 4 * 3);
        std::size_t samples = 0;
        twilio::base64_decode_into(*payload, [&](std::uint8_t code) { pcm[samples++] = media::mulaw_decode(code); });
        pcm.resize(samples);
        sum += pcm[7];
    });
    const auto mark = twilio::to_json(twilio::Mark{"reply-12.3"}, 3, sid);
    time("mark: parse_inbound", [&] {
        auto parsed = twilio::parse_inbound(mark);
        sum += static_cast<long>(std::get<twilio::Mark>(std::get<twilio::ParsedInbound>(parsed).message).name.size());
    });
    time("mark: mark_name", [&] { sum += static_cast<long>(twilio::mark_name(mark, sid)->size()); });
    speech::Vad vad;
    std::vector<std::int16_t> noise(160);
    unsigned seed = 1;
    for (auto& sample : noise) {
        seed = seed * 1103515245 + 12345;
        sample = static_cast<std::int16_t>(static_cast<int>((seed >> 16) & 0x3FF) - 512);
    }
    time("Vad::process, 160 samples of noise", [&] { sum += vad.process(noise); });
    const std::vector<std::uint8_t> chunk(800, 0x7F);  // 100 ms of the agent's audio
    time("outbound: 100 ms chunk + mark to JSON", [&] {
        auto media = twilio::to_json(twilio::OutboundMedia{chunk}, sid);
        auto mark_json = twilio::to_json(twilio::OutboundMark{"3:1200"}, sid);
        sum += static_cast<long>(media.size() + mark_json.size());
    });
    std::printf("(%ld)\n", sum & 1);
}
