// The voice webhook: TwiML compared as parsed XML with the expected document, signatures, and
// what happens for unknown, canceled and inbound calls.
#include <pugixml.hpp>

#include <gtest/gtest.h>

#include "call_harness.hpp"
#include "support/log_capture.hpp"
#include "telephony/twilio/twiml.hpp"

namespace va::call::test {
namespace {

twilio::Params answered_form(const std::string& to = "+14155552671", const std::string& call_sid = kCallSid) {
    return {{"AccountSid", kAccount}, {"CallSid", call_sid},         {"CallStatus", "in-progress"},
            {"Direction", "outbound-api"}, {"From", "+15005550006"}, {"To", to},
            {"ApiVersion", "2010-04-01"}};
}

std::string target_for(const store::ScheduledCall& call, int position = 0) {
    return "/webhooks/twilio/incoming?scheduled_call_id=" + call.id + "&is_scheduled=true&attempt=" + call.id + "-" +
           std::to_string(position) + "-1";
}

// Elements, attributes (sorted) and text, with every Token value replaced by "TOKEN".
void canonical(const pugi::xml_node& node, std::string& out) {
    for (auto child : node.children()) {
        if (child.type() == pugi::node_pcdata) {
            out += std::string("'") + child.value() + "'";
            continue;
        }
        if (child.type() != pugi::node_element) continue;
        std::vector<std::pair<std::string, std::string>> attributes;
        for (auto a : child.attributes()) attributes.emplace_back(a.name(), a.value());
        if (std::string(child.name()) == "Parameter" && std::string(child.attribute("name").value()) == "Token") {
            for (auto& [k, v] : attributes)
                if (k == "value") v = "TOKEN";
        }
        std::sort(attributes.begin(), attributes.end());
        out += "<" + std::string(child.name());
        for (auto& [k, v] : attributes) out += " " + k + "=\"" + v + "\"";
        out += ">";
        canonical(child, out);
        out += "</" + std::string(child.name()) + ">";
    }
}

std::string canonical(const std::string& xml) {
    pugi::xml_document doc;
    auto ok = doc.load_string(xml.c_str());
    EXPECT_TRUE(ok) << ok.description() << ": " << xml;
    std::string out;
    canonical(doc, out);
    return out;
}

std::string token_of(const std::string& xml) {
    pugi::xml_document doc;
    doc.load_string(xml.c_str());
    return doc.select_node("//Parameter[@name='Token']").node().attribute("value").value();
}

TEST(IncomingWebhook, AScheduledCallGetsItsStreamWithTheContractsParameters) {
    CallHarness h;
    auto call = h.schedule({"+14155552671", "+14155552672"});
    auto response = h.webhook(target_for(call, 1), answered_form("+14155552672"));
    EXPECT_EQ(response.status, 200u);
    EXPECT_EQ(response.content_type, "text/xml");
    EXPECT_EQ(canonical(response.body),
              canonical(R"(<?xml version="1.0" encoding="UTF-8"?>
<Response><Connect><Stream url="wss://va.example.com/webhooks/twilio/stream">
  <Parameter name="ScheduledCallId" value=")" + call.id + R"("/>
  <Parameter name="IsOutbound" value="true"/>
  <Parameter name="Token" value="TOKEN"/>
</Stream></Connect></Response>)"));
    auto grant = h.context().tokens.verify(token_of(response.body), kNow);
    ASSERT_TRUE(grant);
    EXPECT_EQ(grant->scheduled_call_id, call.id);
    EXPECT_EQ(grant->attempt_id, call.id + "-1-1");
    EXPECT_EQ(grant->call_sid, kCallSid) << "the stream must start for this call";
    EXPECT_EQ(grant->expires_at, kNow + std::chrono::seconds(60));
}

TEST(IncomingWebhook, WarmsTheGreetingOncePerIntroduction) {
    CallHarness h;
    auto call = h.schedule({"+14155552671", "+14155552672"}, "Hello, this is the clinic.");
    h.webhook(target_for(call, 0), answered_form());
    h.webhook(target_for(call, 1), answered_form("+14155552672", "CA0123456789abcdef0123456789abcde2"));
    EXPECT_EQ(h.tts().calls, 1) << "N recipients, one synthesis";
}

TEST(IncomingWebhook, ACallAnsweredBeforeIsHungUpWithoutASecondToken) {
    auto options = CallHarness::default_options();
    options.inbound = InboundPrompt{"You answer questions.", "Thanks for calling.", {}};
    CallHarness h(options);
    auto call = h.schedule({"+14155552671"});
    for (const auto& target : {target_for(call), std::string("/webhooks/twilio/incoming")}) {
        SCOPED_TRACE(target);
        const auto sid = target == target_for(call) ? kCallSid : "CA0123456789abcdef0123456789abcde9";
        EXPECT_FALSE(token_of(h.webhook(target, answered_form("+14155552671", sid)).body).empty());
        auto again = h.webhook(target, answered_form("+14155552671", sid));
        EXPECT_EQ(again.status, 200u);
        EXPECT_EQ(canonical(again.body), canonical("<Response><Hangup/></Response>"));
    }
    EXPECT_EQ(h.store().call_logs().list({}).items.size(), 1u) << "the inbound call's log, once";
}

TEST(IncomingWebhook, ABadSignatureGets403AndChangesNothing) {
    CallHarness h;
    auto call = h.schedule({"+14155552671"});
    EXPECT_EQ(h.webhook(target_for(call), answered_form(), "not-the-token").status, 403u);
    EXPECT_EQ(h.webhook("/webhooks/twilio/incoming", answered_form(), "not-the-token").status, 403u);
    // Signed for another URL (http, not our https public URL): refused too.
    net::Request request;
    request.method = "POST";
    net::set_target(request, target_for(call));
    request.body = twilio::encode_form(answered_form());
    request.headers = {{"X-Twilio-Signature", twilio::compute_signature(kToken, "http://va.example.com" + target_for(call),
                                                                        answered_form())}};
    EXPECT_EQ(h.run(incoming_webhook(h.context()), request).status, 403u);
    request.headers.clear();
    EXPECT_EQ(h.run(incoming_webhook(h.context()), request).status, 403u) << "unsigned";
    EXPECT_EQ(h.tts().calls, 0);
    EXPECT_TRUE(h.store().call_logs().list({}).items.empty());
}

TEST(IncomingWebhook, AnUnknownOrCanceledCallIsHungUp) {
    CallHarness h;
    auto canceled = h.schedule({"+14155552671"}, "Hi", store::CallStatus::canceled);
    for (const auto& target :
         {target_for(canceled), std::string("/webhooks/twilio/incoming?scheduled_call_id=nope&is_scheduled=true")}) {
        auto response = h.webhook(target, answered_form());
        EXPECT_EQ(response.status, 200u);
        EXPECT_EQ(canonical(response.body), canonical("<Response><Hangup/></Response>")) << target;
    }
    EXPECT_EQ(h.tts().calls, 0);
}

TEST(IncomingWebhook, WhenTheStoreIsDownTheCalleeHearsAnApologyAndTheCauseIsLogged) {
    CallHarness h;
    auto call = h.schedule({"+14155552671"});
    h.store_down();
    va::test::LogCapture log;
    auto response = h.webhook(target_for(call), answered_form());
    EXPECT_EQ(response.status, 200u) << "not Twilio's \"application error\"";
    auto doc = twilio::parse_twiml(response.body);
    auto* parsed = std::get_if<twilio::TwimlDocument>(&doc);
    ASSERT_TRUE(parsed) << response.body;
    ASSERT_EQ(parsed->verbs.size(), 2u);
    auto* say = std::get_if<twilio::Say>(&parsed->verbs[0]);
    ASSERT_TRUE(say);
    EXPECT_EQ(say->text, kStoreDownLine);
    EXPECT_TRUE(std::holds_alternative<twilio::Hangup>(parsed->verbs[1]));
    EXPECT_TRUE(log.contains("the store failed: No suitable servers found")) << log.all();
}

TEST(IncomingWebhook, AnInboundCallWithoutAPromptIsDeclinedPolitely) {
    CallHarness h;
    auto response = h.webhook("/webhooks/twilio/incoming", answered_form());
    auto doc = twilio::parse_twiml(response.body);
    auto* parsed = std::get_if<twilio::TwimlDocument>(&doc);
    ASSERT_TRUE(parsed) << response.body;
    ASSERT_EQ(parsed->verbs.size(), 2u);
    EXPECT_TRUE(std::holds_alternative<twilio::Say>(parsed->verbs[0]));
    EXPECT_TRUE(std::holds_alternative<twilio::Hangup>(parsed->verbs[1]));
    EXPECT_TRUE(h.store().call_logs().list({}).items.empty());
}

TEST(IncomingWebhook, AnInboundCallWithAPromptStreamsAndIsLogged) {
    auto options = CallHarness::default_options();
    options.inbound = InboundPrompt{"You answer questions about opening hours.", "Thanks for calling.", {}};
    CallHarness h(options);
    auto response = h.webhook("/webhooks/twilio/incoming", answered_form());
    EXPECT_EQ(canonical(response.body),
              canonical(R"(<Response><Connect><Stream url="wss://va.example.com/webhooks/twilio/stream">
  <Parameter name="IsOutbound" value="false"/><Parameter name="Token" value="TOKEN"/>
</Stream></Connect></Response>)"));
    auto logs = h.store().call_logs().list({}).items;
    ASSERT_EQ(logs.size(), 1u);
    EXPECT_EQ(logs[0].call_sid, kCallSid);
    EXPECT_EQ(logs[0].from, "+15005550006");
    EXPECT_EQ(logs[0].status, "in-progress");
    auto grant = h.context().tokens.verify(token_of(response.body), kNow);
    ASSERT_TRUE(grant);
    EXPECT_EQ(grant->call_log_id, logs[0].id);
    EXPECT_EQ(h.tts().calls, 1);
}

TEST(IncomingWebhook, AGetIsSignedOverItsUrlAlone) {
    CallHarness h;
    auto call = h.schedule({"+14155552671"});
    auto target = target_for(call) + "&CallSid=" + kCallSid + "&To=%2B14155552671";
    EXPECT_EQ(h.webhook(target, {}, kToken, "GET").status, 200u);
    EXPECT_EQ(h.webhook(target, {}, "wrong", "GET").status, 403u);
}

TEST(IncomingWebhook, MalformedRequestsGetAClearError) {
    CallHarness h;
    auto call = h.schedule({"+14155552671"});
    auto bad_attempt = "/webhooks/twilio/incoming?scheduled_call_id=" + call.id + "&attempt=x-y";
    EXPECT_EQ(h.webhook(bad_attempt, answered_form()).status, 400u);
    EXPECT_EQ(h.webhook("/webhooks/twilio/incoming?scheduled_call_id=", answered_form()).status, 400u);
    EXPECT_EQ(h.webhook(target_for(call), {{"CallStatus", "in-progress"}}).status, 400u) << "no CallSid";
    net::Request request;
    request.method = "PUT";
    net::set_target(request, "/webhooks/twilio/incoming");
    EXPECT_EQ(h.run(incoming_webhook(h.context()), request).status, 405u);
    request.method = "POST";
    request.body = "a=%zz";
    EXPECT_EQ(h.run(incoming_webhook(h.context()), request).status, 400u);
}

}  // namespace
}  // namespace va::call::test
