#include "media/resampler.hpp"

#include <algorithm>
#include <cmath>
#include <numbers>
#include <stdexcept>
#include <utility>
#include <vector>

#include <gtest/gtest.h>

namespace va::media {
namespace {

std::vector<std::int16_t> sine(double freq, int rate, double seconds, double amplitude = 10000.0) {
    std::vector<std::int16_t> out(static_cast<std::size_t>(seconds * rate));
    for (std::size_t i = 0; i < out.size(); ++i)
        out[i] = static_cast<std::int16_t>(
            std::lround(amplitude * std::sin(2.0 * std::numbers::pi * freq * static_cast<double>(i) / rate)));
    return out;
}

double rms(std::span<const std::int16_t> s) {
    double sum = 0;
    for (auto v : s) sum += static_cast<double>(v) * v;
    return s.empty() ? 0.0 : std::sqrt(sum / static_cast<double>(s.size()));
}

// Frequency estimated from sign changes, which is robust to small amplitude errors.
double frequency(std::span<const std::int16_t> s, int rate) {
    int crossings = 0;
    for (std::size_t i = 1; i < s.size(); ++i)
        if ((s[i - 1] < 0) != (s[i] < 0)) ++crossings;
    return crossings / 2.0 / (static_cast<double>(s.size()) / rate);
}

TEST(Resample, OutputLengthIsProportional) {
    std::vector<std::int16_t> in(22050, 100);
    EXPECT_EQ(resample(in, 22050, 8000).size(), 8000u);
    EXPECT_EQ(resample(in, 16000, 8000).size(), 11025u);
    EXPECT_EQ(resample(in, 8000, 16000).size(), 44100u);
    EXPECT_EQ(resample(std::vector<std::int16_t>(1001), 22050, 8000).size(), 363u);  // 363.17 rounded
    EXPECT_TRUE(resample({}, 22050, 8000).empty());
}

TEST(Resample, SineDownTo8kKeepsFrequencyAndAmplitude) {
    auto in = sine(440.0, 22050, 1.0);
    auto out = resample(in, 22050, 8000);
    ASSERT_EQ(out.size(), 8000u);
    // Ignore the edges, where the filter sees the start and end of the clip.
    std::span<const std::int16_t> middle(out.data() + 400, out.size() - 800);
    EXPECT_NEAR(frequency(middle, 8000), 440.0, 440.0 * 0.02);
    EXPECT_NEAR(rms(middle), 10000.0 / std::sqrt(2.0), 10000.0 / std::sqrt(2.0) * 0.03);
}

TEST(Resample, SineUpTo16kKeepsFrequencyAndAmplitude) {
    auto in = sine(440.0, 8000, 1.0);
    auto out = resample(in, 8000, 16000);
    ASSERT_EQ(out.size(), 16000u);
    std::span<const std::int16_t> middle(out.data() + 800, out.size() - 1600);
    EXPECT_NEAR(frequency(middle, 16000), 440.0, 440.0 * 0.02);
    EXPECT_NEAR(rms(middle), 10000.0 / std::sqrt(2.0), 10000.0 / std::sqrt(2.0) * 0.03);
}

TEST(Resample, HasNoDelay) {
    // A sine resampled without delay lines up with the same sine generated at the output rate.
    auto out = resample(sine(300.0, 16000, 0.5), 16000, 8000);
    auto reference = sine(300.0, 8000, 0.5);
    ASSERT_EQ(out.size(), reference.size());
    double error = 0;
    for (std::size_t i = 200; i < out.size() - 200; ++i) error = std::max(error, std::abs(double(out[i]) - reference[i]));
    EXPECT_LT(error, 300.0);  // 3% of the amplitude
}

TEST(Resampler, FiltersOutAboveTheNewNyquist) {
    // 6 kHz cannot be represented at 8 kHz: it must be attenuated, not aliased to 2 kHz.
    auto out = resample(sine(6000.0, 22050, 0.5), 22050, 8000);
    std::span<const std::int16_t> middle(out.data() + 200, out.size() - 400);
    EXPECT_LT(rms(middle), 10000.0 / std::sqrt(2.0) * 0.01);
}

TEST(Resampler, StreamingInChunksMatchesOneShot) {
    auto in = sine(440.0, 22050, 0.5);
    Resampler whole(22050, 8000);
    auto expected = whole.process(in);
    auto tail = whole.flush();
    expected.insert(expected.end(), tail.begin(), tail.end());

    Resampler chunked(22050, 8000);
    std::vector<std::int16_t> got;
    for (std::size_t pos = 0; pos < in.size(); pos += 441) {
        std::span<const std::int16_t> chunk(in.data() + pos, std::min<std::size_t>(441, in.size() - pos));
        auto part = chunked.process(chunk);
        got.insert(got.end(), part.begin(), part.end());
    }
    tail = chunked.flush();
    got.insert(got.end(), tail.begin(), tail.end());
    EXPECT_EQ(got, expected);
    // Everything in plus the drained tail comes out: at least the proportional length.
    EXPECT_GE(got.size(), in.size() * 8000 / 22050);
    EXPECT_GT(chunked.output_latency(), 0);
}

TEST(Resampler, RejectsBadArguments) {
    EXPECT_THROW(Resampler(0, 8000), std::invalid_argument);
    EXPECT_THROW(Resampler(8000, -1), std::invalid_argument);
    EXPECT_THROW(Resampler(8000, 16000, 11), std::invalid_argument);
    EXPECT_THROW(resample(std::vector<std::int16_t>(10), 8000, 0), std::invalid_argument);
}

TEST(Resampler, IsMovable) {
    Resampler a(16000, 8000);
    Resampler b(std::move(a));
    EXPECT_EQ(b.in_rate(), 16000);
    EXPECT_EQ(b.out_rate(), 8000);
    Resampler c(8000, 16000);
    c = std::move(b);
    EXPECT_EQ(c.in_rate(), 16000);
    auto out = c.process(std::vector<std::int16_t>(1600, 1000));
    EXPECT_FALSE(out.empty());
}

}  // namespace
}  // namespace va::media
