#include "call/stream_token.hpp"

#include <charconv>
#include <stdexcept>
#include <vector>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

namespace va::call {

namespace {

constexpr std::string_view kVersion = "v2";
constexpr std::size_t kMacBytes = 16;  // HMAC-SHA256 truncated to 128 bits, as hex

std::string hmac_sha256(std::string_view key, std::string_view data) {
    unsigned char out[EVP_MAX_MD_SIZE];
    unsigned int length = 0;
    if (!HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()), reinterpret_cast<const unsigned char*>(data.data()),
              data.size(), out, &length)) {
        throw std::runtime_error("HMAC-SHA256 failed");
    }
    return std::string(reinterpret_cast<const char*>(out), length);
}

std::string hex(std::string_view bytes) {
    static constexpr char kDigits[] = "0123456789abcdef";
    std::string out;
    for (unsigned char c : bytes) {
        out += kDigits[c >> 4];
        out += kDigits[c & 15];
    }
    return out;
}

std::vector<std::string_view> split(std::string_view text, char separator) {
    std::vector<std::string_view> parts;
    for (std::size_t start = 0;;) {
        auto end = text.find(separator, start);
        parts.push_back(text.substr(start, end == std::string_view::npos ? std::string_view::npos : end - start));
        if (end == std::string_view::npos) return parts;
        start = end + 1;
    }
}

}  // namespace

StreamTokens::StreamTokens(std::string_view secret) : key_(hmac_sha256(secret, "voiceagent media stream token")) {}

std::string StreamTokens::mac(std::string_view payload) const {
    return hex(std::string_view(hmac_sha256(key_, payload)).substr(0, kMacBytes));
}

std::string StreamTokens::issue(const StreamGrant& grant) const {
    for (const auto* field : {&grant.scheduled_call_id, &grant.attempt_id, &grant.call_log_id, &grant.call_sid}) {
        if (field->find('|') != std::string::npos) throw std::invalid_argument("a stream token field holds '|'");
    }
    const std::string payload = std::string(kVersion) + "|" + grant.scheduled_call_id + "|" + grant.attempt_id + "|" +
                                grant.call_log_id + "|" + grant.call_sid + "|" +
                                std::to_string(grant.expires_at.time_since_epoch().count());
    return payload + "|" + mac(payload);
}

std::optional<StreamGrant> StreamTokens::verify(std::string_view token, core::TimePoint now) const {
    const auto last = token.rfind('|');
    if (last == std::string_view::npos) return std::nullopt;
    const auto payload = token.substr(0, last);
    const auto given = token.substr(last + 1);
    const auto expected = mac(payload);
    if (given.size() != expected.size() || CRYPTO_memcmp(given.data(), expected.data(), expected.size()) != 0) {
        return std::nullopt;
    }
    // Authentic from here on: the fields are ours, but still parsed defensively.
    auto fields = split(payload, '|');
    if (fields.size() != 6 || fields[0] != kVersion || fields[3].empty() || fields[4].empty()) return std::nullopt;
    long long expires_ms = 0;
    const auto& ms = fields[5];
    if (std::from_chars(ms.data(), ms.data() + ms.size(), expires_ms).ptr != ms.data() + ms.size()) return std::nullopt;
    StreamGrant grant{std::string(fields[1]), std::string(fields[2]), std::string(fields[3]), std::string(fields[4]),
                      core::TimePoint{core::Millis{expires_ms}}};
    if (now >= grant.expires_at) return std::nullopt;
    return grant;
}

}  // namespace va::call
