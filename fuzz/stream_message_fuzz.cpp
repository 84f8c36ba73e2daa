// Media Streams messages as Twilio (or anyone reaching our socket) might send them: the parsers
// must never crash or throw, and whatever they accept must survive a round trip.
#include <cstddef>
#include <cstdint>
#include <string_view>

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
    auto outbound = parse_outbound(text);
    if (auto* ok = std::get_if<ParsedOutbound>(&outbound)) {
        auto again = parse_outbound(to_json(ok->message, ok->stream_sid));
        auto* same = std::get_if<ParsedOutbound>(&again);
        if (!same || !(same->message == ok->message)) __builtin_trap();
    }
    return 0;
}
