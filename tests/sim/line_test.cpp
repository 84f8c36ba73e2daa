#include "sim/line.hpp"

#include <cmath>
#include <vector>

#include <gtest/gtest.h>

#include "media/mulaw.hpp"

namespace va::sim {
namespace {

std::vector<std::uint8_t> silence() { return std::vector<std::uint8_t>(160, media::kMulawSilence); }

double rms(const std::vector<std::int16_t>& pcm) {
    double sum = 0;
    for (auto s : pcm) sum += static_cast<double>(s) * s;
    return std::sqrt(sum / static_cast<double>(pcm.size()));
}

TEST(SimLine, NoiseIsAtTheSignalToNoiseRatioAgainstTheSpeechLevel) {
    for (double snr : {20.0, 10.0}) {
        LineScenario scenario;
        scenario.noise_snr_db = snr;
        Line line(scenario, 3000.0, 42);
        std::vector<std::int16_t> heard;
        for (int tick = 0; tick < 500; ++tick) {  // 10 s
            auto frame = silence();
            line.carry(frame, {});
            for (auto code : frame) heard.push_back(media::mulaw_decode(code));
        }
        EXPECT_NEAR(20 * std::log10(3000.0 / rms(heard)), snr, 0.3) << snr;
    }
}

TEST(SimLine, TheAgentComesBackQuieterAndLate) {
    LineScenario scenario;
    scenario.echo_db = -20;
    scenario.echo_delay_min = scenario.echo_delay_max = Millis(60);
    Line line(scenario, 3000.0, 1);
    EXPECT_EQ(line.echo_delay(), Millis(60));
    const std::vector<std::uint8_t> loud(160, media::mulaw_encode(10000));
    std::vector<std::int16_t> heard;
    for (int tick = 0; tick < 10; ++tick) {
        auto frame = silence();
        line.carry(frame, tick == 0 ? std::span<const std::uint8_t>(loud) : std::span<const std::uint8_t>());
        for (auto code : frame) heard.push_back(media::mulaw_decode(code));
    }
    // 60 ms = 480 samples of silence, then 160 samples of the agent at a tenth, then silence.
    for (std::size_t i = 0; i < heard.size(); ++i) {
        const bool echo = i >= 480 && i < 640;
        if (echo) EXPECT_NEAR(heard[i], 1000, 40) << i;
        else EXPECT_EQ(heard[i], 0) << i;
    }
}

TEST(SimLine, TheSameSeedGivesTheSameLineAndAQuietLineChangesNothing) {
    LineScenario scenario;
    scenario.noise_snr_db = 20;
    scenario.echo_db = -20;
    auto run = [&](std::uint64_t seed) {
        Line line(scenario, 3000.0, seed);
        std::vector<std::uint8_t> out;
        for (int tick = 0; tick < 20; ++tick) {
            auto frame = silence();
            line.carry(frame, {});
            out.insert(out.end(), frame.begin(), frame.end());
        }
        return std::pair(out, line.echo_delay());
    };
    EXPECT_EQ(run(line_seed(1, "+15550001111")), run(line_seed(1, "+15550001111")));
    EXPECT_NE(run(line_seed(1, "+15550001111")).first, run(line_seed(1, "+15550002222")).first);
    EXPECT_NE(line_seed(1, "+15550001111"), line_seed(2, "+15550001111"));

    Line quiet(LineScenario{}, 3000.0, 1);
    auto frame = std::vector<std::uint8_t>(160, 0x42);
    quiet.carry(frame, silence());
    EXPECT_EQ(frame, std::vector<std::uint8_t>(160, 0x42));
}

}  // namespace
}  // namespace va::sim
