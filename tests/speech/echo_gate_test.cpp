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
    for (int i = 0; i < 250; ++i) EXPECT_FALSE(gate.passes(frame(800), true)) << i;  // −20 dB, measured or not
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

// Seconds of the agent sounding while the line brings `line` back (a frame of it at a time).
void agent_speaks_over(EchoGate& gate, double line, int seconds) {
    for (int i = 0; i < 50 * seconds; ++i) gate.passes(frame(line), true);
}

TEST(EchoGate, OnALineWithoutEchoASoftCalleeIsHeardOverTheAgent) {
    EchoGate gate;
    gate.agent_audio(frame(8000));
    agent_speaks_over(gate, 0, 1);
    EXPECT_FALSE(gate.passes(frame(800, 300), true)) << "one second is not yet a measure of the line";
    agent_speaks_over(gate, 0, 1);
    EXPECT_TRUE(gate.passes(frame(800, 300), true)) << "20 dB under the agent, on a silent line";
    EXPECT_TRUE(gate.passes(frame(100, 300), true));
}

TEST(EchoGate, TheLinesEchoSetsTheBarAboveIt) {
    EchoGate gate;
    gate.agent_audio(frame(8000));
    agent_speaks_over(gate, 200, 4);  // echo 32 dB under the agent
    EXPECT_FALSE(gate.passes(frame(200), true)) << "the echo itself";
    EXPECT_FALSE(gate.passes(frame(450), true)) << "5 dB over the echo";
    EXPECT_TRUE(gate.passes(frame(600, 300), true)) << "9.5 dB over the echo, 22.5 under the agent";
}

TEST(EchoGate, AStrongEchoNeverRaisesTheBarOverItsMargin) {
    EchoGate gate;
    gate.agent_audio(frame(8000));
    agent_speaks_over(gate, 4000, 4);  // an echo 6 dB under the agent: a bad line
    EXPECT_TRUE(gate.passes(frame(2200, 300), true)) << "11 dB under the agent still passes";
}

TEST(EchoGate, ACalleeTalkingOverTheAgentDoesNotRaiseTheMeasuredEcho) {
    EchoGate gate;
    gate.agent_audio(frame(8000));
    agent_speaks_over(gate, 0, 1);
    agent_speaks_over(gate, 6000, 1);  // the callee, loud, all through one second
    agent_speaks_over(gate, 0, 1);
    agent_speaks_over(gate, 6000, 1);
    EXPECT_TRUE(gate.passes(frame(800, 300), true)) << "the quiet seconds are the line's echo";
}

}  // namespace
}  // namespace va::speech
