#pragma once
// Standard base64 (RFC 4648 §4, '+' '/' and '=' padding), as Media Streams frames carry μ-law audio.
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace va::twilio {

std::string base64_encode(std::span<const std::uint8_t> bytes);

// Strict: length a multiple of 4, only the standard alphabet, '=' only as the last one or two
// characters, no whitespace, and unused bits of the last group zero (so every input has exactly
// one accepted spelling). Returns nullopt otherwise. "" decodes to no bytes.
std::optional<std::vector<std::uint8_t>> base64_decode(std::string_view text);

}  // namespace va::twilio
