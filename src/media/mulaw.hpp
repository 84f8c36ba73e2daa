#pragma once
// G.711 μ-law (ITU-T G.711), the telephone line codec: 8-bit codes at 8 kHz. Table driven, so it is
// cheap enough to run on every audio frame of every call.
#include <cstdint>
#include <span>
#include <vector>

namespace va::media {

// The code a silent (zero) sample encodes to; use it to pad or fill gaps on the line.
inline constexpr std::uint8_t kMulawSilence = 0xFF;

// Encoding clips magnitudes above 32635 (the G.711 range); encode(0) == kMulawSilence.
std::uint8_t mulaw_encode(std::int16_t sample);
// decode(0x7F) == decode(0xFF) == 0: μ-law has a negative and a positive zero.
std::int16_t mulaw_decode(std::uint8_t code);

std::vector<std::uint8_t> encode_mulaw(std::span<const std::int16_t> pcm);
std::vector<std::int16_t> decode_mulaw(std::span<const std::uint8_t> codes);
// Into `out` (at least codes.size() long), for the per-frame path: no allocation.
void decode_mulaw(std::span<const std::uint8_t> codes, std::span<std::int16_t> out);

}  // namespace va::media
