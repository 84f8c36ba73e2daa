#pragma once
// The hot path of a Media Stream: an admitted stream gets ~50 `media` frames a second, each a small
// JSON object of strings, and while the agent speaks ~10 echoed `mark`s. media_payload() and
// mark_name() recognise these in the shape Twilio sends without a JSON DOM or an allocation, and
// hand back the payload (base64, for the caller to decode straight into what it needs with
// base64_decode_into) or the mark's name, still in the frame's text. A frame it accepts whose
// payload then decodes is one parse_inbound() would accept as a media frame of this stream, with
// the same bytes (a payload that does not decode goes to parse_inbound() too, for its error);
// anything it is not sure of (escapes,
// non-ASCII, numbers, duplicate keys, another event) is left to parse_inbound(), which also words
// the error of a malformed frame.
#include <optional>
#include <string_view>

namespace va::twilio {

// The payload of `json` when it is a well-formed `media` frame of `stream_sid`: string fields only
// ("event", "sequenceNumber", "streamSid" and a "media" object of "track", "chunk", "timestamp",
// "payload"; others ignored), the numbers in strings as digits. nullopt: use parse_inbound().
std::optional<std::string_view> media_payload(std::string_view json, std::string_view stream_sid);
// The name of `json` when it is a well-formed `mark` frame of `stream_sid` (the same rules, with a
// "mark" object holding "name"). nullopt: use parse_inbound().
std::optional<std::string_view> mark_name(std::string_view json, std::string_view stream_sid);

}  // namespace va::twilio
