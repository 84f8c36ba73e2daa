#pragma once
// Sample-rate conversion of mono 16-bit PCM (speexdsp underneath; its header stays in the .cpp so
// users of this module need no speexdsp include path).
#include <cstdint>
#include <memory>
#include <span>
#include <vector>

namespace va::media {

// A streaming resampler for one mono stream: feed chunks of any size with process(), then call
// flush() once at the end of the stream to get the tail the filter still holds.
// Output is delayed by the filter latency (a few ms); resample() below removes it for whole clips.
// Not thread-safe: one instance per stream.
class Resampler {
public:
    // quality 0 (fast) .. 10 (best); 3-5 is plenty for telephone audio.
    // Throws std::invalid_argument when a rate is not positive or the quality is out of range.
    Resampler(int in_rate, int out_rate, int quality = 5);
    ~Resampler();
    Resampler(Resampler&&) noexcept;
    Resampler& operator=(Resampler&&) noexcept;
    Resampler(const Resampler&) = delete;
    Resampler& operator=(const Resampler&) = delete;

    int in_rate() const { return in_rate_; }
    int out_rate() const { return out_rate_; }

    // Converts one chunk; returns whatever output is ready (may be a little shorter than
    // in.size() * out_rate / in_rate while the filter fills).
    std::vector<std::int16_t> process(std::span<const std::int16_t> in);
    // Pushes zeros through the filter to drain the samples it still holds; call once at the end.
    std::vector<std::int16_t> flush();
    // Output samples by which this resampler delays its input.
    int output_latency() const;

private:
    struct State;
    std::unique_ptr<State> state_;
    int in_rate_;
    int out_rate_;
};

// Converts a whole clip: output sample i corresponds to time i / out_rate (no filter delay), and
// the output has round(in.size() * out_rate / in_rate) samples; equal rates return a copy.
// Same exceptions as Resampler.
std::vector<std::int16_t> resample(std::span<const std::int16_t> in, int in_rate, int out_rate);

}  // namespace va::media
