// The energy VAD on phone-line audio: flite speech through μ-law with pink-ish noise mixed in.
// Measured with the defaults over the six sentences below (error = detected - true, 20 ms frames;
// the true span is where the clean rendering is within 40 dB of its loudest 5 ms):
//   20 dB SNR: onsets +5..+30 ms, ends -35..+30 ms;  10 dB SNR: onsets +10..+40 ms, ends -75..+10 ms.
// Ends come early rather than late: a word's fading tail sinks into the noise. Words that start
// with a weak consonant fare worse ("Hello?" +75 ms and "Fine" +100 ms at 10 dB: the "h" and "f"
// are below the noise); in white noise (not asserted) fricatives drown: "No thanks." ends 220 ms
// early at 10 dB.
#include "speech/vad.hpp"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <random>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "media/mulaw.hpp"
#include "speech/render.hpp"

namespace va::speech {
namespace {

constexpr int kRate = 8000;
constexpr std::size_t kFrame = 160;  // 20 ms, as Twilio sends it

// Pink-ish noise (Paul Kellet's economy filter over white noise from a fixed seed): -3 dB per
// octave, like most room and line noise. Unit RMS before scaling.
std::vector<double> pink_noise(std::size_t n, unsigned seed) {
    std::mt19937 rng(seed);
    std::uniform_real_distribution<double> white(-1.0, 1.0);
    std::vector<double> out(n);
    double b0 = 0, b1 = 0, b2 = 0;
    for (auto& v : out) {
        const double w = white(rng);
        b0 = 0.99765 * b0 + w * 0.0990460;
        b1 = 0.96300 * b1 + w * 0.2965164;
        b2 = 0.57000 * b2 + w * 1.0526913;
        v = b0 + b1 + b2 + w * 0.1848;
    }
    double sum = 0;
    for (double v : out) sum += v * v;
    const double rms = std::sqrt(sum / static_cast<double>(n));
    for (auto& v : out) v /= rms;
    return out;
}

double power(std::span<const std::int16_t> s) {
    double sum = 0;
    for (auto v : s) sum += static_cast<double>(v) * v;
    return s.empty() ? 0.0 : sum / static_cast<double>(s.size());
}

// Where the clean rendering really speaks: the first and last 5 ms block within 40 dB of the
// loudest one (flite pads its output with near-silence).
struct Span {
    std::size_t begin = 0, end = 0;  // samples
};

Span true_speech(const std::vector<std::int16_t>& clean) {
    constexpr std::size_t kBlock = 40;
    std::vector<double> energy;
    for (std::size_t i = 0; i + kBlock <= clean.size(); i += kBlock)
        energy.push_back(power(std::span(clean).subspan(i, kBlock)));
    const double threshold = *std::max_element(energy.begin(), energy.end()) * 1e-4;
    std::size_t first = 0, last = 0;
    while (energy[first] < threshold) ++first;
    for (std::size_t i = 0; i < energy.size(); ++i)
        if (energy[i] >= threshold) last = i;
    return {first * kBlock, (last + 1) * kBlock};
}

struct Line {
    std::vector<std::int16_t> audio;  // what arrives from the phone line, decoded from μ-law
    Span speech;                      // where the speech is in it
    double noise_rms = 0;             // of the noise mixed in
};

// `lead` and `tail` seconds of noise around the speech; the noise is scaled so that the speech's
// power over its true span is `snr_db` above the noise's.
Line phone_line(const std::vector<std::int16_t>& clean, double snr_db, double lead, double tail, unsigned seed) {
    const Span s = true_speech(clean);
    const auto lead_n = static_cast<std::size_t>(lead * kRate), tail_n = static_cast<std::size_t>(tail * kRate);
    std::vector<double> mix(lead_n + clean.size() + tail_n, 0.0);
    for (std::size_t i = 0; i < clean.size(); ++i) mix[lead_n + i] = clean[i];
    const double speech_power = power(std::span(clean).subspan(s.begin, s.end - s.begin));
    const double noise_rms = std::sqrt(speech_power / std::pow(10.0, snr_db / 10.0));
    const auto noise = pink_noise(mix.size(), seed);
    std::vector<std::int16_t> pcm(mix.size());
    for (std::size_t i = 0; i < mix.size(); ++i)
        pcm[i] = static_cast<std::int16_t>(std::clamp(std::lround(mix[i] + noise[i] * noise_rms), -32768L, 32767L));
    return {media::decode_mulaw(media::encode_mulaw(pcm)), {lead_n + s.begin, lead_n + s.end}, noise_rms};
}

std::vector<std::int16_t> noise_pcm(std::size_t n, double dbfs, unsigned seed) {
    const auto noise = pink_noise(n, seed);
    const double rms = 32768.0 * std::pow(10.0, dbfs / 20.0);
    std::vector<std::int16_t> pcm(n);
    for (std::size_t i = 0; i < n; ++i)
        pcm[i] = static_cast<std::int16_t>(std::clamp(std::lround(noise[i] * rms), -32768L, 32767L));
    return media::decode_mulaw(media::encode_mulaw(pcm));
}

// The VAD's verdict per 20 ms frame.
std::vector<bool> run(Vad& vad, const std::vector<std::int16_t>& audio) {
    std::vector<bool> out;
    for (std::size_t i = 0; i + kFrame <= audio.size(); i += kFrame)
        out.push_back(vad.process(std::span(audio).subspan(i, kFrame)));
    return out;
}

struct Detected {
    bool any = false;
    double onset_ms = 0, end_ms = 0;  // detected - true
    int frames_before = 0, frames_after = 0;  // speech frames well outside the true span
};

Detected measure(const std::vector<bool>& speech, Span truth) {
    Detected d;
    const double true_onset = static_cast<double>(truth.begin) * 1000.0 / kRate;
    const double true_end = static_cast<double>(truth.end) * 1000.0 / kRate;
    for (std::size_t f = 0; f < speech.size(); ++f) {
        if (!speech[f]) continue;
        // A frame is reported at its end: the VAD cannot know before it has the samples.
        const double start_ms = static_cast<double>(f * kFrame) * 1000.0 / kRate;
        const double end_ms = start_ms + 20.0;
        if (!d.any) d.onset_ms = start_ms - true_onset;
        d.any = true;
        d.end_ms = end_ms - true_end;
        if (end_ms < true_onset - 60.0) ++d.frames_before;
        if (start_ms > true_end + 150.0) ++d.frames_after;
    }
    return d;
}

const char* const kSentences[] = {
    "Yes, that works for me.",
    "I would like to move my appointment to Thursday afternoon.",
    "No thanks.",
    "Sure, what time is it?",
    "Six o'clock is fine.",
    "It's this Friday at seven.",
};

class VadOnPhoneLine : public ::testing::TestWithParam<double> {};

TEST_P(VadOnPhoneLine, FindsOnsetsAndEndsOfSpeechInNoise) {
    const double snr = GetParam();
    const auto voice = *parse_voice("flite:rms");
    unsigned seed = 1;
    for (const char* text : kSentences) {
        const auto clean = render_8k(voice, text);
        const auto line = phone_line(clean, snr, 0.8, 0.8, seed++);
        Vad vad;
        const auto d = measure(run(vad, line.audio), line.speech);
        std::printf("[ vad      ] %4.0f dB SNR  onset %+5.0f ms  end %+5.0f ms  floor %6.1f dBFS  \"%s\"\n", snr,
                    d.onset_ms, d.end_ms, vad.noise_floor_db(), text);
        ASSERT_TRUE(d.any) << text;
        EXPECT_GE(d.onset_ms, -60.0) << text;
        EXPECT_LE(d.onset_ms, 60.0) << text;
        EXPECT_GE(d.end_ms, -150.0) << text;
        EXPECT_LE(d.end_ms, 150.0) << text;
        EXPECT_EQ(d.frames_before, 0) << text;
        EXPECT_EQ(d.frames_after, 0) << text;
    }
}

INSTANTIATE_TEST_SUITE_P(Snr, VadOnPhoneLine, ::testing::Values(20.0, 10.0),
                         [](const ::testing::TestParamInfo<double>& p) {
                             return std::to_string(static_cast<int>(p.param)) + "dB";
                         });

TEST(Vad, SteadyNoiseAloneIsNotSpeech) {
    for (double dbfs : {-50.0, -35.0, -20.0}) {
        Vad vad;
        const auto verdicts = run(vad, noise_pcm(10 * kRate, dbfs, 7));
        // The floor starts low, so the first moments of loud noise read as speech until it rises;
        // after one second none may.
        const auto settled = std::count(verdicts.begin() + 50, verdicts.end(), true);
        std::printf("[ vad      ] noise at %.0f dBFS: %ld speech frames of %zu after the first second, floor %.1f dBFS\n",
                    dbfs, static_cast<long>(settled), verdicts.size() - 50, vad.noise_floor_db());
        EXPECT_LE(settled, 2) << dbfs;
    }
}

TEST(Vad, DigitalSilenceIsNeverSpeech) {
    Vad vad;
    const std::vector<std::int16_t> zeros(kFrame, 0);
    for (int i = 0; i < 500; ++i) ASSERT_FALSE(vad.process(zeros));
    // Nor is the quietest μ-law hiss.
    std::vector<std::int16_t> hiss(kFrame);
    for (std::size_t i = 0; i < hiss.size(); ++i) hiss[i] = media::mulaw_decode(i % 2 ? 0xFE : 0x7E);
    for (int i = 0; i < 500; ++i) ASSERT_FALSE(vad.process(hiss));
}

TEST(Vad, AdaptsToALoudNoiseStep) {
    // 3 s of quiet noise, then noise 25 dB louder with a sentence 4 s into it: the step reads as
    // speech at first, the floor catches up within a few seconds, and the speech is still found.
    const auto clean = render_8k(*parse_voice("flite:rms"), "Yes, that works for me.");
    auto line = phone_line(clean, 15.0, 4.0, 0.8, 9);
    auto audio = noise_pcm(3 * kRate, 20.0 * std::log10(line.noise_rms / 32768.0) - 25.0, 3);
    const std::size_t step = audio.size();
    audio.insert(audio.end(), line.audio.begin(), line.audio.end());
    line.speech.begin += step;
    line.speech.end += step;

    Vad vad;
    const auto verdicts = run(vad, audio);
    const std::size_t step_frame = step / kFrame, onset_frame = line.speech.begin / kFrame;
    std::size_t last_noise_speech = step_frame;
    for (std::size_t f = step_frame; f + 3 < onset_frame; ++f)
        if (verdicts[f]) last_noise_speech = f;
    const double adapted_after = static_cast<double>(last_noise_speech - step_frame) * 0.02;
    std::printf("[ vad      ] 25 dB noise step: speech until %.2f s after it\n", adapted_after);
    EXPECT_TRUE(verdicts[step_frame + 2]) << "a sudden loud noise is speech at first";
    EXPECT_LT(adapted_after, 3.5);

    const auto d = measure(std::vector<bool>(verdicts.begin() + static_cast<long>(step_frame) + 200, verdicts.end()),
                           {line.speech.begin - (step_frame + 200) * kFrame, line.speech.end - (step_frame + 200) * kFrame});
    std::printf("[ vad      ] then speech at 15 dB SNR: onset %+5.0f ms  end %+5.0f ms\n", d.onset_ms, d.end_ms);
    ASSERT_TRUE(d.any);
    EXPECT_LE(std::abs(d.onset_ms), 60.0);
    EXPECT_LE(std::abs(d.end_ms), 150.0);
}

TEST(Vad, AcceptsFramesOfAnyLength) {
    // 7-sample pieces: at every 20 ms boundary the state matches a VAD fed 20 ms frames.
    const auto line = phone_line(render_8k(*parse_voice("flite:rms"), "Sure, what time is it?"), 10.0, 0.8, 0.8, 5);
    Vad by_frame, by_piece;
    const auto reference = run(by_frame, line.audio);
    std::vector<bool> pieces;
    const std::size_t total = reference.size() * kFrame;
    for (std::size_t i = 0; i < total; i += 7) {
        const auto n = std::min<std::size_t>(7, total - i);
        const bool state = by_piece.process(std::span(line.audio).subspan(i, n));
        if ((i + n) / kFrame > i / kFrame) pieces.push_back(state);
    }
    ASSERT_EQ(pieces.size(), reference.size());
    EXPECT_EQ(pieces, reference);
    EXPECT_EQ(by_piece.noise_floor_db(), by_frame.noise_floor_db());
    EXPECT_NE(std::count(reference.begin(), reference.end(), true), 0);
}

TEST(Vad, ResetForgetsTheFloor) {
    Vad vad;
    run(vad, noise_pcm(3 * kRate, -30.0, 2));
    EXPECT_GT(vad.noise_floor_db(), -40.0);
    vad.reset();
    EXPECT_TRUE(std::isinf(vad.noise_floor_db()));
    EXPECT_FALSE(vad.speech());
}

}  // namespace
}  // namespace va::speech
