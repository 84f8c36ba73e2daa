#include "sim/utterances.hpp"

#include <algorithm>
#include <cmath>
#include <span>

#include "media/mulaw.hpp"

namespace va::sim {

namespace {

constexpr std::size_t kFrame = 160;             // 20 ms at 8 kHz
constexpr double kVoicedBelowLoudest = 0.0178;  // a frame within 35 dB of the loudest one is voiced
constexpr double kSilenceRms = 100;             // below this (of 32767) no frame is voiced
constexpr int kNaturalWordsPerMinute = 170;     // the pace lengthMs starts from

double frame_rms(std::span<const std::int16_t> frame) {
    double sum = 0;
    for (auto s : frame) sum += static_cast<double>(s) * s;
    return frame.empty() ? 0.0 : std::sqrt(sum / static_cast<double>(frame.size()));
}

// Fills lead, voiced, level and voiced_samples from the clip's 20 ms frames.
void measure(std::span<const std::int16_t> pcm, Utterance& out) {
    std::vector<double> rms;
    for (std::size_t at = 0; at < pcm.size(); at += kFrame) rms.push_back(frame_rms(pcm.subspan(at, std::min(kFrame, pcm.size() - at))));
    const double loudest = rms.empty() ? 0.0 : *std::max_element(rms.begin(), rms.end());
    const double floor = std::max(kSilenceRms, loudest * kVoicedBelowLoudest);
    std::size_t first = rms.size();
    std::size_t last = 0;
    double energy = 0;
    std::size_t samples = 0;
    for (std::size_t i = 0; i < rms.size(); ++i) {
        if (rms[i] < floor) continue;
        first = std::min(first, i);
        last = i;
        const auto n = std::min(kFrame, pcm.size() - i * kFrame);
        energy += rms[i] * rms[i] * static_cast<double>(n);
        samples += n;
    }
    if (samples == 0) return;
    out.lead = Millis(static_cast<std::int64_t>(first * 20));
    out.voiced = Millis(static_cast<std::int64_t>((last + 1 - first) * 20));
    out.level = std::sqrt(energy / static_cast<double>(samples));
    out.voiced_samples = samples;
}

Utterance render(const NumberScenario& entry, const Step& step, const std::filesystem::path& scenario_dir) {
    Utterance out;
    if (!step.wav.empty()) {
        auto path = std::filesystem::path(step.wav);
        if (path.is_relative()) path = scenario_dir / path;
        const auto pcm = speech::load_wav_8k(path);
        measure(pcm, out);
        out.mulaw = media::encode_mulaw(pcm);
        return out;
    }
    auto voice = entry.voice;
    if (step.length) voice.words_per_minute = kNaturalWordsPerMinute;
    auto rendering = speech::render_8k_timed(voice, step.text);
    measure(rendering.pcm, out);
    if (step.length && out.voiced.count() > 0) {
        // The pace scales the voiced length almost linearly: one correction is close enough.
        const double pace = kNaturalWordsPerMinute * static_cast<double>(out.voiced.count()) / static_cast<double>(step.length->count());
        voice.words_per_minute = std::clamp(static_cast<int>(std::lround(pace)), 20, 1000);
        rendering = speech::render_8k_timed(voice, step.text);
        out = {};
        measure(rendering.pcm, out);
    }
    out.mulaw = media::encode_mulaw(rendering.pcm);
    out.words = std::move(rendering.words);
    return out;
}

}  // namespace

std::string audio_key(const NumberScenario& scenario, const Step& step) {
    if (!step.wav.empty()) return "wav:" + step.wav;
    auto key = speech::to_string(scenario.voice) + "|";
    if (step.length) key += std::to_string(step.length->count()) + "ms|";
    return key + step.text;
}

Utterances render_utterances(const Scenario& scenario, const std::filesystem::path& scenario_dir) {
    Utterances utterances;
    std::vector<const NumberScenario*> entries{&scenario.defaults};
    for (const auto& [number, entry] : scenario.numbers) entries.push_back(&entry);
    for (const auto* entry : entries) {
        for (const auto& step : entry->script) {
            if (step.kind != Step::Kind::say) continue;
            auto key = audio_key(*entry, step);
            if (!utterances.contains(key)) utterances.emplace(std::move(key), render(*entry, step, scenario_dir));
        }
    }
    return utterances;
}

double speech_level(const NumberScenario& scenario, const Utterances& utterances) {
    double energy = 0;
    double samples = 0;
    for (const auto& step : scenario.script) {
        const auto it = step.kind == Step::Kind::say ? utterances.find(audio_key(scenario, step)) : utterances.end();
        if (it == utterances.end()) continue;
        energy += it->second.level * it->second.level * static_cast<double>(it->second.voiced_samples);
        samples += static_cast<double>(it->second.voiced_samples);
    }
    return samples > 0 ? std::sqrt(energy / samples) : 0.0;
}

}  // namespace va::sim
