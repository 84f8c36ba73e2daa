#pragma once
// X-Twilio-Signature: how Twilio proves a webhook (or a Media Streams upgrade) came from it.
#include <string>
#include <string_view>

#include "telephony/twilio/form.hpp"

namespace va::twilio {

// base64(HMAC-SHA1(auth_token, url + name1 + value1 + name2 + value2 ...)), params sorted by name
// (byte order); a repeated name contributes each of its values, sorted, each preceded by the name.
// For a GET, or a JSON body (the URL then carries bodySHA256), pass no params.
std::string compute_signature(std::string_view auth_token, std::string_view url, const Params& form_params);

// True when `signature` matches `url` as given, or `url` with the scheme's default port
// (443 for https/wss, 80 for http/ws) added when it has no port or removed when it has exactly
// that port, as Twilio's official validators do: proxies and Twilio disagree about spelling the
// default port. The scheme is never swapped (http and https are different URLs). Compared in
// constant time; an empty or malformed signature is simply false.
bool validate_signature(std::string_view auth_token, std::string_view url, const Params& form_params,
                        std::string_view signature);

// Lowercase hex SHA-256 of a raw body, to compare with the bodySHA256 query parameter.
std::string sha256_hex(std::string_view body);

}  // namespace va::twilio
