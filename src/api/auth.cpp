#include "api/auth.hpp"

#include <openssl/crypto.h>
#include <openssl/evp.h>

namespace va::api {

ApiAuth::ApiAuth(const std::vector<std::string>& tokens) {
    for (const auto& token : tokens) {
        if (!token.empty()) digests_.push_back(digest(token));
    }
}

ApiAuth::Digest ApiAuth::digest(std::string_view token) {
    // Comparing fixed-size digests hides the tokens' lengths as well as their contents.
    Digest out{};
    unsigned int size = 0;
    EVP_Digest(token.data(), token.size(), out.data(), &size, EVP_sha256(), nullptr);
    return out;
}

std::optional<ApiError> ApiAuth::check(const net::Request& request) const {
    if (digests_.empty()) {
        if (request.from_loopback) return std::nullopt;
        return ApiError{ErrorCode::forbidden,
                        "no API tokens are configured (VA_API_TOKENS), so the API answers only loopback clients", ""};
    }
    auto header = request.header("Authorization");
    constexpr std::string_view kScheme = "Bearer ";
    if (!header || header->size() <= kScheme.size() || !net::equals_ignore_case(header->substr(0, kScheme.size()), kScheme)) {
        return ApiError{ErrorCode::unauthorized, "send Authorization: Bearer <token>", ""};
    }
    auto presented = digest(header->substr(kScheme.size()));
    bool match = false;
    for (const auto& d : digests_) match |= CRYPTO_memcmp(d.data(), presented.data(), d.size()) == 0;
    if (!match) return ApiError{ErrorCode::unauthorized, "the bearer token is not valid", ""};
    return std::nullopt;
}

}  // namespace va::api
