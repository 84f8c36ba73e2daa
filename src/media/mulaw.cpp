#include "media/mulaw.hpp"

#include <array>

namespace va::media {
namespace {

constexpr int kBias = 0x84;   // shifts the segment boundaries so that every segment is a power of two
constexpr int kClip = 32635;  // 32767 - kBias: the largest magnitude that still fits after biasing

// The classic (Sun g711.c) encoder, used only to build the table below at compile time.
constexpr std::uint8_t encode_slow(int sample) {
    const int sign = sample < 0 ? 0x80 : 0x00;
    int magnitude = sample < 0 ? -sample : sample;  // int, so -(-32768) does not overflow
    if (magnitude > kClip) magnitude = kClip;
    magnitude += kBias;
    // Segment (exponent) = position of the highest set bit above bit 7.
    int exponent = 7;
    for (int mask = 0x4000; (magnitude & mask) == 0 && exponent > 0; mask >>= 1) --exponent;
    const int mantissa = (magnitude >> (exponent + 3)) & 0x0F;
    // G.711 transmits the complement (keeps the line busy with ones during silence).
    return static_cast<std::uint8_t>(~(sign | (exponent << 4) | mantissa));
}

// Indexed by the sample's bit pattern as uint16; 64 KiB buys one load per sample, exact for every
// input (a 14-bit table would round negative samples differently from the reference encoder).
constexpr auto kEncodeTable = [] {
    std::array<std::uint8_t, 65536> table{};
    for (int i = 0; i < 65536; ++i) table[static_cast<std::size_t>(i)] = encode_slow(i < 32768 ? i : i - 65536);
    return table;
}();

static_assert(kEncodeTable[0] == kMulawSilence);
static_assert(detail::kMulawDecodeTable[0x00] == -32124 && detail::kMulawDecodeTable[0x80] == 32124);

}  // namespace

std::uint8_t mulaw_encode(std::int16_t sample) { return kEncodeTable[static_cast<std::uint16_t>(sample)]; }

std::vector<std::uint8_t> encode_mulaw(std::span<const std::int16_t> pcm) {
    std::vector<std::uint8_t> out(pcm.size());
    for (std::size_t i = 0; i < pcm.size(); ++i) out[i] = mulaw_encode(pcm[i]);
    return out;
}

std::vector<std::int16_t> decode_mulaw(std::span<const std::uint8_t> codes) {
    std::vector<std::int16_t> out(codes.size());
    decode_mulaw(codes, out);
    return out;
}

void decode_mulaw(std::span<const std::uint8_t> codes, std::span<std::int16_t> out) {
    for (std::size_t i = 0; i < codes.size(); ++i) out[i] = mulaw_decode(codes[i]);
}

}  // namespace va::media
