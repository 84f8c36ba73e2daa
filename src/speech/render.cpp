#include "speech/render.hpp"

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
    std::vector<std::int16_t> samples;
    int rate = kOutRate;
    synthesize_native(voice, std::string(text), [&](std::span<const std::int16_t> chunk, int chunk_rate) {
        samples.insert(samples.end(), chunk.begin(), chunk.end());
        rate = chunk_rate;
        return true;
    });
    if (samples.empty()) return samples;
    return media::resample(samples, rate, kOutRate);  // a whole clip: no filter delay
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
