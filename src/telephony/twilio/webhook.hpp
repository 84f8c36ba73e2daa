#pragma once
// What every Twilio webhook route checks, in one place: the bounds and the signature header on
// the request's head, before its body is read, then the parameters and X-Twilio-Signature.
#include <cstddef>
#include <optional>
#include <string_view>

#include "net/http.hpp"
#include "telephony/twilio/form.hpp"

namespace va::twilio {

inline constexpr std::size_t kWebhookBodyLimit = 64 * 1024;
inline constexpr std::size_t kWebhookParamLimit = 256;

// The head rule of a webhook route: a body of at most 64 KiB, and refused unread when
// X-Twilio-Signature is missing (403; unless `signature_required` is false, for streams when
// --allow-unsigned-streams) or when a POST is not application/x-www-form-urlencoded (415).
net::HeadRule webhook_head_rule(bool signature_required = true);

// A webhook's parameters once its signature is checked, or the answer that refuses it.
struct SignedWebhook {
    Params params;
    std::optional<net::Response> refusal;
};

// A POST's form (at most 256 parameters, counted before the body is decoded) or a GET's query,
// checked against X-Twilio-Signature over `url` (a GET is signed over the URL alone).
SignedWebhook verify_webhook(const net::Request& request, std::string_view auth_token, std::string_view url);

}  // namespace va::twilio
