#include "telephony/twilio/webhook.hpp"

#include <algorithm>
#include <string>

#include "telephony/twilio/signature.hpp"

namespace va::twilio {

namespace {

net::Response bad_signature() {
    return net::error_response(403, "bad_signature", "X-Twilio-Signature is missing or does not match");
}

}  // namespace

net::HeadRule webhook_head_rule(bool signature_required) {
    net::HeadRule rule;
    rule.body_limit = kWebhookBodyLimit;
    rule.refuse = [signature_required](const net::Request& head) -> std::optional<net::Response> {
        if (signature_required && !head.header("X-Twilio-Signature")) return bad_signature();
        if (head.method == "POST" && !net::has_media_type(head, "application/x-www-form-urlencoded")) {
            return net::error_response(415, "unsupported_media_type",
                                       "Twilio's webhooks are application/x-www-form-urlencoded");
        }
        return std::nullopt;
    };
    return rule;
}

SignedWebhook verify_webhook(const net::Request& request, std::string_view auth_token, std::string_view url) {
    SignedWebhook out;
    const bool post = request.method == "POST";
    if (post) {
        // Every parameter but the first follows an '&': bounded before anything is decoded.
        if (static_cast<std::size_t>(std::count(request.body.begin(), request.body.end(), '&')) >= kWebhookParamLimit) {
            out.refusal = net::error_response(400, "too_many_parameters",
                                              "a webhook has at most " + std::to_string(kWebhookParamLimit) +
                                                  " parameters");
            return out;
        }
        auto form = parse_form(request.body);
        if (!form) {
            out.refusal = net::error_response(400, "malformed_form", "the body is not form-encoded");
            return out;
        }
        out.params = std::move(*form);
    } else {
        out.params.assign(request.query.begin(), request.query.end());
    }
    auto signature = request.header("X-Twilio-Signature");
    if (!signature || !validate_signature(auth_token, url, post ? out.params : Params{}, *signature)) {
        out.refusal = bad_signature();
    }
    return out;
}

}  // namespace va::twilio
