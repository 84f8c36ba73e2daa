#pragma once
// Media Streams WebSocket messages (JSON text frames), both directions, shaped as in
// docs/twilio.md: sequenceNumber, chunk and timestamp are strings; sampleRate and
// channels are numbers. The simulator builds inbound frames and parses outbound ones; our server
// does the reverse. Parsers are strict (wrong types and missing fields are errors, unknown extra
// fields are ignored) and never throw.
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

namespace va::twilio {

// ---- Twilio -> our server ----

struct Connected {
    std::string protocol = "Call";
    std::string version = "1.0.0";
    bool operator==(const Connected&) const = default;
};
struct MediaFormat {
    std::string encoding = "audio/x-mulaw";
    int sample_rate = 8000;
    int channels = 1;
    bool operator==(const MediaFormat&) const = default;
};
struct Start {
    std::string stream_sid, account_sid, call_sid;
    std::vector<std::string> tracks{"inbound"};
    MediaFormat media_format;
    std::vector<std::pair<std::string, std::string>> custom_parameters;  // JSON object order
    bool operator==(const Start&) const = default;
};
struct Media {
    std::string track = "inbound";
    std::uint64_t chunk = 0;
    std::uint64_t timestamp_ms = 0;  // since the stream started
    std::vector<std::uint8_t> payload;  // raw μ-law bytes (base64 on the wire)
    bool operator==(const Media&) const = default;
};
struct Dtmf {
    std::string track = "inbound_track";
    std::string digit;
    bool operator==(const Dtmf&) const = default;
};
struct Mark {
    std::string name;
    bool operator==(const Mark&) const = default;
};
struct Stop {
    std::string account_sid, call_sid;
    bool operator==(const Stop&) const = default;
};

using InboundMessage = std::variant<Connected, Start, Media, Dtmf, Mark, Stop>;

// "connected" carries neither sequenceNumber nor streamSid; every other event carries both. "start"
// also repeats the stream SID inside "start" (from `stream_sid`, not Start::stream_sid, so the two
// cannot disagree). Custom parameters with a repeated name: the last one wins (a JSON object).
std::string to_json(const InboundMessage& message, std::uint64_t sequence_number, std::string_view stream_sid);

struct ParsedInbound {
    InboundMessage message;
    std::string stream_sid;            // "" for "connected"
    std::uint64_t sequence_number = 0;  // 0 for "connected"
};
struct MessageError {
    std::string message;
};

// For "start", start.streamSid must equal the top-level streamSid and fills Start::stream_sid;
// customParameters may be absent (no parameters) but its values must be strings.
std::variant<ParsedInbound, MessageError> parse_inbound(std::string_view json);

// ---- our server -> Twilio ----

struct OutboundMedia {
    std::vector<std::uint8_t> payload;  // raw μ-law 8 kHz, no header
    bool operator==(const OutboundMedia&) const = default;
};
struct OutboundMark {
    std::string name;
    bool operator==(const OutboundMark&) const = default;
};
struct Clear {
    bool operator==(const Clear&) const = default;
};

using OutboundMessage = std::variant<OutboundMedia, OutboundMark, Clear>;

std::string to_json(const OutboundMessage& message, std::string_view stream_sid);

struct ParsedOutbound {
    OutboundMessage message;
    std::string stream_sid;
};

std::variant<ParsedOutbound, MessageError> parse_outbound(std::string_view json);

}  // namespace va::twilio
