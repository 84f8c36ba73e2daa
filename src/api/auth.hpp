#pragma once
// Who may call /api/*: with tokens configured, a request must carry "Authorization: Bearer <token>";
// without tokens, only loopback clients are served. Tokens are compared in constant time.
#include <array>
#include <optional>
#include <string>
#include <vector>

#include "api/errors.hpp"
#include "net/http.hpp"

namespace va::api {

class ApiAuth {
public:
    explicit ApiAuth(const std::vector<std::string>& tokens);
    // nullopt when the request may proceed.
    std::optional<ApiError> check(const net::Request& request) const;
    bool loopback_only() const { return digests_.empty(); }

private:
    using Digest = std::array<unsigned char, 32>;
    static Digest digest(std::string_view token);
    std::vector<Digest> digests_;
};

}  // namespace va::api
