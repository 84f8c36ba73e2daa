#pragma once
// Reading and writing RIFF/WAVE files: recorded calls, prompts and test fixtures.
#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

namespace va::media {

struct PcmAudio {
    int sample_rate = 8000;
    int channels = 1;
    std::vector<std::int16_t> samples;  // interleaved when channels > 1
};

// Accepts 16-bit PCM (format 1, or WAVE_FORMAT_EXTENSIBLE with the PCM subformat) and 8-bit μ-law
// (format 7, decoded to 16-bit), any rate, 1 or 2 channels; unknown chunks are skipped.
// Throws std::runtime_error naming the file and the problem (cannot open, not RIFF/WAVE,
// unsupported format N, truncated...).
PcmAudio read_wav(const std::filesystem::path& path);

// A whole 16-bit PCM WAV file in memory (an HTTP answer). Throws std::invalid_argument for an
// inconsistent PcmAudio.
std::string wav_bytes(const PcmAudio& audio);

// Writes 16-bit PCM. Throws std::invalid_argument for an inconsistent PcmAudio and
// std::runtime_error (naming the file) when the file cannot be written.
void write_wav(const std::filesystem::path& path, const PcmAudio& audio);

// Averages the channels of each frame; a mono input is returned as is.
std::vector<std::int16_t> to_mono(const PcmAudio& audio);

}  // namespace va::media
