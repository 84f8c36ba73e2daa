#pragma once
// G.711 μ-law (ITU-T G.711), the telephone line codec: 8-bit codes at 8 kHz. Table driven, so it is
// cheap enough to run on every audio frame of every call.
#include <array>
#include <cstdint>
#include <span>
#include <vector>

namespace va::media {

// The code a silent (zero) sample encodes to; use it to pad or fill gaps on the line.
inline constexpr std::uint8_t kMulawSilence = 0xFF;

// Encoding clips magnitudes above 32635 (the G.711 range); encode(0) == kMulawSilence.
std::uint8_t mulaw_encode(std::int16_t sample);
namespace detail {
constexpr std::int16_t mulaw_decode_slow(std::uint8_t code) {
    constexpr int kBias = 0x84;
    const int u = ~code & 0xFF;
    int t = ((u & 0x0F) << 3) + kBias;
    t <<= (u & 0x70) >> 4;
    return static_cast<std::int16_t>((u & 0x80) ? (kBias - t) : (t - kBias));
}
// In the header, so that a decoding loop (a media frame's payload) inlines the lookup.
inline constexpr auto kMulawDecodeTable = [] {
    std::array<std::int16_t, 256> table{};
    for (int i = 0; i < 256; ++i) table[static_cast<std::size_t>(i)] = mulaw_decode_slow(static_cast<std::uint8_t>(i));
    return table;
}();
}  // namespace detail

// decode(0x7F) == decode(0xFF) == 0: μ-law has a negative and a positive zero.
inline std::int16_t mulaw_decode(std::uint8_t code) { return detail::kMulawDecodeTable[code]; }

std::vector<std::uint8_t> encode_mulaw(std::span<const std::int16_t> pcm);
std::vector<std::int16_t> decode_mulaw(std::span<const std::uint8_t> codes);
// Into `out` (at least codes.size() long), for the per-frame path: no allocation.
void decode_mulaw(std::span<const std::uint8_t> codes, std::span<std::int16_t> out);

}  // namespace va::media
