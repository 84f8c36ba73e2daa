#include "telephony/twilio/stream_message.hpp"
#include "telephony/twilio/base64.hpp"

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>

#include <gtest/gtest.h>

namespace va::twilio {
namespace {

namespace json = boost::json;

const std::string kSid = "MZ00000000000000000000000000000001";

ParsedInbound inbound_ok(std::string_view text) {
    auto result = parse_inbound(text);
    if (auto* error = std::get_if<MessageError>(&result)) {
        ADD_FAILURE() << error->message << "\n" << text;
        return {Connected{}, "", 0};
    }
    return std::get<ParsedInbound>(std::move(result));
}

std::string inbound_error(std::string_view text) {
    auto result = parse_inbound(text);
    auto* error = std::get_if<MessageError>(&result);
    return error ? error->message : "parsed";
}

std::string outbound_error(std::string_view text) {
    auto result = parse_outbound(text);
    auto* error = std::get_if<MessageError>(&result);
    return error ? error->message : "parsed";
}

Start sample_start() {
    Start start;
    start.stream_sid = kSid;
    start.account_sid = "AC00000000000000000000000000000002";
    start.call_sid = "CA00000000000000000000000000000003";
    start.tracks = {"inbound"};
    start.custom_parameters = {{"ScheduledCallId", "64f0c0ffee"}, {"Token", "s3cr\"et"}, {"Empty", ""}};
    return start;
}

TEST(TwilioStreamMessageInbound, EveryMessageRoundTrips) {
    Media media;
    media.chunk = 7;
    media.timestamp_ms = 140;
    media.payload = std::vector<std::uint8_t>(160, 0xFF);
    media.payload[3] = 0;
    const std::vector<InboundMessage> messages{
        Connected{}, sample_start(), media, Dtmf{"inbound_track", "#"}, Mark{"greeting-1"},
        Stop{"AC00000000000000000000000000000002", "CA00000000000000000000000000000003"},
    };
    std::uint64_t seq = 1;
    for (const auto& message : messages) {
        auto text = to_json(message, seq, kSid);
        auto parsed = inbound_ok(text);
        EXPECT_EQ(parsed.message, message) << text;
        bool connected = std::holds_alternative<Connected>(message);
        EXPECT_EQ(parsed.stream_sid, connected ? "" : kSid) << text;
        EXPECT_EQ(parsed.sequence_number, connected ? 0 : seq) << text;
        ++seq;
    }
}

TEST(TwilioStreamMessageInbound, UsesTwiliosFieldTypes) {
    auto connected = json::parse(to_json(Connected{}, 9, kSid)).as_object();
    EXPECT_EQ(connected, (json::object{{"event", "connected"}, {"protocol", "Call"}, {"version", "1.0.0"}}));

    auto start = json::parse(to_json(sample_start(), 1, kSid)).as_object();
    EXPECT_EQ(start.at("event"), "start");
    EXPECT_EQ(start.at("sequenceNumber"), "1");  // a string
    EXPECT_EQ(start.at("streamSid"), json::value(kSid));
    const auto& body = start.at("start").as_object();
    EXPECT_EQ(body.at("streamSid"), json::value(kSid));
    EXPECT_EQ(body.at("accountSid"), "AC00000000000000000000000000000002");
    EXPECT_EQ(body.at("callSid"), "CA00000000000000000000000000000003");
    EXPECT_EQ(body.at("tracks"), (json::array{"inbound"}));
    const auto& format = body.at("mediaFormat").as_object();
    EXPECT_EQ(format.at("encoding"), "audio/x-mulaw");
    EXPECT_TRUE(format.at("sampleRate").is_int64());
    EXPECT_EQ(format.at("sampleRate").as_int64(), 8000);
    EXPECT_TRUE(format.at("channels").is_int64());
    EXPECT_EQ(format.at("channels").as_int64(), 1);
    EXPECT_EQ(body.at("customParameters"),
              (json::object{{"ScheduledCallId", "64f0c0ffee"}, {"Token", "s3cr\"et"}, {"Empty", ""}}));

    Media m;
    m.chunk = 2;
    m.timestamp_ms = 20;
    m.payload = {0x7F, 0xFF, 0x00};
    auto media = json::parse(to_json(m, 3, kSid)).as_object();
    EXPECT_EQ(media.at("sequenceNumber"), "3");
    EXPECT_EQ(media.at("media"),
              (json::object{{"track", "inbound"}, {"chunk", "2"}, {"timestamp", "20"}, {"payload", "f/8A"}}));

    auto dtmf = json::parse(to_json(Dtmf{"inbound_track", "5"}, 4, kSid)).as_object();
    EXPECT_EQ(dtmf.at("dtmf"), (json::object{{"track", "inbound_track"}, {"digit", "5"}}));
    auto mark = json::parse(to_json(Mark{"m1"}, 5, kSid)).as_object();
    EXPECT_EQ(mark.at("mark"), (json::object{{"name", "m1"}}));
    auto stop = json::parse(to_json(Stop{"AC1", "CA1"}, 6, kSid)).as_object();
    EXPECT_EQ(stop.at("stop"), (json::object{{"accountSid", "AC1"}, {"callSid", "CA1"}}));
    EXPECT_EQ(stop.at("streamSid"), json::value(kSid));
    EXPECT_EQ(stop.at("sequenceNumber"), "6");
}

TEST(TwilioStreamMessageInbound, ParsesTheProtocolExamples) {
    auto start = inbound_ok(
        R"({"event":"start","sequenceNumber":"1","streamSid":"MZ1","start":{"accountSid":"AC1","streamSid":"MZ1",
        "callSid":"CA1","tracks":["inbound"],"mediaFormat":{"encoding":"audio/x-mulaw","sampleRate":8000,"channels":1},
        "customParameters":{"ScheduledCallId":"x"}}})");
    EXPECT_EQ(start.stream_sid, "MZ1");
    EXPECT_EQ(start.sequence_number, 1u);
    const auto& s = std::get<Start>(start.message);
    EXPECT_EQ(s.stream_sid, "MZ1");
    EXPECT_EQ(s.custom_parameters, (std::vector<std::pair<std::string, std::string>>{{"ScheduledCallId", "x"}}));

    auto media = inbound_ok(
        R"({"event":"media","sequenceNumber":"3","streamSid":"MZ1","media":{"track":"inbound","chunk":"1","timestamp":"5","payload":"//8="}})");
    EXPECT_EQ(std::get<Media>(media.message), (Media{"inbound", 1, 5, {0xFF, 0xFF}}));

    // Unknown extra fields are ignored; customParameters may be absent.
    auto extra = inbound_ok(
        R"({"event":"start","sequenceNumber":"1","streamSid":"MZ1","new":1,"start":{"accountSid":"AC1","streamSid":"MZ1",
        "callSid":"CA1","tracks":["inbound","outbound"],"mediaFormat":{"encoding":"audio/x-mulaw","sampleRate":8000,"channels":1}}})");
    EXPECT_TRUE(std::get<Start>(extra.message).custom_parameters.empty());
    EXPECT_EQ(std::get<Start>(extra.message).tracks, (std::vector<std::string>{"inbound", "outbound"}));
    auto big = inbound_ok(
        R"({"event":"mark","sequenceNumber":"18446744073709551615","streamSid":"MZ1","mark":{"name":""}})");
    EXPECT_EQ(big.sequence_number, 18446744073709551615u);
}

TEST(TwilioStreamMessageInbound, RejectsMalformedFramesWithAClearMessage) {
    const std::string media_head = R"({"event":"media","sequenceNumber":"3","streamSid":"MZ1","media":)";
    const std::pair<std::string, std::string> cases[] = {
        {"", "not JSON"},
        {"{", "not JSON"},
        {"nope", "not JSON"},
        {"[1,2]", "not a JSON object"},
        {"\"media\"", "not a JSON object"},
        {"{}", "event is missing"},
        {R"({"event":5})", "event must be a string"},
        {R"({"event":"bogus","sequenceNumber":"1","streamSid":"MZ1"})", "unknown event \"bogus\""},
        {R"({"event":"clear","streamSid":"MZ1"})", "unknown event \"clear\""},
        {R"({"event":"connected","protocol":"Call"})", "version is missing"},
        {R"({"event":"mark","sequenceNumber":4,"streamSid":"MZ1","mark":{"name":"a"}})",
         "sequenceNumber must be a string of digits"},
        {R"({"event":"mark","sequenceNumber":"-4","streamSid":"MZ1","mark":{"name":"a"}})",
         "sequenceNumber must be a string of digits"},
        {R"({"event":"mark","sequenceNumber":"","streamSid":"MZ1","mark":{"name":"a"}})",
         "sequenceNumber must be a string of digits"},
        {R"({"event":"mark","sequenceNumber":"18446744073709551616","streamSid":"MZ1","mark":{"name":"a"}})",
         "sequenceNumber must be a string of digits"},
        {R"({"event":"mark","sequenceNumber":"4","mark":{"name":"a"}})", "streamSid is missing"},
        {R"({"event":"mark","sequenceNumber":"4","streamSid":null,"mark":{"name":"a"}})", "streamSid must be a string"},
        {R"({"event":"mark","sequenceNumber":"4","streamSid":"MZ1"})", "mark is missing"},
        {R"({"event":"mark","sequenceNumber":"4","streamSid":"MZ1","mark":"a"})", "mark must be an object"},
        {R"({"event":"mark","sequenceNumber":"4","streamSid":"MZ1","mark":{"name":1}})", "mark.name must be a string"},
        {media_head + R"({"track":"inbound","chunk":"1","timestamp":"5"}})", "media.payload is missing"},
        {media_head + R"({"track":"inbound","chunk":"1","timestamp":"5","payload":"!!"}})", "media.payload is not valid base64"},
        {media_head + R"({"track":"inbound","chunk":1,"timestamp":"5","payload":""}})", "media.chunk must be a string of digits"},
        {media_head + R"({"track":"inbound","chunk":"1","timestamp":"5.0","payload":""}})",
         "media.timestamp must be a string of digits"},
        {media_head + R"({"chunk":"1","timestamp":"5","payload":""}})", "media.track is missing"},
        {R"({"event":"dtmf","sequenceNumber":"5","streamSid":"MZ1","dtmf":{"track":"inbound_track"}})", "dtmf.digit is missing"},
        {R"({"event":"stop","sequenceNumber":"5","streamSid":"MZ1","stop":{"accountSid":"AC1"}})", "stop.callSid is missing"},
    };
    for (const auto& [text, message] : cases) {
        auto error = inbound_error(text);
        EXPECT_NE(error.find(message), std::string::npos) << text << "\n  got: " << error;
    }
}

TEST(TwilioStreamMessageInbound, RejectsBadStartFrames) {
    auto start = [](std::string_view inner) {
        return R"({"event":"start","sequenceNumber":"1","streamSid":"MZ1","start":{"accountSid":"AC1","callSid":"CA1",)" +
               std::string(inner) + "}}";
    };
    const std::string format = R"("mediaFormat":{"encoding":"audio/x-mulaw","sampleRate":8000,"channels":1})";
    const std::pair<std::string, std::string> cases[] = {
        {start(R"("streamSid":"MZ2","tracks":["inbound"],)" + format), "start.streamSid differs"},
        {start(R"("tracks":["inbound"],)" + format), "start.streamSid is missing"},
        {start(R"("streamSid":"MZ1",)" + format), "start.tracks is missing"},
        {start(R"("streamSid":"MZ1","tracks":"inbound",)" + format), "start.tracks must be an array"},
        {start(R"("streamSid":"MZ1","tracks":[1],)" + format), "start.tracks must be an array"},
        {start(R"("streamSid":"MZ1","tracks":["inbound"])"), "start.mediaFormat is missing"},
        {start(R"("streamSid":"MZ1","tracks":["inbound"],"mediaFormat":{"encoding":"audio/x-mulaw","sampleRate":"8000","channels":1})"),
         "start.mediaFormat.sampleRate must be a positive integer"},
        {start(R"("streamSid":"MZ1","tracks":["inbound"],"mediaFormat":{"encoding":"audio/x-mulaw","sampleRate":8000.5,"channels":1})"),
         "start.mediaFormat.sampleRate must be a positive integer"},
        {start(R"("streamSid":"MZ1","tracks":["inbound"],"mediaFormat":{"encoding":"audio/x-mulaw","sampleRate":8000,"channels":0})"),
         "start.mediaFormat.channels must be a positive integer"},
        {start(R"("streamSid":"MZ1","tracks":["inbound"],"mediaFormat":{"encoding":"audio/x-mulaw","sampleRate":99999999999,"channels":1})"),
         "start.mediaFormat.sampleRate must be a positive integer"},
        {start(R"("streamSid":"MZ1","tracks":["inbound"],"mediaFormat":{"sampleRate":8000,"channels":1})"),
         "start.mediaFormat.encoding is missing"},
        {start(R"("streamSid":"MZ1","tracks":["inbound"],)" + format + R"(,"customParameters":{"a":1})"),
         "start.customParameters.a must be a string"},
        {start(R"("streamSid":"MZ1","tracks":["inbound"],)" + format + R"(,"customParameters":[])"),
         "start.customParameters must be an object"},
    };
    for (const auto& [text, message] : cases) {
        auto error = inbound_error(text);
        EXPECT_NE(error.find(message), std::string::npos) << text << "\n  got: " << error;
    }
}

TEST(TwilioStreamMessageInbound, NeverThrowsOnHostileInput) {
    std::string deep(100000, '[');
    EXPECT_NE(inbound_error(deep), "parsed");
    EXPECT_NE(inbound_error("{\"event\":\"\xff\"}"), "parsed");
    EXPECT_NE(inbound_error(std::string("{\"event\":\"mark\"}\0", 17)), "parsed");
    EXPECT_NE(outbound_error(deep), "parsed");
}

TEST(TwilioStreamMessageOutbound, EveryMessageRoundTrips) {
    const std::vector<OutboundMessage> messages{OutboundMedia{{0x00, 0x7F, 0xFF, 0x80}}, OutboundMedia{},
                                                OutboundMark{"utterance-3"}, Clear{}};
    for (const auto& message : messages) {
        auto text = to_json(message, kSid);
        auto result = parse_outbound(text);
        ASSERT_TRUE(std::holds_alternative<ParsedOutbound>(result)) << text << " " << std::get<MessageError>(result).message;
        EXPECT_EQ(std::get<ParsedOutbound>(result).message, message) << text;
        EXPECT_EQ(std::get<ParsedOutbound>(result).stream_sid, kSid);
    }
}

TEST(TwilioStreamMessageOutbound, HasTheExactShape) {
    EXPECT_EQ(json::parse(to_json(OutboundMedia{{0xFF, 0xFF}}, "MZ1")),
              json::parse(R"({"event":"media","streamSid":"MZ1","media":{"payload":"//8="}})"));
    EXPECT_EQ(json::parse(to_json(OutboundMark{"m"}, "MZ1")),
              json::parse(R"({"event":"mark","streamSid":"MZ1","mark":{"name":"m"}})"));
    EXPECT_EQ(to_json(Clear{}, "MZ1"), R"({"event":"clear","streamSid":"MZ1"})");
}

// Media and marks are written without a DOM: the same text the DOM serializes to, for any
// payload length, and for names and sids that need escaping (those take the DOM's path).
TEST(TwilioStreamMessageOutbound, MediaAndMarksAreTheTextTheDomWrites) {
    auto dom = [](const OutboundMessage& m, std::string_view sid) {
        json::object out;
        if (auto* media = std::get_if<OutboundMedia>(&m)) {
            out = {{"event", "media"}, {"streamSid", sid}, {"media", {{"payload", base64_encode(media->payload)}}}};
        } else {
            out = {{"event", "mark"}, {"streamSid", sid}, {"mark", {{"name", std::get<OutboundMark>(m).name}}}};
        }
        return json::serialize(out);
    };
    std::vector<std::uint8_t> payload;
    for (std::size_t n = 0; n < 900; n += 7) {
        payload.resize(n);
        for (std::size_t i = 0; i < n; ++i) payload[i] = static_cast<std::uint8_t>(i * 37 + n);
        EXPECT_EQ(to_json(OutboundMedia{payload}, kSid), dom(OutboundMedia{payload}, kSid)) << n;
    }
    for (const std::string name : {"3:100", "3:4200:end", "", "a \"quoted\" name", "back\\slash", "tab\there", "é"}) {
        EXPECT_EQ(to_json(OutboundMark{name}, kSid), dom(OutboundMark{name}, kSid)) << name;
        EXPECT_EQ(to_json(OutboundMark{name}, "MZ\"odd"), dom(OutboundMark{name}, "MZ\"odd")) << name;
    }
    EXPECT_EQ(to_json(OutboundMedia{{1, 2}}, "MZ\\"), dom(OutboundMedia{{1, 2}}, "MZ\\"));
}

TEST(TwilioStreamMessageOutbound, RejectsMalformedFrames) {
    const std::pair<std::string, std::string> cases[] = {
        {"", "not JSON"},
        {"42", "not a JSON object"},
        {R"({"streamSid":"MZ1"})", "event is missing"},
        {R"({"event":"start","streamSid":"MZ1"})", "unknown event \"start\""},
        {R"({"event":"clear"})", "streamSid is missing"},
        {R"({"event":"media","streamSid":"MZ1"})", "media is missing"},
        {R"({"event":"media","streamSid":"MZ1","media":{}})", "media.payload is missing"},
        {R"({"event":"media","streamSid":"MZ1","media":{"payload":7}})", "media.payload must be a string"},
        {R"({"event":"media","streamSid":"MZ1","media":{"payload":"abc"}})", "media.payload is not valid base64"},
        {R"({"event":"mark","streamSid":"MZ1","mark":{}})", "mark.name is missing"},
        {R"({"event":"mark","streamSid":5,"mark":{"name":"a"}})", "streamSid must be a string"},
    };
    for (const auto& [text, message] : cases) {
        auto error = outbound_error(text);
        EXPECT_NE(error.find(message), std::string::npos) << text << "\n  got: " << error;
    }
}

}  // namespace
}  // namespace va::twilio
