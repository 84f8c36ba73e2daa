#include "sim/callee.hpp"

#include <gtest/gtest.h>

#include "media/mulaw.hpp"

namespace va::sim {
namespace {

constexpr std::uint8_t kVoice = 0x20;

Step say(Step::Trigger trigger, int delay_ms) {
    Step s;
    s.kind = Step::Kind::say;
    s.text = "hi";
    s.trigger = trigger;
    s.delay = std::chrono::milliseconds(delay_ms);
    return s;
}

bool is_voice(const CalleeTick& t) { return t.audio.front() == kVoice; }

// Drives the callee tick by tick with a timeline of agent playback.
struct Driver {
    Callee callee;
    std::int64_t now = 0;
    CalleeTick tick(bool agent_playing) {
        auto t = callee.tick(now, agent_playing);
        now += 20;
        return t;
    }
};

TEST(SimCallee, SaysAfterTheAgentHasSpokenAndBeenSilent) {
    Driver d{Callee({say(Step::Trigger::agent_silent, 600)}, {std::vector<std::uint8_t>(320, kVoice)})};
    for (int i = 0; i < 50; ++i) EXPECT_FALSE(is_voice(d.tick(false))) << "no greeting yet, no answer";
    for (int i = 0; i < 10; ++i) d.tick(true);  // the greeting plays for 200 ms
    for (int i = 0; i < 30; ++i) EXPECT_FALSE(is_voice(d.tick(false))) << "within 600 ms of silence";
    auto first = d.tick(false);
    EXPECT_TRUE(is_voice(first));
    EXPECT_EQ(first.started_saying, "hi");
    auto second = d.tick(false);
    EXPECT_TRUE(is_voice(second));
    EXPECT_TRUE(second.finished_saying);
    EXPECT_TRUE(d.callee.script_done());
    EXPECT_FALSE(is_voice(d.tick(false)));
    EXPECT_EQ(d.tick(false).audio.front(), media::kMulawSilence);
}

TEST(SimCallee, BargesInAFixedTimeAfterTheAgentStartsSpeaking) {
    Driver d{Callee({say(Step::Trigger::agent_speaking, 100)}, {std::vector<std::uint8_t>(160, kVoice)})};
    for (int i = 0; i < 10; ++i) EXPECT_FALSE(is_voice(d.tick(false)));
    for (int i = 0; i < 5; ++i) EXPECT_FALSE(is_voice(d.tick(true)));  // 0..80 ms of agent speech
    auto t = d.tick(true);                                            // 100 ms
    EXPECT_TRUE(is_voice(t));
    EXPECT_TRUE(t.finished_saying);
}

TEST(SimCallee, PressesDigitsSilenceAndHangsUp) {
    Step press;
    press.kind = Step::Kind::press;
    press.digits = "12";
    press.trigger = Step::Trigger::immediately;
    Step silence;
    silence.kind = Step::Kind::silence;
    silence.duration = std::chrono::milliseconds(200);
    Step hangup;
    hangup.kind = Step::Kind::hangup;
    Driver d{Callee({press, silence, hangup}, {})};
    EXPECT_EQ(d.tick(false).digit, '1');
    std::optional<char> second;
    int ticks = 0;
    while (!second && ticks++ < 20) second = d.tick(false).digit;
    EXPECT_EQ(second, '2');
    int until_hangup = 0;
    while (!d.tick(false).hangup) ASSERT_LT(++until_hangup, 50);
    EXPECT_GE(until_hangup * 20, 180);  // the 200 ms silence came first
}

}  // namespace
}  // namespace va::sim
