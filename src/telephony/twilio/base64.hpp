#pragma once
// Standard base64 (RFC 4648 §4, '+' '/' and '=' padding), as Media Streams frames carry μ-law audio.
#include <array>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace va::twilio {

std::string base64_encode(std::span<const std::uint8_t> bytes);
// The same appended to `out` (an outbound media message is written around it).
void base64_append(std::string& out, std::span<const std::uint8_t> bytes);

// Strict: length a multiple of 4, only the standard alphabet, '=' only as the last one or two
// characters, no whitespace, and unused bits of the last group zero (so every input has exactly
// one accepted spelling). Returns nullopt otherwise. "" decodes to no bytes.
std::optional<std::vector<std::uint8_t>> base64_decode(std::string_view text);

namespace detail {
inline constexpr char kBase64Alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
// 0..63 for an alphabet character, -1 for anything else (including '='). In the header, so that
// a decoding loop inlines the lookups.
inline constexpr auto kBase64Sextets = [] {
    std::array<std::int8_t, 256> table{};
    for (auto& v : table) v = -1;
    for (int i = 0; i < 64; ++i) table[static_cast<unsigned char>(kBase64Alphabet[i])] = static_cast<std::int8_t>(i);
    return table;
}();
inline int base64_sextet(char c) { return kBase64Sextets[static_cast<unsigned char>(c)]; }
}  // namespace detail

// base64_decode's rules, each byte handed to `out(byte)` as it is decoded: no buffer of its own,
// so a caller can turn the bytes into what it needs in the same pass (a media frame's μ-law into
// PCM). False when the text breaks a rule; bytes before the fault may have been handed over.
template <class Out>
bool base64_decode_into(std::string_view text, Out&& out) {
    if (text.size() % 4 != 0) return false;
    for (std::size_t i = 0; i < text.size(); i += 4) {
        const bool last = i + 4 == text.size();
        const int a = detail::base64_sextet(text[i]);
        const int b = detail::base64_sextet(text[i + 1]);
        if (a < 0 || b < 0) return false;
        // Padding: "xx==" or "xxx=", and only in the final group.
        std::size_t pad = 0;
        if (last && text[i + 3] == '=') pad = text[i + 2] == '=' ? 2 : 1;
        const int c = pad >= 2 ? 0 : detail::base64_sextet(text[i + 2]);
        const int d = pad >= 1 ? 0 : detail::base64_sextet(text[i + 3]);
        if (c < 0 || d < 0) return false;
        const auto group = static_cast<std::uint32_t>(a << 18 | b << 12 | c << 6 | d);
        if (pad == 2 && (group & 0xFFFF) != 0) return false;  // stray bits: not canonical
        if (pad == 1 && (group & 0xFF) != 0) return false;
        out(static_cast<std::uint8_t>(group >> 16));
        if (pad < 2) out(static_cast<std::uint8_t>(group >> 8));
        if (pad < 1) out(static_cast<std::uint8_t>(group));
    }
    return true;
}

}  // namespace va::twilio
