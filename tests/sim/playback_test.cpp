#include "sim/playback.hpp"

#include <gtest/gtest.h>

#include "sim/pacer.hpp"

namespace va::sim {
namespace {

std::vector<std::uint8_t> bytes(std::size_t n, std::uint8_t value = 0x10) { return std::vector<std::uint8_t>(n, value); }

TEST(SimPlayback, MarkWithNothingQueuedIsEchoedAtOnce) {
    PlaybackBuffer buffer;
    buffer.push_mark("m0");
    EXPECT_EQ(buffer.take_ready_marks(), std::vector<std::string>{"m0"});
    EXPECT_TRUE(buffer.take_ready_marks().empty());
}

TEST(SimPlayback, MarkWaitsUntilTheAudioBeforeItHasPlayed) {
    PlaybackBuffer buffer;
    buffer.push_audio(bytes(400));
    buffer.push_mark("a");
    buffer.push_audio(bytes(100));
    buffer.push_mark("b");
    EXPECT_EQ(buffer.queued_samples(), 500u);

    EXPECT_EQ(buffer.play(160).size(), 160u);
    EXPECT_EQ(buffer.play(160).size(), 160u);
    EXPECT_TRUE(buffer.take_ready_marks().empty());  // 80 samples before "a" still to play
    EXPECT_EQ(buffer.play(160).size(), 160u);      // plays the rest of the first chunk and 80 of the second
    EXPECT_EQ(buffer.take_ready_marks(), std::vector<std::string>{"a"});
    EXPECT_EQ(buffer.play(160).size(), 20u);  // the buffer runs dry
    EXPECT_EQ(buffer.take_ready_marks(), std::vector<std::string>{"b"});
    EXPECT_FALSE(buffer.has_audio());
}

TEST(SimPlayback, PlaysAudioInOrder) {
    PlaybackBuffer buffer;
    buffer.push_audio(bytes(100, 1));
    buffer.push_audio(bytes(100, 2));
    auto played = buffer.play(150);
    ASSERT_EQ(played.size(), 150u);
    EXPECT_EQ(played[99], 1);
    EXPECT_EQ(played[100], 2);
}

TEST(SimPlayback, ClearDropsTheAudioAndReleasesPendingMarksAtOnce) {
    PlaybackBuffer buffer;
    buffer.push_audio(bytes(8000));
    buffer.push_mark("x");
    buffer.push_audio(bytes(8000));
    buffer.push_mark("y");
    buffer.play(160);
    buffer.clear();
    EXPECT_EQ(buffer.take_ready_marks(), (std::vector<std::string>{"x", "y"}));
    EXPECT_FALSE(buffer.has_audio());
    EXPECT_TRUE(buffer.play(160).empty());
    buffer.push_audio(bytes(10));  // audio after a clear plays normally
    EXPECT_EQ(buffer.play(160).size(), 10u);
}

TEST(SimPacer, CallsAboveTheRateAreQueuedNotRefused) {
    Pacer pacer(2.0);  // one call every 500 ms
    auto t0 = timing::SteadyTime{} + std::chrono::hours(1);
    EXPECT_EQ(pacer.next_slot(t0), t0);
    EXPECT_EQ(pacer.next_slot(t0), t0 + std::chrono::milliseconds(500));
    EXPECT_EQ(pacer.next_slot(t0), t0 + std::chrono::milliseconds(1000));
    // After a quiet spell the next call starts at once.
    auto later = t0 + std::chrono::seconds(10);
    EXPECT_EQ(pacer.next_slot(later), later);
}

}  // namespace
}  // namespace va::sim
