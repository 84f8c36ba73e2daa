#include "call/playout.hpp"

#include <gtest/gtest.h>

namespace va::call {
namespace {

using std::chrono::milliseconds;

const timing::SteadyTime kT0{std::chrono::seconds(1000)};

std::vector<std::uint8_t> audio_ms(int ms) { return std::vector<std::uint8_t>(static_cast<std::size_t>(ms) * 8, 0x55); }

struct Summary {
    std::size_t audio_bytes = 0;
    std::vector<std::string> marks;
    int clears = 0;
};

Summary summarise(const std::vector<twilio::OutboundMessage>& messages) {
    Summary s;
    for (const auto& m : messages) {
        if (auto* media = std::get_if<twilio::OutboundMedia>(&m)) s.audio_bytes += media->payload.size();
        if (auto* mark = std::get_if<twilio::OutboundMark>(&m)) s.marks.push_back(mark->name);
        if (std::holds_alternative<twilio::Clear>(m)) ++s.clears;
    }
    return s;
}

TEST(Playout, SendsTheLeadAtOnceThenOneChunkPerChunkOfRealTime) {
    Playout playout({milliseconds(200), milliseconds(100)});
    playout.queue(1, audio_ms(1000));
    auto first = playout.pump(kT0);
    auto s = summarise(first.messages);
    EXPECT_EQ(s.audio_bytes, 1600u) << "200 ms of lead at once";
    EXPECT_EQ(s.marks, (std::vector<std::string>{"1:100", "1:200"})) << "a mark after every chunk";
    ASSERT_TRUE(first.next);
    EXPECT_EQ(*first.next, kT0 + milliseconds(100));

    auto second = playout.pump(kT0 + milliseconds(100));
    EXPECT_EQ(summarise(second.messages).audio_bytes, 800u);
    EXPECT_EQ(*second.next, kT0 + milliseconds(200));
    EXPECT_TRUE(summarise(playout.pump(kT0 + milliseconds(150)).messages).marks.empty()) << "early: nothing due";
}

// Audio many calls share (a cached greeting) is played from the one buffer: the same messages as
// a copy, and audio queued after it for the same utterance follows it.
TEST(Playout, SharedAudioPlaysAsACopyWouldAndMoreAudioFollowsIt) {
    std::vector<std::uint8_t> greeting(2000);
    for (std::size_t i = 0; i < greeting.size(); ++i) greeting[i] = static_cast<std::uint8_t>(i * 7);
    const auto shared = std::make_shared<const std::vector<std::uint8_t>>(greeting);
    Playout copied({milliseconds(1000), milliseconds(100)});
    Playout referenced({milliseconds(1000), milliseconds(100)});
    copied.queue(3, greeting);
    referenced.queue(3, shared);
    EXPECT_EQ(shared.use_count(), 2) << "kept by reference, not copied";
    const auto tail = audio_ms(50);
    copied.queue(3, tail);
    referenced.queue(3, tail);
    copied.finish(3);
    referenced.finish(3);
    const auto expected = copied.pump(kT0);
    EXPECT_EQ(referenced.pump(kT0).messages, expected.messages);
    EXPECT_EQ(summarise(expected.messages).audio_bytes, 2400u);
}

TEST(Playout, EachMessageIsWholeFramesAndTheLastMarkEndsTheUtterance) {
    Playout playout({milliseconds(1000), milliseconds(100)});
    playout.queue(7, audio_ms(250));
    playout.finish(7);
    auto step = playout.pump(kT0);
    ASSERT_EQ(step.messages.size(), 6u);  // 100 + mark, 100 + mark, 50 + end mark
    EXPECT_EQ(std::get<twilio::OutboundMedia>(step.messages[0]).payload.size(), 800u);
    EXPECT_EQ(std::get<twilio::OutboundMedia>(step.messages[4]).payload.size(), 400u);
    EXPECT_EQ(std::get<twilio::OutboundMark>(step.messages[5]).name, "7:250:end");
    EXPECT_FALSE(step.next);

    EXPECT_EQ(playout.on_mark("7:100"), (Played{7, milliseconds(100), false}));
    EXPECT_EQ(playout.on_mark("7:250:end"), (Played{7, milliseconds(250), true}));
    EXPECT_FALSE(playout.on_mark("7:250:end")) << "each mark is reported once";
    EXPECT_FALSE(playout.on_mark("not ours"));
}

TEST(Playout, AudioArrivingInPiecesJoinsOneUtterance) {
    Playout playout({milliseconds(1000), milliseconds(100)});
    playout.queue(1, audio_ms(60));
    playout.queue(1, audio_ms(60));
    auto step = playout.pump(kT0);
    EXPECT_EQ(summarise(step.messages).audio_bytes, 960u);
    EXPECT_EQ(summarise(step.messages).marks, (std::vector<std::string>{"1:100", "1:120"}));
    playout.finish(1);
    EXPECT_EQ(summarise(playout.pump(kT0 + milliseconds(10)).messages).marks, (std::vector<std::string>{"1:120:end"}));
}

TEST(Playout, InterruptReportsWhatWasHeardAndIgnoresTheMarksTwilioEchoesForTheDroppedAudio) {
    Playout playout({milliseconds(200), milliseconds(100)});
    playout.queue(1, audio_ms(1000));
    playout.finish(1);
    playout.queue(2, audio_ms(500));
    playout.pump(kT0);                        // 0-200 ms sent
    playout.pump(kT0 + milliseconds(100));    // 200-300 sent
    EXPECT_EQ(playout.on_mark("1:100"), (Played{1, milliseconds(100), false}));
    auto cut = playout.interrupt(kT0 + milliseconds(150));
    // Sent 300 ms, 150 ms still in Twilio's buffer: the callee heard 150 ms. Utterance 2 never started.
    EXPECT_EQ(cut, (std::vector<Played>{{1, milliseconds(150), false}, {2, milliseconds(0), false}}));
    EXPECT_FALSE(playout.busy(kT0 + milliseconds(150)));
    // Twilio echoes the pending marks at once after a clear: they do not mean "played".
    EXPECT_FALSE(playout.on_mark("1:200"));
    EXPECT_FALSE(playout.on_mark("1:300"));

    playout.queue(3, audio_ms(100));
    playout.finish(3);
    auto next = summarise(playout.pump(kT0 + milliseconds(160)).messages);
    EXPECT_EQ(next.audio_bytes, 800u) << "Twilio's buffer is empty after the clear: the lead goes out at once";
    EXPECT_EQ(playout.on_mark(next.marks.back()), (Played{3, milliseconds(100), true}));
}

TEST(Playout, AnInterruptedUtteranceStaysCutEvenIfItHadCaughtUp) {
    Playout playout({milliseconds(200), milliseconds(100)});
    playout.queue(1, audio_ms(100));  // streaming: more of utterance 1 is still being synthesised
    playout.pump(kT0);
    auto cut = playout.interrupt(kT0 + milliseconds(150));  // everything sent has played
    EXPECT_EQ(cut, (std::vector<Played>{{1, milliseconds(100), false}}));
    playout.queue(1, audio_ms(500));  // late chunks of the cut utterance
    playout.finish(1);
    EXPECT_TRUE(playout.pump(kT0 + milliseconds(160)).messages.empty()) << "a cut utterance does not resume";
    EXPECT_FALSE(playout.busy(kT0 + milliseconds(160)));
}

TEST(Playout, InterruptAlsoReportsThePreviousUtterancesUnplayedTail) {
    Playout playout({milliseconds(300), milliseconds(100)});
    playout.queue(1, audio_ms(100));
    playout.finish(1);
    playout.queue(2, audio_ms(100));
    playout.finish(2);
    playout.queue(3, audio_ms(100));
    playout.pump(kT0);  // 1 plays 0-100, 2 plays 100-200, 3 plays 200-300
    auto cut = playout.interrupt(kT0 + milliseconds(150));
    EXPECT_EQ(cut, (std::vector<Played>{{1, milliseconds(100), true}, {2, milliseconds(50), false}, {3, milliseconds(0), false}}))
        << "1 had played in full (its end mark had not come back yet), 2 was cut half-way, 3 never started";
}

TEST(Playout, AnUnderrunRestartsTheClock) {
    Playout playout({milliseconds(200), milliseconds(100)});
    playout.queue(1, audio_ms(100));
    playout.pump(kT0);
    EXPECT_TRUE(playout.busy(kT0 + milliseconds(50)));
    EXPECT_FALSE(playout.busy(kT0 + milliseconds(100)));
    playout.queue(1, audio_ms(300));
    auto late = playout.pump(kT0 + milliseconds(500));
    EXPECT_EQ(summarise(late.messages).audio_bytes, 1600u) << "the buffer ran dry: a full lead again";
    EXPECT_EQ(*late.next, kT0 + milliseconds(600));
}

// A hold (speech over the agent, not yet known to be more than "uh-huh"): nothing more goes out,
// Twilio plays out its lead and falls silent, and a release goes on from there, nothing lost.
TEST(Playout, AHoldSendsNothingUntilReleasedAndLosesNothing) {
    Playout playout({milliseconds(200), milliseconds(100)});
    playout.queue(1, audio_ms(1000));
    playout.finish(1);
    playout.pump(kT0);  // 0-200 ms sent
    playout.hold(true);
    const auto held = playout.pump(kT0 + milliseconds(100));
    EXPECT_TRUE(held.messages.empty());
    EXPECT_FALSE(held.next) << "no wake-up while held";
    EXPECT_TRUE(playout.busy(kT0 + milliseconds(400))) << "audio still queued";
    playout.hold(false);
    auto released = summarise(playout.pump(kT0 + milliseconds(500)).messages);
    EXPECT_EQ(released.audio_bytes, 1600u) << "Twilio ran dry meanwhile: a full lead again";
    EXPECT_EQ(released.marks, (std::vector<std::string>{"1:300", "1:400"})) << "on from where it stopped";
}

TEST(Playout, AnInterruptEndsAHold) {
    Playout playout({milliseconds(200), milliseconds(100)});
    playout.queue(1, audio_ms(1000));
    playout.pump(kT0);
    playout.hold(true);
    playout.interrupt(kT0 + milliseconds(100));
    EXPECT_FALSE(playout.held());
    playout.queue(2, audio_ms(100));
    EXPECT_EQ(summarise(playout.pump(kT0 + milliseconds(100)).messages).audio_bytes, 800u) << "the next reply is heard";
}

}  // namespace
}  // namespace va::call
