// The fast paths for media frames and echoed marks accept only what the full parser accepts, with
// the same payload or name.
#include "telephony/twilio/media_frame.hpp"

#include <gtest/gtest.h>

#include "telephony/twilio/base64.hpp"
#include "telephony/twilio/stream_message.hpp"

namespace va::twilio {
namespace {

const std::string kSid = "MZ0123456789abcdef0123456789abcdef";
const std::string kReplacements = "\"{}[],:0 9a\\\x01\x80=/";  // for the one-character changes

std::string frame(const std::string& media = R"({"track":"inbound","chunk":"7","timestamp":"140","payload":"/////w=="})",
                  const std::string& sid = kSid) {
    return R"({"event":"media","sequenceNumber":"9","media":)" + media + R"(,"streamSid":")" + sid + R"("})";
}

std::string mark(const std::string& body = R"({"name":"reply-3.1"})", const std::string& sid = kSid) {
    return R"({"event":"mark","sequenceNumber":"12","streamSid":")" + sid + R"(","mark":)" + body + "}";
}

// Whatever the fast path accepts (a frame whose payload then decodes, as the session uses it),
// parse_inbound accepts as a media frame of the same stream with the same payload.
void expect_agrees(std::string_view text) {
    auto fast = media_payload(text, kSid);
    if (!fast) return;
    std::vector<std::uint8_t> bytes;
    if (!base64_decode_into(*fast, [&](std::uint8_t b) { bytes.push_back(b); })) return;
    auto full = parse_inbound(text);
    auto* parsed = std::get_if<ParsedInbound>(&full);
    ASSERT_TRUE(parsed) << "the fast path accepted what the parser refuses: " << text;
    auto* media = std::get_if<Media>(&parsed->message);
    ASSERT_TRUE(media) << text;
    EXPECT_EQ(parsed->stream_sid, kSid) << text;
    EXPECT_EQ(bytes, media->payload) << text;
}

TEST(MediaFrame, FindsThePayloadOfTheFramesTwilioSends) {
    EXPECT_EQ(media_payload(frame(), kSid), "/////w==");
    // Any key order, white space, fields it does not know.
    EXPECT_EQ(media_payload(R"( { "streamSid" : ")" + kSid +
                                R"(" , "extra":"x", "media" : { "payload":"AAAA", "timestamp":"0","chunk":"1","track":"inbound" } ,
                                "sequenceNumber":"2","event":"media" } )",
                            kSid),
              "AAAA");
    EXPECT_EQ(media_payload(frame(R"({"track":"inbound","chunk":"1","timestamp":"0","payload":""})"), kSid), "");
    expect_agrees(frame());
}

TEST(MediaFrame, LeavesEverythingElseToTheParser) {
    const std::string cases[] = {
        frame("{}"),                                                                              // fields missing
        frame(R"({"track":"inbound","chunk":7,"timestamp":"140","payload":"AAAA"})"),              // a number
        frame(R"({"track":"inbound","chunk":"7a","timestamp":"140","payload":"AAAA"})"),           // not digits
        frame(R"({"track":"in\u0062ound","chunk":"7","timestamp":"140","payload":"AAAA"})"),       // an escape
        frame(R"({"track":"inbound","track":"x","chunk":"7","timestamp":"140","payload":"AAAA"})"),  // a duplicate
        frame(R"({"track":"inbound","chunk":"7","timestamp":"140","payload":"AAAA","x":{}})"),     // a nested object
        frame(R"({"track":"inbound","chunk":"7","timestamp":"140","payload":"AAAA"})", "MZother"),  // another stream
        frame() + "x",                                                                            // trailing text
        frame().substr(0, frame().size() - 1),                                                    // cut short
        mark(),
        R"({"event":"media","event":"media","sequenceNumber":"9","streamSid":")" + kSid +
            R"(","media":{"track":"inbound","chunk":"7","timestamp":"140","payload":"AAAA"}})",
        "",
        "[]",
    };
    for (const auto& text : cases) EXPECT_FALSE(media_payload(text, kSid)) << text;
}

TEST(MediaFrame, EveryOneCharacterChangeOfAFrameIsAcceptedOnlyIfTheParserAgrees) {
    const auto base = frame();
    for (std::size_t i = 0; i < base.size(); ++i) {
        expect_agrees(base.substr(0, i) + base.substr(i + 1));  // deleted
        for (char c : kReplacements) {
            auto changed = base;
            changed[i] = c;
            expect_agrees(changed);
            expect_agrees(base.substr(0, i) + c + base.substr(i));  // inserted
        }
    }
}

void expect_mark_agrees(std::string_view text) {
    auto fast = mark_name(text, kSid);
    if (!fast) return;
    auto full = parse_inbound(text);
    auto* parsed = std::get_if<ParsedInbound>(&full);
    ASSERT_TRUE(parsed) << "the fast path accepted what the parser refuses: " << text;
    auto* parsed_mark = std::get_if<Mark>(&parsed->message);
    ASSERT_TRUE(parsed_mark) << text;
    EXPECT_EQ(parsed->stream_sid, kSid) << text;
    EXPECT_EQ(*fast, parsed_mark->name) << text;
}

TEST(MarkFrame, FindsTheNameOfTheMarksTwilioEchoes) {
    EXPECT_EQ(mark_name(mark(), kSid), "reply-3.1");
    EXPECT_EQ(mark_name(R"( { "mark" : { "name" : "" } , "streamSid":")" + kSid + R"(", "sequenceNumber":"1", "event":"mark" })", kSid),
              "");
    expect_mark_agrees(mark());
}

TEST(MarkFrame, LeavesEverythingElseToTheParser) {
    const std::string cases[] = {
        mark("{}"),                              // no name
        mark(R"({"name":7})"),                   // a number
        mark(R"({"name":"a\"b"})"),             // an escape
        mark(R"({"name":"a","name":"b"})"),      // a duplicate
        mark(R"({"name":"a"})", "MZother"),      // another stream
        mark() + "x",                            // trailing text
        frame(),                                 // a media frame
        R"({"event":"mark","sequenceNumber":"x","streamSid":")" + kSid + R"(","mark":{"name":"m"}})",
    };
    for (const auto& text : cases) EXPECT_FALSE(mark_name(text, kSid)) << text;
}

TEST(MarkFrame, EveryOneCharacterChangeOfAMarkIsAcceptedOnlyIfTheParserAgrees) {
    const auto base = mark();
    for (std::size_t i = 0; i < base.size(); ++i) {
        expect_mark_agrees(base.substr(0, i) + base.substr(i + 1));
        for (char c : kReplacements) {
            auto changed = base;
            changed[i] = c;
            expect_mark_agrees(changed);
            expect_mark_agrees(base.substr(0, i) + c + base.substr(i));
        }
    }
}

}  // namespace
}  // namespace va::twilio
