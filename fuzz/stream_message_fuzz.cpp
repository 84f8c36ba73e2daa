// Media Streams messages as Twilio (or anyone reaching our socket) might send them: the parsers
// must never crash or throw, whatever they accept must survive a round trip, and the media fast
// and mark fast paths accept nothing the parser would not.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "telephony/twilio/base64.hpp"
#include "telephony/twilio/media_frame.hpp"
#include "telephony/twilio/stream_message.hpp"

using namespace va::twilio;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view text(reinterpret_cast<const char*>(data), size);
    auto inbound = parse_inbound(text);
    if (auto* ok = std::get_if<ParsedInbound>(&inbound)) {
        auto again = parse_inbound(to_json(ok->message, ok->sequence_number, ok->stream_sid));
        auto* same = std::get_if<ParsedInbound>(&again);
        if (!same || !(same->message == ok->message)) __builtin_trap();
    }
    // The fast paths, for the stream the text names: whatever they accept, the parser accepts as
    // a media frame (a mark) of that stream with the same payload (name).
    if (auto at = text.find("\"streamSid\":\""); at != std::string_view::npos) {
        auto sid = text.substr(at + 13);
        sid = sid.substr(0, sid.find('"'));
        auto payload = media_payload(text, sid);
        auto bytes = payload ? base64_decode(*payload) : std::nullopt;
        if (bytes) {
            auto* ok = std::get_if<ParsedInbound>(&inbound);
            auto* media = ok ? std::get_if<Media>(&ok->message) : nullptr;
            if (!media || ok->stream_sid != sid || *bytes != media->payload) __builtin_trap();
        }
        if (auto name = mark_name(text, sid)) {
            auto* ok = std::get_if<ParsedInbound>(&inbound);
            auto* mark = ok ? std::get_if<Mark>(&ok->message) : nullptr;
            if (!mark || ok->stream_sid != sid || *name != mark->name) __builtin_trap();
        }
    }
    auto outbound = parse_outbound(text);
    if (auto* ok = std::get_if<ParsedOutbound>(&outbound)) {
        auto again = parse_outbound(to_json(ok->message, ok->stream_sid));
        auto* same = std::get_if<ParsedOutbound>(&again);
        if (!same || !(same->message == ok->message)) __builtin_trap();
    }
    return 0;
}
