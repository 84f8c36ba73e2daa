// The SSE parser by the WHATWG rules: line ends, fields, comments, dispatch, splits anywhere, caps.
#include "llm/sse.hpp"

#include <gtest/gtest.h>

namespace va::llm {
namespace {

std::vector<SseEvent> parse(std::string_view bytes) {
    SseParser parser;
    std::vector<SseEvent> events;
    EXPECT_TRUE(parser.feed(bytes, events)) << parser.error();
    return events;
}

// type / data / id of each event, to compare whole streams in one assertion.
std::vector<std::string> flat(const std::vector<SseEvent>& events) {
    std::vector<std::string> out;
    for (const auto& e : events) out.push_back(e.type + "|" + e.data + "|" + e.id);
    return out;
}

// A sample with every construct: BOM, comments, CRLF and CR and LF, multi-line data, event and
// id fields, an event with no data (dropped), UTF-8 text, a field with no colon.
const std::string kSample =
    "\xEF\xBB\xBF: keep-alive\r\n"
    "data: first\r\n"
    "\r\n"
    "event: update\rdata:  two spaces\rdata:line two\r\r"
    "id: 7\n"
    "data: caf\xC3\xA9 \xE2\x98\x95\n\n"
    "event: lonely\n\n"
    "data\n\n"
    "data: [DONE]\n\n";

const std::vector<std::string> kSampleEvents = {
    "message|first|",
    "update| two spaces\nline two|",
    "message|caf\xC3\xA9 \xE2\x98\x95|7",
    "message||7",
    "message|[DONE]|7",
};

TEST(SseParser, ParsesEveryConstructOfTheSample) { EXPECT_EQ(flat(parse(kSample)), kSampleEvents); }

TEST(SseParser, EverySplitPointGivesTheSameEvents) {
    for (std::size_t cut = 0; cut <= kSample.size(); ++cut) {
        SseParser parser;
        std::vector<SseEvent> events;
        ASSERT_TRUE(parser.feed(std::string_view(kSample).substr(0, cut), events));
        ASSERT_TRUE(parser.feed(std::string_view(kSample).substr(cut), events));
        EXPECT_EQ(flat(events), kSampleEvents) << "split at " << cut;
    }
}

TEST(SseParser, ByteByByteGivesTheSameEvents) {
    SseParser parser;
    std::vector<SseEvent> events;
    for (char c : kSample) ASSERT_TRUE(parser.feed(std::string_view(&c, 1), events));
    EXPECT_EQ(flat(events), kSampleEvents);
}

TEST(SseParser, TwoSplitPointsGiveTheSameEvents) {
    for (std::size_t a = 0; a <= kSample.size(); ++a) {
        for (std::size_t b = a; b <= kSample.size(); b += 3) {
            SseParser parser;
            std::vector<SseEvent> events;
            std::string_view all = kSample;
            parser.feed(all.substr(0, a), events);
            parser.feed(all.substr(a, b - a), events);
            parser.feed(all.substr(b), events);
            ASSERT_EQ(flat(events), kSampleEvents) << "split at " << a << " and " << b;
        }
    }
}

TEST(SseParser, LfCrlfAndCrLineEndsAreAlike) {
    auto lf = flat(parse("data: a\ndata: b\n\n"));
    EXPECT_EQ(lf, std::vector<std::string>{"message|a\nb|"});
    EXPECT_EQ(flat(parse("data: a\r\ndata: b\r\n\r\n")), lf);
    EXPECT_EQ(flat(parse("data: a\rdata: b\r\r")), lf);
    EXPECT_EQ(flat(parse("data: a\r\ndata: b\r\r\n")), lf);  // mixed
}

TEST(SseParser, ACrAtTheEndOfAReadThenAnLfIsOneLineEnd) {
    SseParser parser;
    std::vector<SseEvent> events;
    parser.feed("data: x\r", events);
    parser.feed("\n", events);  // not a second, empty line: nothing dispatched yet
    EXPECT_TRUE(events.empty());
    parser.feed("\r", events);
    ASSERT_EQ(events.size(), 1u);
    EXPECT_EQ(events[0].data, "x");
}

TEST(SseParser, OnlyOneSpaceAfterTheColonIsRemoved) {
    EXPECT_EQ(parse("data:x\n\n")[0].data, "x");
    EXPECT_EQ(parse("data: x\n\n")[0].data, "x");
    EXPECT_EQ(parse("data:  x \n\n")[0].data, " x ");
    EXPECT_EQ(parse("data:\n\n")[0].data, "");
}

TEST(SseParser, CommentsAndUnknownFieldsAreIgnored) {
    auto events = parse(": ping\n:\nretry: 100\nfoo: bar\ndata: kept\n: between\n\n");
    EXPECT_EQ(flat(events), std::vector<std::string>{"message|kept|"});
    EXPECT_TRUE(parse(": only a comment\n\n").empty());
}

TEST(SseParser, AnEventWithoutABlankLineIsNotDispatched) {
    SseParser parser;
    std::vector<SseEvent> events;
    parser.feed("data: half", events);
    EXPECT_TRUE(events.empty());
    EXPECT_TRUE(parser.mid_event());
    parser.feed("\n", events);
    EXPECT_TRUE(events.empty());
    EXPECT_TRUE(parser.mid_event());
    parser.feed("\n", events);
    ASSERT_EQ(events.size(), 1u);
    EXPECT_FALSE(parser.mid_event());
}

TEST(SseParser, TheEventTypeResetsAfterEachEventAndTheIdCarriesOver) {
    auto events = parse("event: a\nid: 1\ndata: x\n\ndata: y\n\nid\ndata: z\n\n");
    EXPECT_EQ(flat(events), (std::vector<std::string>{"a|x|1", "message|y|1", "message|z|"}));
}

TEST(SseParser, AnIdWithANulIsIgnored) {
    constexpr char kStream[] = "id: 1\ndata: a\n\nid: 2\0x\ndata: b\n\n";
    auto events = parse(std::string_view(kStream, sizeof kStream - 1));
    ASSERT_EQ(events.size(), 2u);
    EXPECT_EQ(events[1].id, "1");
}

TEST(SseParser, AnOnlyPartlyMatchingBomIsData) {
    // EF BB then something else: not a BOM, so those bytes start the first line.
    auto events = parse("\xEF\xBB" "data: x\n\n");
    EXPECT_TRUE(events.empty());  // the field name is "\xEF\xBBdata": unknown, ignored
    SseParser parser;
    std::vector<SseEvent> out;
    parser.feed("\xEF", out);
    parser.feed("\xBB", out);
    parser.feed("\xBF" "data: y\n\n", out);
    ASSERT_EQ(out.size(), 1u);
    EXPECT_EQ(out[0].data, "y");
}

TEST(SseParser, AnOversizeEventIsAnErrorNotGrowth) {
    SseParser parser(1024);
    std::vector<SseEvent> events;
    std::string line = "data: " + std::string(200, 'x') + "\n";
    bool ok = true;
    for (int i = 0; i < 10 && ok; ++i) ok = parser.feed(line, events);
    EXPECT_FALSE(ok);
    EXPECT_NE(parser.error().find("1024"), std::string::npos) << parser.error();
    EXPECT_FALSE(parser.feed("\n\ndata: more\n\n", events));  // broken for good
    EXPECT_TRUE(events.empty());
}

TEST(SseParser, AnEndlessLineIsAnErrorToo) {
    SseParser parser(1024);
    std::vector<SseEvent> events;
    std::string chunk(300, 'x');
    bool ok = true;
    for (int i = 0; i < 10 && ok; ++i) ok = parser.feed(chunk, events);
    EXPECT_FALSE(ok);
}

TEST(SseParser, EventsUnderTheCapPassAndTheCapIsPerEvent) {
    SseParser parser(1024);
    std::vector<SseEvent> events;
    std::string event = "data: " + std::string(900, 'x') + "\n\n";
    for (int i = 0; i < 20; ++i) ASSERT_TRUE(parser.feed(event, events)) << parser.error();
    EXPECT_EQ(events.size(), 20u);
}

}  // namespace
}  // namespace va::llm
