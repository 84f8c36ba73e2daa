#pragma once
// The phone line between the callee and Twilio: white noise under everything the callee sends
// (at a signal-to-noise ratio against the callee's speech level) and an echo of the agent's own
// audio, late and quieter, as a speakerphone or a hybrid gives back. Seeded: the same call gets
// the same noise and delay on every run. Pure logic; one per call.
#include <cstdint>
#include <random>
#include <span>
#include <string_view>
#include <vector>

#include "sim/scenario.hpp"

namespace va::sim {

class Line {
public:
    // `speech_level`: RMS of the callee's voiced speech (utterances.hpp), what the SNR is against.
    Line(const LineScenario& scenario, double speech_level, std::uint64_t seed);

    // One tick: `callee` (μ-law, changed in place) gets the noise and the echo of `agent`, the
    // μ-law the callee heard this tick (shorter or empty when the agent was silent for part of it).
    void carry(std::span<std::uint8_t> callee, std::span<const std::uint8_t> agent);

    Millis echo_delay() const { return Millis(static_cast<std::int64_t>(echo_.size() / 8)); }
    double noise_rms() const { return noise_rms_; }

private:
    bool quiet_;
    std::mt19937_64 random_;
    std::normal_distribution<double> gauss_{0.0, 1.0};
    double noise_rms_ = 0;
    double echo_gain_ = 0;
    std::vector<std::int16_t> echo_;  // the agent's audio on its way back: a ring of the delay's length
    std::size_t echo_at_ = 0;
};

// A call's seed from the scenario's and the dialled number (FNV-1a: stable across runs and builds).
std::uint64_t line_seed(std::uint64_t scenario_seed, std::string_view number);

}  // namespace va::sim
