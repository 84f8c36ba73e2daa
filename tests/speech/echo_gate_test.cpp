// The echo gate: the agent's echo under its bar while the agent sounds and for the tail after; a
// callee near the agent's level over it; nothing gated before the agent has said anything.
#include "speech/echo_gate.hpp"

#include <cmath>
#include <vector>

#include <gtest/gtest.h>

#include "media/mulaw.hpp"

namespace va::speech {
namespace {

// 20 ms of a tone at `amplitude` (RMS amplitude / √2).
std::vector<std::int16_t> frame(double amplitude, double hz = 440) {
    std::vector<std::int16_t> pcm(160);
    for (std::size_t i = 0; i < pcm.size(); ++i)
        pcm[i] = static_cast<std::int16_t>(amplitude * std::sin(2 * M_PI * hz * static_cast<double>(i) / 8000.0));
    return pcm;
}

TEST(EchoGate, BeforeTheAgentHasSpokenNothingIsGated) {
    EchoGate gate;
    EXPECT_TRUE(gate.passes(frame(100), true));
    EXPECT_TRUE(gate.passes(frame(100), false));
}

TEST(EchoGate, TheAgentsEchoAt20DbUnderIsNotTheCallee) {
    EchoGate gate;
    gate.agent_audio(frame(8000));
    gate.agent_audio(frame(2000));  // a quieter stretch does not lower the bar
    for (int i = 0; i < 50; ++i) EXPECT_FALSE(gate.passes(frame(800), true)) << i;  // −20 dB
}

TEST(EchoGate, ACalleeNearTheAgentsLevelTalksOverIt) {
    EchoGate gate;
    gate.agent_audio(frame(8000));
    EXPECT_TRUE(gate.passes(frame(8000, 300), true));  // as loud
    EXPECT_TRUE(gate.passes(frame(4000, 300), true));  // 6 dB under
    EXPECT_TRUE(gate.passes(frame(2200, 300), true));  // 11 dB under
    EXPECT_FALSE(gate.passes(frame(1400, 300), true));  // 15 dB under: taken for echo
}

// Cached audio many calls share is μ-law: it sets the same bar as its PCM would.
TEST(EchoGate, MulawAudioSetsTheAgentsLevelAsItsPcmWould) {
    std::vector<std::int16_t> pcm = frame(200);
    const auto loud = frame(8000);
    pcm.insert(pcm.end(), loud.begin(), loud.end());
    pcm.resize(pcm.size() + 50);  // a part frame at the end
    EchoGate from_mulaw;
    from_mulaw.agent_audio(std::span<const std::uint8_t>(media::encode_mulaw(pcm)));
    EXPECT_FALSE(from_mulaw.passes(frame(1400, 300), true)) << "the loud frame set the bar";
    EXPECT_TRUE(from_mulaw.passes(frame(2200, 300), true));
}

TEST(EchoGate, TheGateHoldsForItsTailAfterTheAgentFallsSilent) {
    EchoGate gate({.margin_db = 14, .tail = std::chrono::milliseconds(100)});
    gate.agent_audio(frame(8000));
    EXPECT_FALSE(gate.passes(frame(800), true));
    for (int i = 0; i < 5; ++i) EXPECT_FALSE(gate.passes(frame(800), false)) << "tail frame " << i;  // 100 ms
    EXPECT_TRUE(gate.passes(frame(800), false));  // the echo is over: whatever sounds now is the callee
    EXPECT_FALSE(gate.passes(frame(800), true));   // the agent speaks again
}

}  // namespace
}  // namespace va::speech
