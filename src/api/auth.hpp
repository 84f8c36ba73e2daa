#pragma once
// Who may call the API. With tokens configured, a request must carry "Authorization: Bearer
// <token>" and gets that token's scopes; without tokens, only requests local to this machine are
// served (local_access.hpp), with every scope. Tokens are compared in constant time.
#include <array>
#include <optional>
#include <string>
#include <vector>

#include "api/errors.hpp"
#include "api/tokens.hpp"
#include "net/http.hpp"

namespace va::api {

struct Caller {
    unsigned scopes = kNoScope;
    // Which token (a fingerprint of it: stable when the tokens file is reordered, and it reveals
    // nothing), or which client address without tokens: the rate limit's and the idempotency
    // keys' owner.
    std::string key;
};

class ApiAuth {
public:
    // `public_url`: VA_PUBLIC_URL ("" when unset); a page from its origin may use a tokenless API.
    ApiAuth(const std::vector<ApiToken>& tokens, const std::string& public_url);
    // The caller, or why it is refused.
    ApiResult<Caller> authenticate(const net::Request& request) const;
    bool tokenless() const { return tokens_.empty(); }

private:
    using Digest = std::array<unsigned char, 32>;
    static Digest digest(std::string_view token);
    struct Entry {
        Digest digest;
        unsigned scopes;
    };
    std::vector<Entry> tokens_;
    std::string public_origin_;
};

}  // namespace va::api
