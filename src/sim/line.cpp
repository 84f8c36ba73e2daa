#include "sim/line.hpp"

#include <algorithm>
#include <cmath>

#include "media/mulaw.hpp"

namespace va::sim {

Line::Line(const LineScenario& scenario, double speech_level, std::uint64_t seed)
    : quiet_(scenario.quiet()), random_(seed) {
    if (scenario.noise_snr_db) noise_rms_ = speech_level * std::pow(10.0, -*scenario.noise_snr_db / 20.0);
    if (scenario.echo_db) {
        echo_gain_ = std::pow(10.0, *scenario.echo_db / 20.0);
        std::uniform_int_distribution<std::int64_t> delay(scenario.echo_delay_min.count(), scenario.echo_delay_max.count());
        echo_.assign(static_cast<std::size_t>(delay(random_) * 8), 0);
    }
}

void Line::carry(std::span<std::uint8_t> callee, std::span<const std::uint8_t> agent) {
    if (quiet_) return;
    for (std::size_t i = 0; i < callee.size(); ++i) {
        double sample = media::mulaw_decode(callee[i]);
        if (noise_rms_ > 0) sample += noise_rms_ * gauss_(random_);
        if (echo_gain_ > 0) {
            const std::int16_t heard = i < agent.size() ? media::mulaw_decode(agent[i]) : 0;
            std::int16_t back = heard;
            if (!echo_.empty()) {
                back = echo_[echo_at_];
                echo_[echo_at_] = heard;
                echo_at_ = (echo_at_ + 1) % echo_.size();
            }
            sample += echo_gain_ * back;
        }
        callee[i] = media::mulaw_encode(static_cast<std::int16_t>(std::clamp(std::lround(sample), -32768L, 32767L)));
    }
}

std::uint64_t line_seed(std::uint64_t scenario_seed, std::string_view number) {
    std::uint64_t hash = 14695981039346656037ULL ^ scenario_seed;
    for (char c : number) {
        hash ^= static_cast<unsigned char>(c);
        hash *= 1099511628211ULL;
    }
    return hash;
}

}  // namespace va::sim
