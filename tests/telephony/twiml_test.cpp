#include "telephony/twilio/twiml.hpp"

#include <pugixml.hpp>

#include <gtest/gtest.h>

namespace va::twilio {
namespace {

TwimlDocument parse_ok(std::string_view xml) {
    auto result = parse_twiml(xml);
    if (auto* error = std::get_if<TwimlError>(&result)) {
        ADD_FAILURE() << error->message << "\n" << xml;
        return {};
    }
    return std::get<TwimlDocument>(std::move(result));
}

std::string parse_error(std::string_view xml) {
    auto result = parse_twiml(xml);
    auto* error = std::get_if<TwimlError>(&result);
    return error ? error->message : "parsed";
}

TEST(TwilioTwimlParse, ReadsAConnectStreamWithItsParametersInOrder) {
    auto doc = parse_ok(R"(<?xml version="1.0" encoding="UTF-8"?>
        <Response>
          <Connect>
            <Stream url="wss://example.com/stream" name="call-1" statusCallback="https://example.com/s">
              <Parameter name="ScheduledCallId" value="abc"/>
              <Parameter name="Token" value="t&amp;k"/>
              <Parameter name="Empty"/>
            </Stream>
          </Connect>
          <Say>After the stream</Say>
        </Response>)");
    ASSERT_EQ(doc.verbs.size(), 2u);
    ConnectStream expected{"wss://example.com/stream", "call-1", "https://example.com/s",
                           {{"ScheduledCallId", "abc"}, {"Token", "t&k"}, {"Empty", ""}}};
    EXPECT_EQ(std::get<ConnectStream>(doc.verbs[0]), expected);
    EXPECT_EQ(std::get<Say>(doc.verbs[1]).text, "After the stream");
}

TEST(TwilioTwimlBuild, ATransferDialHasATimeLimit) {
    pugi::xml_document doc;
    ASSERT_TRUE(doc.load_string(build_dial("+15005550006", 3600).c_str()));
    auto dial = doc.child("Response").child("Dial");
    EXPECT_STREQ(dial.text().get(), "+15005550006");
    EXPECT_EQ(dial.attribute("timeLimit").as_int(), 3600);
}

TEST(TwilioTwimlParse, ReadsSayPauseHangupDialRedirectInOrder) {
    auto doc = parse_ok(R"(<Response>
        <Say voice="Polly.Joanna" language="en-US" loop="2">
            Hello there.
        </Say>
        <Say>Plain</Say>
        <Pause/>
        <Pause length="5"/>
        <Dial> +15551234567 </Dial>
        <Dial timeout="10"><Number sendDigits="1">+15557654321</Number><Number>+15550000000</Number></Dial>
        <Dial><Client>alice</Client></Dial>
        <Redirect method="POST"> https://example.com/next </Redirect>
        <Hangup/>
      </Response>)");
    ASSERT_EQ(doc.verbs.size(), 9u);
    EXPECT_EQ(std::get<Say>(doc.verbs[0]), (Say{"Hello there.", "Polly.Joanna", "en-US", 2}));
    EXPECT_EQ(std::get<Say>(doc.verbs[1]), (Say{"Plain", "", "", 1}));
    EXPECT_EQ(std::get<Pause>(doc.verbs[2]).length_s, 1);
    EXPECT_EQ(std::get<Pause>(doc.verbs[3]).length_s, 5);
    EXPECT_EQ(std::get<Dial>(doc.verbs[4]).number, "+15551234567");
    EXPECT_EQ(std::get<Dial>(doc.verbs[5]).number, "+15557654321");
    EXPECT_EQ(std::get<Dial>(doc.verbs[6]).number, "");
    EXPECT_EQ(std::get<Redirect>(doc.verbs[7]).url, "https://example.com/next");
    EXPECT_TRUE(std::holds_alternative<Hangup>(doc.verbs[8]));
}

TEST(TwilioTwimlParse, GathersTextInsideSsmlAndCdata) {
    auto doc = parse_ok("<Response><Say>Hi <prosody rate=\"slow\">there<break/></prosody> <![CDATA[a<b]]></Say></Response>");
    EXPECT_EQ(std::get<Say>(doc.verbs.at(0)).text, "Hi there a<b");
}

TEST(TwilioTwimlParse, ReportsUnsupportedVerbs) {
    auto doc = parse_ok(R"(<Response><Gather input="dtmf"><Say>Press 1</Say></Gather><Play>x.mp3</Play>
        <Start><Stream url="wss://x"/></Start><Record/><Reject/><Hangup/></Response>)");
    ASSERT_EQ(doc.verbs.size(), 6u);
    std::vector<std::string> names;
    for (size_t i = 0; i < 5; ++i) names.push_back(std::get<Unsupported>(doc.verbs[i]).verb);
    EXPECT_EQ(names, (std::vector<std::string>{"Gather", "Play", "Start", "Record", "Reject"}));
    EXPECT_TRUE(std::holds_alternative<Hangup>(doc.verbs[5]));
}

TEST(TwilioTwimlParse, AcceptsAnEmptyResponse) {
    EXPECT_TRUE(parse_ok("<Response/>").verbs.empty());
    EXPECT_TRUE(parse_ok("<?xml version=\"1.0\"?><!-- note -->\n<Response> text is ignored </Response>\n ").verbs.empty());
}

TEST(TwilioTwimlParse, RejectsMalformedXmlAndWrongRoots) {
    for (std::string_view bad : {"", "   ", "not xml", "<Response>", "<Response><Say></Response>",
                                 "<Response></Response><Response/>", "<Response attr=unquoted/>",
                                 "<Hangup/><Response/>", "text<Response/>",
                                 "<Response/>text", "\xff\xfe\x00"}) {
        EXPECT_NE(parse_error(bad), "parsed") << bad;
    }
    EXPECT_NE(parse_error("<response/>").find("<Response>"), std::string::npos);
    EXPECT_NE(parse_error("<Twiml><Hangup/></Twiml>").find("root element"), std::string::npos);
}

TEST(TwilioTwimlParse, RejectsBadConnectAndBadNumbers) {
    for (std::string_view bad : {
             "<Response><Connect/></Response>",
             "<Response><Connect><Stream/></Connect></Response>",
             "<Response><Connect><Stream url=\"\"/></Connect></Response>",
             "<Response><Connect><Stream url=\"wss://a\"/><Stream url=\"wss://b\"/></Connect></Response>",
             "<Response><Connect><Room>r</Room></Connect></Response>",
             "<Response><Connect><Stream url=\"wss://a\"><Parameter value=\"v\"/></Stream></Connect></Response>",
             "<Response><Connect><Stream url=\"wss://a\"><Foo/></Stream></Connect></Response>",
             "<Response><Pause length=\"abc\"/></Response>",
             "<Response><Pause length=\"-1\"/></Response>",
             "<Response><Pause length=\"\"/></Response>",
             "<Response><Pause length=\"1.5\"/></Response>",
             "<Response><Pause length=\"99999999999999999999\"/></Response>",
             "<Response><Say loop=\"x\">hi</Say></Response>",
         }) {
        EXPECT_NE(parse_error(bad), "parsed") << bad;
    }
    EXPECT_EQ(std::get<Pause>(parse_ok("<Response><Pause length=\" 3 \"/></Response>").verbs.at(0)).length_s, 3);
    EXPECT_EQ(std::get<Say>(parse_ok("<Response><Say loop=\"0\">x</Say></Response>").verbs.at(0)).loop, 0);
}

TEST(TwilioTwimlParse, SurvivesDeepNesting) {
    std::string xml = "<Response><Say>";
    for (int i = 0; i < 20000; ++i) xml += "<a>";
    xml += "deep";
    for (int i = 0; i < 20000; ++i) xml += "</a>";
    xml += "</Say></Response>";
    auto result = parse_twiml(xml);
    if (auto* doc = std::get_if<TwimlDocument>(&result)) {
        EXPECT_EQ(std::get<Say>(doc->verbs.at(0)).text, "deep");
    }
}

TEST(TwilioTwimlBuild, ConnectStreamHasTheExactShape) {
    EXPECT_EQ(build_connect_stream("wss://h/s", {{"A", "1"}, {"B", "2"}}),
              "<?xml version=\"1.0\" encoding=\"UTF-8\"?><Response><Connect><Stream url=\"wss://h/s\">"
              "<Parameter name=\"A\" value=\"1\"/><Parameter name=\"B\" value=\"2\"/></Stream></Connect></Response>");
}

TEST(TwilioTwimlBuild, ConnectStreamRoundTripsNastyCharacters) {
    std::vector<StreamParameter> params{
        {"Token", R"(a&b<c>d"e'f)"},
        {"Name", "Zoë Ångström — 日本 😀"},
        {"Spaces", "  two  spaces\tand tab "},
        {"Entity", "&amp; is literal"},
        {"Empty", ""},
        {"Lines", "line1\nline2\r\nline3"},
    };
    std::string url = "wss://example.com/stream/a&b";
    auto xml = build_connect_stream(url, params);
    auto doc = parse_ok(xml);
    ASSERT_EQ(doc.verbs.size(), 1u);
    const auto& stream = std::get<ConnectStream>(doc.verbs[0]);
    EXPECT_EQ(stream.url, url);
    EXPECT_EQ(stream.parameters, params) << xml;
}

TEST(TwilioTwimlBuild, SayHangupRoundTripsAndParsesAsTheSameTree) {
    std::string text = "Bye & <thanks> \"friend\" it's Zoë";
    auto xml = build_say_hangup(text);
    auto doc = parse_ok(xml);
    ASSERT_EQ(doc.verbs.size(), 2u);
    EXPECT_EQ(std::get<Say>(doc.verbs[0]).text, text);
    EXPECT_TRUE(std::holds_alternative<Hangup>(doc.verbs[1]));

    // Compared as parsed XML, not as text: the same element tree and text.
    pugi::xml_document built, expected;
    ASSERT_TRUE(built.load_string(xml.c_str()));
    ASSERT_TRUE(expected.load_string(
        "<Response><Say>Bye &amp; &lt;thanks&gt; &quot;friend&quot; it&apos;s Zo\xc3\xab</Say><Hangup></Hangup></Response>"));
    auto b = built.document_element();
    auto e = expected.document_element();
    EXPECT_STREQ(b.name(), e.name());
    EXPECT_STREQ(b.child("Say").text().get(), e.child("Say").text().get());
    EXPECT_TRUE(b.child("Hangup"));
    EXPECT_FALSE(b.child("Hangup").first_child());
    EXPECT_EQ(std::distance(b.children().begin(), b.children().end()), 2);
}

TEST(TwilioTwimlBuild, EmptySayIsJustHangup) {
    auto expected = "<?xml version=\"1.0\" encoding=\"UTF-8\"?><Response><Hangup/></Response>";
    EXPECT_EQ(build_say_hangup(""), expected);
    EXPECT_EQ(build_hangup(), expected);
    auto doc = parse_ok(build_hangup());
    ASSERT_EQ(doc.verbs.size(), 1u);
    EXPECT_TRUE(std::holds_alternative<Hangup>(doc.verbs[0]));
}

}  // namespace
}  // namespace va::twilio
