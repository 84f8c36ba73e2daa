#include "speech/render.hpp"

#include <cmath>
#include <stdexcept>
#include <string>

#include "media/resampler.hpp"
#include "media/wav.hpp"
#include "speech/engines.hpp"

namespace va::speech {
namespace {
constexpr int kOutRate = 8000;
}  // namespace

std::vector<std::int16_t> render_8k(const Voice& voice, std::string_view text) {
    return render_8k_timed(voice, text).pcm;
}

Rendering render_8k_timed(const Voice& voice, std::string_view text) {
    std::vector<std::int16_t> samples;
    int rate = kOutRate;
    std::vector<NativeWord> words;
    synthesize_native(
        voice, std::string(text),
        [&](std::span<const std::int16_t> chunk, int chunk_rate) {
            samples.insert(samples.end(), chunk.begin(), chunk.end());
            rate = chunk_rate;
            return true;
        },
        &words);
    Rendering out;
    for (auto& word : words) {
        out.words.push_back({std::move(word.text), std::chrono::milliseconds(std::lround(word.end_seconds * 1000))});
    }
    if (!samples.empty()) out.pcm = media::resample(samples, rate, kOutRate);  // a whole clip: no filter delay
    return out;
}

std::vector<std::int16_t> load_wav_8k(const std::filesystem::path& path) {
    const auto audio = media::read_wav(path);  // its errors already name the file
    try {
        return media::resample(media::to_mono(audio), audio.sample_rate, kOutRate);
    } catch (const std::exception& e) {
        throw std::runtime_error("cannot convert " + path.string() + " to 8 kHz: " + e.what());
    }
}

}  // namespace va::speech
