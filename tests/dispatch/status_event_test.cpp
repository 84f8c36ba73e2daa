// Status callbacks: the form → event mapping, and the webhook's checks (signature, attempt id,
// fields) over HTTP, each leaving the store untouched when they fail. Plus backoff and URLs.
#include <gtest/gtest.h>

#include "dispatch/attempt.hpp"
#include "dispatch/backoff.hpp"
#include "dispatch/status_event.hpp"
#include "dispatch_harness.hpp"
#include "support/http_client.hpp"
#include "telephony/twilio/dates.hpp"
#include "telephony/twilio/signature.hpp"

namespace va::dispatch::test {
namespace {

using namespace std::chrono_literals;
using store::RecipientStatus;

const std::string kSid = "CA0123456789abcdef0123456789abcdef";
const core::TimePoint kNow = std::chrono::sys_days{std::chrono::year{2026} / 12 / 1} + 12h;

TEST(StatusEvent, MapsTwiliosCallStatuses) {
    EXPECT_EQ(parse_call_status("initiated"), RecipientStatus::queued);
    EXPECT_EQ(parse_call_status("queued"), RecipientStatus::queued);
    EXPECT_EQ(parse_call_status("ringing"), RecipientStatus::ringing);
    EXPECT_EQ(parse_call_status("in-progress"), RecipientStatus::in_progress);
    EXPECT_EQ(parse_call_status("no-answer"), RecipientStatus::no_answer);
    EXPECT_EQ(parse_call_status("canceled"), RecipientStatus::canceled);
    EXPECT_EQ(parse_call_status("answered"), std::nullopt);  // the event name, not a status
    EXPECT_EQ(parse_call_status("in_progress"), std::nullopt);
}

TEST(StatusEvent, ReadsAFinalCallback) {
    store::AttemptKey key{"6b069132c39355198401c8a5", 0, 1};
    twilio::Params form{{"CallSid", kSid},         {"CallStatus", "completed"},
                        {"CallDuration", "42"},    {"AnsweredBy", "human"},
                        {"From", "+15005550006"},  {"Timestamp", twilio::format_rfc2822(kNow - 5s)},
                        {"SequenceNumber", "3"}};
    CallbackError error;
    auto e = event_from_callback(key, form, kNow, error);
    ASSERT_TRUE(e) << error.message;
    EXPECT_EQ(e->key, key);
    EXPECT_EQ(e->call_sid, kSid);
    EXPECT_EQ(e->status, RecipientStatus::completed);
    EXPECT_EQ(e->duration, 42);
    EXPECT_EQ(e->answered_by, "human");
    EXPECT_EQ(e->at, kNow - 5s);
}

TEST(StatusEvent, RefusesCallbacksWithoutAUsableSidOrStatus) {
    store::AttemptKey key{"a", 0, 1};
    CallbackError error;
    EXPECT_FALSE(event_from_callback(key, {{"CallStatus", "ringing"}}, kNow, error));
    EXPECT_FALSE(event_from_callback(key, {{"CallSid", "CA123"}, {"CallStatus", "ringing"}}, kNow, error));
    EXPECT_FALSE(event_from_callback(key, {{"CallSid", kSid}}, kNow, error));
    EXPECT_FALSE(event_from_callback(key, {{"CallSid", kSid}, {"CallStatus", "exploded"}}, kNow, error));
    EXPECT_FALSE(error.message.empty());
    // Odd optional fields are ignored, not trusted.
    auto e = event_from_callback(key, {{"CallSid", kSid}, {"CallStatus", "busy"}, {"CallDuration", "-3"},
                                       {"Timestamp", "yesterday"}}, kNow, error);
    ASSERT_TRUE(e);
    EXPECT_EQ(e->duration, std::nullopt);
    EXPECT_EQ(e->at, kNow);
}

TEST(Backoff, GrowsToTheCapWithJitter) {
    Backoff b(100ms, 1000ms, 7);
    for (int i = 0; i < 50; ++i) {
        auto first = b.next(1);
        EXPECT_GE(first, 50ms);
        EXPECT_LE(first, 100ms);
        auto third = b.next(3);
        EXPECT_GE(third, 200ms);
        EXPECT_LE(third, 400ms);
        auto late = b.next(30);
        EXPECT_GE(late, 500ms);
        EXPECT_LE(late, 1000ms);
    }
}

TEST(Urls, FollowTheContractAndEncodeTheAttempt) {
    store::AttemptKey key{"6b069132c39355198401c8a5", 2, 3};
    EXPECT_EQ(voice_url("https://va.example.com", key),
              "https://va.example.com/webhooks/twilio/incoming?scheduled_call_id=6b069132c39355198401c8a5"
              "&is_scheduled=true&attempt=6b069132c39355198401c8a5-2-3");
    EXPECT_EQ(status_callback_url("https://va.example.com", key),
              "https://va.example.com/webhooks/twilio/status?attempt=6b069132c39355198401c8a5-2-3");
}

class StatusWebhook : public ::testing::Test {
protected:
    StatusWebhook() : h_(R"({"default": {}})", 0) {
        id_ = h_.schedule({"+14155551001"}, h_.clock().now());
        store::ClaimRequest request;
        request.owner = "test";
        request.now = h_.clock().now();
        claim_ = h_.store().dispatch().claim(request).claims.at(0);
        store::PlacedCall placed{kSid, kFrom, RecipientStatus::queued, "0123456789abcdef01234567",
                                 request.now + 60s};
        EXPECT_TRUE(h_.store().dispatch().record_placed(claim_, placed, request.now));
        target_ = "/webhooks/twilio/status?attempt=" + store::to_string(claim_.key);
    }

    va::test::HttpReply post(const std::string& target, const twilio::Params& form, std::string signature = {}) {
        if (signature.empty()) signature = twilio::compute_signature(kToken, h_.public_url() + target, form);
        va::test::HttpClient client(h_.webhook_port());
        return client.request("POST", target, twilio::encode_form(form),
                              {{"Content-Type", "application/x-www-form-urlencoded"}, {"X-Twilio-Signature", signature}});
    }
    RecipientStatus status() { return h_.store().scheduled_calls().get(id_)->recipients.at(0).status; }

    DispatchHarness h_;
    std::string id_;
    store::Claim claim_;
    std::string target_;
    twilio::Params ringing_{{"CallSid", kSid}, {"CallStatus", "ringing"}, {"From", kFrom}};
};

TEST_F(StatusWebhook, AppliesASignedCallback) {
    EXPECT_EQ(post(target_, ringing_).status, 204u);
    EXPECT_EQ(status(), RecipientStatus::ringing);
    EXPECT_EQ(post(target_, ringing_).status, 204u);  // a duplicate is fine
}

TEST_F(StatusWebhook, ABadSignatureGets403AndChangesNothing) {
    EXPECT_EQ(post(target_, ringing_, "bm90IGEgc2lnbmF0dXJl").status, 403u);
    // Signed for another URL (the attempt id is part of what is signed).
    auto other = twilio::compute_signature(kToken, h_.public_url() + "/webhooks/twilio/status?attempt=x-0-1", ringing_);
    EXPECT_EQ(post(target_, ringing_, other).status, 403u);
    va::test::HttpClient client(h_.webhook_port());
    EXPECT_EQ(client.request("POST", target_, twilio::encode_form(ringing_),
                             {{"Content-Type", "application/x-www-form-urlencoded"}}).status,
              403u);
    EXPECT_EQ(status(), RecipientStatus::queued);
}

TEST_F(StatusWebhook, MalformedCallbacksGet400AndChangeNothing) {
    EXPECT_EQ(post("/webhooks/twilio/status", ringing_).status, 400u);
    EXPECT_EQ(post("/webhooks/twilio/status?attempt=nonsense", ringing_).status, 400u);
    EXPECT_EQ(post(target_, {{"CallSid", kSid}, {"CallStatus", "bogus"}}).status, 400u);
    EXPECT_EQ(post(target_, {{"CallStatus", "ringing"}}).status, 400u);
    va::test::HttpClient client(h_.webhook_port());
    EXPECT_EQ(client.request("POST", target_, "%zz", {{"X-Twilio-Signature", "x"}}).status, 400u);
    EXPECT_EQ(status(), RecipientStatus::queued);
}

TEST_F(StatusWebhook, ACallbackForAnotherCallChangesNothing) {
    twilio::Params other{{"CallSid", "CAffffffffffffffffffffffffffffffff"}, {"CallStatus", "completed"}};
    EXPECT_EQ(post(target_, other).status, 204u);
    EXPECT_EQ(status(), RecipientStatus::queued);
}

}  // namespace
}  // namespace va::dispatch::test
