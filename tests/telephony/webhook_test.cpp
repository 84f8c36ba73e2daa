// What every Twilio webhook route checks: the head rule (before the body is read) and the signed
// parameters.
#include "telephony/twilio/webhook.hpp"

#include <gtest/gtest.h>

#include "telephony/twilio/signature.hpp"

namespace va::twilio {
namespace {

const std::string kToken = "auth-token";
const std::string kUrl = "https://agent.example/webhooks/twilio/status?attempt=a";

net::Request head(std::string method, net::Fields headers) {
    net::Request request;
    request.method = std::move(method);
    net::set_target(request, "/webhooks/twilio/status?attempt=a");
    request.headers = std::move(headers);
    return request;
}

net::Request signed_post(const Params& params) {
    auto request = head("POST", {{"Content-Type", "application/x-www-form-urlencoded"},
                                 {"X-Twilio-Signature", compute_signature(kToken, kUrl, params)}});
    request.body = encode_form(params);
    return request;
}

std::string code_of(const net::Response& response) {
    auto at = response.body.find("\"code\":\"");
    return response.body.substr(at + 8, response.body.find('"', at + 8) - at - 8);
}

TEST(TwilioWebhookHead, TakesAtMost64KiB) {
    EXPECT_EQ(webhook_head_rule().body_limit, 64u * 1024);
    EXPECT_EQ(webhook_head_rule(false).body_limit, 64u * 1024);
}

TEST(TwilioWebhookHead, RefusesAHeadWithoutASignature) {
    auto refusal = webhook_head_rule().refuse(head("POST", {{"Content-Type", "application/x-www-form-urlencoded"}}));
    ASSERT_TRUE(refusal);
    EXPECT_EQ(refusal->status, 403u);
    EXPECT_EQ(code_of(*refusal), "bad_signature");
    EXPECT_TRUE(webhook_head_rule().refuse(head("GET", {})));
    // Unsigned streams, when the operator allows them, pass the head (the endpoint still checks a
    // signature that is there).
    EXPECT_FALSE(webhook_head_rule(false).refuse(head("GET", {})));
}

TEST(TwilioWebhookHead, RefusesAPostThatIsNotFormEncoded) {
    for (auto type : {"application/json", "text/plain", "multipart/form-data; boundary=x"}) {
        SCOPED_TRACE(type);
        auto refusal = webhook_head_rule().refuse(head("POST", {{"Content-Type", type}, {"X-Twilio-Signature", "s"}}));
        ASSERT_TRUE(refusal);
        EXPECT_EQ(refusal->status, 415u);
    }
    EXPECT_TRUE(webhook_head_rule().refuse(head("POST", {{"X-Twilio-Signature", "s"}}))) << "no Content-Type";
    EXPECT_FALSE(webhook_head_rule().refuse(head(
        "POST", {{"Content-Type", "Application/X-WWW-Form-Urlencoded; charset=UTF-8"}, {"X-Twilio-Signature", "s"}})));
    EXPECT_FALSE(webhook_head_rule().refuse(head("GET", {{"X-Twilio-Signature", "s"}}))) << "a GET has no body";
}

TEST(TwilioWebhook, GivesTheParametersOfASignedPost) {
    const Params params{{"CallSid", "CA1"}, {"CallStatus", "ringing"}};
    auto webhook = verify_webhook(signed_post(params), kToken, kUrl);
    EXPECT_FALSE(webhook.refusal);
    EXPECT_EQ(webhook.params, params);
}

TEST(TwilioWebhook, RefusesABadSignature) {
    auto request = signed_post({{"CallSid", "CA1"}});
    request.body = encode_form({{"CallSid", "CA2"}});
    auto webhook = verify_webhook(request, kToken, kUrl);
    ASSERT_TRUE(webhook.refusal);
    EXPECT_EQ(webhook.refusal->status, 403u);
}

TEST(TwilioWebhook, TakesAtMost256Parameters) {
    Params params;
    for (int i = 0; i < 256; ++i) params.emplace_back("P" + std::to_string(i), "v");
    EXPECT_FALSE(verify_webhook(signed_post(params), kToken, kUrl).refusal);
    params.emplace_back("P256", "v");
    auto webhook = verify_webhook(signed_post(params), kToken, kUrl);
    ASSERT_TRUE(webhook.refusal);
    EXPECT_EQ(webhook.refusal->status, 400u);
    EXPECT_EQ(code_of(*webhook.refusal), "too_many_parameters");
}

TEST(TwilioWebhook, RefusesAMalformedForm) {
    auto request = signed_post({{"CallSid", "CA1"}});
    request.body = "CallSid=%zz";
    auto webhook = verify_webhook(request, kToken, kUrl);
    ASSERT_TRUE(webhook.refusal);
    EXPECT_EQ(code_of(*webhook.refusal), "malformed_form");
}

TEST(TwilioWebhook, SignsAGetOverItsUrlAlone) {
    auto request = head("GET", {{"X-Twilio-Signature", compute_signature(kToken, kUrl, {})}});
    auto webhook = verify_webhook(request, kToken, kUrl);
    EXPECT_FALSE(webhook.refusal);
    EXPECT_EQ(webhook.params, (Params{{"attempt", "a"}}));
}

}  // namespace
}  // namespace va::twilio
