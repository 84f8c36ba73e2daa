#include "telephony/twilio/signature.hpp"

#include <algorithm>
#include <cstdint>
#include <span>
#include <vector>

#include <boost/url/parse.hpp>
#include <boost/url/url.hpp>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "telephony/twilio/base64.hpp"

namespace va::twilio {

namespace {

// OpenSSL wants a non-null pointer even for zero bytes.
const unsigned char* bytes_of(std::string_view s) {
    static const unsigned char kEmpty = 0;
    return s.empty() ? &kEmpty : reinterpret_cast<const unsigned char*>(s.data());
}

// The other spelling of `url` regarding its default port, or "" when there is none
// (unknown scheme, a non-default port, or a URL Boost.URL cannot parse).
std::string alternate_port_spelling(std::string_view url) {
    auto parsed = boost::urls::parse_uri(url);
    if (!parsed) return {};
    boost::urls::url u = *parsed;
    std::uint16_t default_port = 0;
    auto scheme = u.scheme();  // RFC 3986: schemes are case-insensitive
    auto iequals = [](std::string_view a, std::string_view b) {
        return std::equal(a.begin(), a.end(), b.begin(), b.end(), [](char x, char y) {
            return (x >= 'A' && x <= 'Z' ? static_cast<char>(x - 'A' + 'a') : x) == y;
        });
    };
    if (iequals(scheme, "https") || iequals(scheme, "wss")) {
        default_port = 443;
    } else if (iequals(scheme, "http") || iequals(scheme, "ws")) {
        default_port = 80;
    } else {
        return {};
    }
    if (!u.has_authority()) return {};
    if (u.has_port()) {
        // port_number() is 0 for an empty or out-of-range port; only the default one is dropped.
        if (u.port_number() != default_port || u.port() != std::to_string(default_port)) return {};
        u.remove_port();
    } else {
        u.set_port_number(default_port);
    }
    return std::string(u.buffer());
}

bool matches(std::string_view expected, std::string_view signature) {
    return expected.size() == signature.size() && CRYPTO_memcmp(expected.data(), signature.data(), expected.size()) == 0;
}

}  // namespace

std::string compute_signature(std::string_view auth_token, std::string_view url, const Params& form_params) {
    // Sorting the (name, value) pairs orders by name, then the values of a repeated name.
    std::vector<std::pair<std::string_view, std::string_view>> sorted;
    sorted.reserve(form_params.size());
    for (const auto& [name, value] : form_params) sorted.emplace_back(name, value);
    std::sort(sorted.begin(), sorted.end());

    std::string data(url);
    for (const auto& [name, value] : sorted) {
        data.append(name);
        data.append(value);
    }

    unsigned char mac[EVP_MAX_MD_SIZE];
    unsigned int mac_len = 0;
    if (auth_token.size() > 0x7FFFFFFF) return {};  // OpenSSL takes the key length as an int
    if (HMAC(EVP_sha1(), bytes_of(auth_token), static_cast<int>(auth_token.size()), bytes_of(data), data.size(), mac,
             &mac_len) == nullptr) {
        return {};  // only on allocation failure; an empty string never validates
    }
    return base64_encode(std::span<const std::uint8_t>(mac, mac_len));
}

bool validate_signature(std::string_view auth_token, std::string_view url, const Params& form_params,
                        std::string_view signature) {
    if (signature.empty()) return false;
    auto expected = compute_signature(auth_token, url, form_params);
    if (!expected.empty() && matches(expected, signature)) return true;
    auto alternate = alternate_port_spelling(url);
    if (alternate.empty()) return false;
    expected = compute_signature(auth_token, alternate, form_params);
    return !expected.empty() && matches(expected, signature);
}

std::string sha256_hex(std::string_view body) {
    unsigned char digest[EVP_MAX_MD_SIZE];
    unsigned int digest_len = 0;
    if (EVP_Digest(bytes_of(body), body.size(), digest, &digest_len, EVP_sha256(), nullptr) != 1) return {};
    static constexpr char kHex[] = "0123456789abcdef";
    std::string out;
    out.reserve(digest_len * 2);
    for (unsigned int i = 0; i < digest_len; ++i) {
        out.push_back(kHex[digest[i] >> 4]);
        out.push_back(kHex[digest[i] & 0x0F]);
    }
    return out;
}

}  // namespace va::twilio
