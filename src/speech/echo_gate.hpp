#pragma once
// The agent's own voice coming back on the line (a hybrid's echo: 20 dB or more under what was
// played, up to ~200 ms late) is not the callee speaking. While the agent sounds, and for a tail
// after, a frame of the line counts as the callee's voice only when it is louder than the agent's
// speech level less a margin: an echo stays under the bar, a callee at about the agent's level
// passes. The line's own echo, measured while the agent speaks, lowers the bar: on a line that
// brings little or none back, a callee's soft onset ("excuse me") is not taken for echo. The VAD
// still decides what is voice; the gate only vetoes. One call's, fed in order.
#include <array>
#include <chrono>
#include <cstdint>
#include <span>

namespace va::speech {

struct EchoGateOptions {
    double margin_db = 14;                // the bar, at most: the agent's level less this
    std::chrono::milliseconds tail{300};  // after the agent falls silent (the echo's delay, and then some)
    // Once the line's echo is measured, the bar is this far over it if that is lower. The echo is
    // the line's loudest frame in each second the agent sounded, the least of the last four (two
    // will do): a callee talking over the agent only ever raises a second's loudest frame.
    double echo_headroom_db = 8;
};

class EchoGate {
public:
    explicit EchoGate(EchoGateOptions options = {}) : options_(options) {}

    // Audio of the agent's, as it is queued to play (8 kHz PCM): its loudest 20 ms sets the
    // agent's level (a voice's level hardly changes from one reply to the next).
    void agent_audio(std::span<const std::int16_t> pcm);
    // The same for μ-law audio (a cached greeting many calls share), decoded frame by frame.
    void agent_audio(std::span<const std::uint8_t> mulaw);
    // Whether a frame of the line (8 kHz PCM, in order) may be the callee's voice; `agent_sounding`
    // says whether the agent's voice is playing while it arrives.
    bool passes(std::span<const std::int16_t> pcm, bool agent_sounding);

private:
    static constexpr std::size_t kSeconds = 4;
    double bar() const;
    void measure_echo(double level, double length_ms);

    EchoGateOptions options_;
    double agent_level_ = 0;   // RMS of the agent's loudest 20 ms so far
    double tail_left_ms_ = 0;  // of the gate after the agent fell silent
    // The line's echo relative to agent_level_, one figure per second the agent sounded.
    std::array<double, kSeconds> echo_{};
    std::size_t seconds_measured_ = 0;
    double second_ms_ = 0;    // of the second being measured
    double second_peak_ = 0;  // the line's loudest frame in it
};

}  // namespace va::speech
