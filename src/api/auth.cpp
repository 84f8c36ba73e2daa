#include "api/auth.hpp"

#include <openssl/crypto.h>
#include <openssl/evp.h>

#include "api/local_access.hpp"

namespace va::api {

ApiAuth::ApiAuth(const std::vector<ApiToken>& tokens, const std::string& public_url)
    : public_origin_(origin_of(public_url)) {
    for (const auto& token : tokens) {
        if (!token.value.empty()) tokens_.push_back({digest(token.value), token.scopes});
    }
}

ApiAuth::Digest ApiAuth::digest(std::string_view token) {
    // Comparing fixed-size digests hides the tokens' lengths as well as their contents.
    Digest out{};
    unsigned int size = 0;
    EVP_Digest(token.data(), token.size(), out.data(), &size, EVP_sha256(), nullptr);
    return out;
}

ApiResult<Caller> ApiAuth::authenticate(const net::Request& request) const {
    if (tokens_.empty()) {
        if (auto refusal = refuse_non_local(request, public_origin_)) return ApiError{ErrorCode::forbidden, *refusal, ""};
        return Caller{kAllScopes, "client " + request.remote_address};
    }
    auto header = request.header("Authorization");
    constexpr std::string_view kScheme = "Bearer ";
    if (!header || header->size() <= kScheme.size() || !net::equals_ignore_case(header->substr(0, kScheme.size()), kScheme)) {
        return ApiError{ErrorCode::unauthorized, "send Authorization: Bearer <token>", ""};
    }
    auto presented = digest(header->substr(kScheme.size()));
    std::optional<std::size_t> match;
    for (std::size_t i = 0; i < tokens_.size(); ++i) {
        // Every entry is compared, so the time taken does not tell which one matched.
        if (CRYPTO_memcmp(tokens_[i].digest.data(), presented.data(), presented.size()) == 0) match = i;
    }
    if (!match) return ApiError{ErrorCode::unauthorized, "the bearer token is not valid", ""};
    static constexpr char kHex[] = "0123456789abcdef";
    std::string fingerprint = "token ";
    for (std::size_t i = 0; i < 8; ++i) {
        fingerprint += kHex[tokens_[*match].digest[i] >> 4];
        fingerprint += kHex[tokens_[*match].digest[i] & 15];
    }
    return Caller{tokens_[*match].scopes, std::move(fingerprint)};
}

}  // namespace va::api
