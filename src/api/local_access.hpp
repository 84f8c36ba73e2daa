#pragma once
// Tokenless mode serves this machine only. A loopback peer address is not enough: a reverse proxy
// on the same host makes every request come from 127.0.0.1, and a web page the operator opens can
// make their browser send requests to localhost (DNS rebinding, cross-site forms). So a request is
// local only when its peer is loopback, it passed no proxy (no Forwarded, X-Forwarded-For,
// X-Real-IP or Via), its Host names the loopback (localhost, 127.0.0.1, [::1], any port), and its
// Origin, when sent, is that Host or the public URL.
#include <optional>
#include <string>
#include <string_view>

#include "net/http.hpp"

namespace va::api {

// The refusal's message, or nullopt when the request is local. `public_origin` is
// "scheme://host[:port]" of VA_PUBLIC_URL, or "".
std::optional<std::string> refuse_non_local(const net::Request& request, std::string_view public_origin);

// "https://va.example.com/base" → "https://va.example.com" (lower-case scheme and host).
std::string origin_of(std::string_view url);

}  // namespace va::api
