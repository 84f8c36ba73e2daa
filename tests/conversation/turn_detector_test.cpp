#include "conversation/turn_detector.hpp"

#include <gtest/gtest.h>

namespace va::conversation {
namespace {

using namespace std::chrono_literals;
using Event = TurnDetector::Event;

// Feeds `length` of voiced or silent 20 ms frames; returns the events that were not none/voice.
std::vector<Event> feed(TurnDetector& d, std::chrono::milliseconds length, bool voiced) {
    std::vector<Event> out;
    for (auto t = 0ms; t < length; t += 20ms) {
        auto e = d.push(voiced, 20ms);
        if (e != Event::none && e != Event::voice) out.push_back(e);
    }
    return out;
}

TEST(TurnDetector, AnAcceptedSegmentEndsAfterTheSilence) {
    TurnDetector d({});
    EXPECT_EQ(feed(d, 100ms, false), std::vector<Event>{});
    EXPECT_EQ(feed(d, 400ms, true), std::vector<Event>{Event::onset});
    EXPECT_EQ(d.voiced(), 400ms);
    d.accept();
    EXPECT_EQ(feed(d, 580ms, false), std::vector<Event>{});
    EXPECT_EQ(d.last_voice_end(), 500ms);
    EXPECT_EQ(feed(d, 20ms, false), std::vector<Event>{Event::ended});
    EXPECT_FALSE(d.open());
}

TEST(TurnDetector, PausesShorterThanTheEndSilenceStayInTheTurn) {
    TurnDetector d({});
    feed(d, 300ms, true);
    d.accept();
    EXPECT_EQ(feed(d, 400ms, false), std::vector<Event>{});
    EXPECT_EQ(feed(d, 300ms, true), std::vector<Event>{});
    EXPECT_EQ(d.voiced(), 600ms);
    EXPECT_EQ(feed(d, 600ms, false), std::vector<Event>{Event::ended});
}

TEST(TurnDetector, AnUnacceptedSegmentIsDropped) {
    TurnDetector d({});
    feed(d, 100ms, true);
    EXPECT_EQ(feed(d, 600ms, false), std::vector<Event>{Event::dropped});
    EXPECT_EQ(feed(d, 20ms, true), std::vector<Event>{Event::onset});
    EXPECT_FALSE(d.accepted());
}

TEST(TurnDetector, TheWordsCanShortenOrLengthenTheSilenceOfTheOpenSegment) {
    TurnDetector d({});
    feed(d, 300ms, true);
    d.accept();
    d.set_end_silence(1500ms);  // "I'd like the"
    EXPECT_EQ(feed(d, 1000ms, false), std::vector<Event>{});
    EXPECT_EQ(feed(d, 300ms, true), std::vector<Event>{});
    d.set_end_silence(300ms);  // "... morning one, please"
    EXPECT_EQ(feed(d, 300ms, false), std::vector<Event>{Event::ended});
    // The next segment starts from the settings' silence again.
    feed(d, 300ms, true);
    d.accept();
    EXPECT_EQ(feed(d, 580ms, false), std::vector<Event>{});
    EXPECT_EQ(feed(d, 20ms, false), std::vector<Event>{Event::ended});
}

TEST(TurnDetector, AVoiceRunIsBrokenByAGapButTheSegmentGoesOn) {
    TurnDetector d({});
    feed(d, 100ms, true);
    feed(d, 160ms, false);  // a gap between words
    feed(d, 100ms, true);
    EXPECT_EQ(d.voice_run(), 200ms);
    feed(d, TurnDetector::kRunGap, false);  // blips further apart than words
    feed(d, 40ms, true);
    EXPECT_EQ(d.voice_run(), 40ms);
    EXPECT_EQ(d.voiced(), 240ms);
    EXPECT_TRUE(d.open());
}

TEST(TurnDetector, RecentVoiceCountsTheLastWindowsVoicedFramesAcrossShortGaps) {
    TurnDetector d({});
    feed(d, 100ms, true);   // "ex"
    feed(d, 100ms, false);  // "-c-s-"
    feed(d, 100ms, true);   // "cuse"
    EXPECT_EQ(d.recent_voice(), 200ms);
    feed(d, 200ms, false);
    EXPECT_EQ(d.recent_voice(), 100ms) << "the first 100 ms have left the window";
    feed(d, 200ms, false);
    EXPECT_EQ(d.recent_voice(), 0ms);
    ASSERT_TRUE(d.open());
    feed(d, 20ms, true);
    EXPECT_EQ(d.recent_voice(), 20ms);
}

TEST(TurnDetector, AnEndlessTurnEndsAtMaxTurn) {
    TurnSettings s;
    s.max_turn = 2s;
    TurnDetector d(s);
    feed(d, 200ms, true);
    d.accept();
    EXPECT_EQ(feed(d, 1800ms, true), std::vector<Event>{Event::ended});
    EXPECT_EQ(d.last_voice_end(), 2000ms);
}

}  // namespace
}  // namespace va::conversation
