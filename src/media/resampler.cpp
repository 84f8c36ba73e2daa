#include "media/resampler.hpp"

#include <speex/speex_resampler.h>

#include <algorithm>
#include <stdexcept>
#include <string>

namespace va::media {

struct Resampler::State {
    SpeexResamplerState* speex = nullptr;
    ~State() {
        if (speex != nullptr) speex_resampler_destroy(speex);
    }
};

Resampler::Resampler(int in_rate, int out_rate, int quality) : in_rate_(in_rate), out_rate_(out_rate) {
    if (in_rate <= 0 || out_rate <= 0)
        throw std::invalid_argument("Resampler: sample rates must be positive (got " + std::to_string(in_rate) +
                                    " -> " + std::to_string(out_rate) + ")");
    if (quality < SPEEX_RESAMPLER_QUALITY_MIN || quality > SPEEX_RESAMPLER_QUALITY_MAX)
        throw std::invalid_argument("Resampler: quality must be 0..10 (got " + std::to_string(quality) + ")");
    int err = RESAMPLER_ERR_SUCCESS;
    auto state = std::make_unique<State>();
    state->speex = speex_resampler_init(1, static_cast<spx_uint32_t>(in_rate), static_cast<spx_uint32_t>(out_rate),
                                        quality, &err);
    if (state->speex == nullptr || err != RESAMPLER_ERR_SUCCESS)
        throw std::invalid_argument(std::string("Resampler: ") + speex_resampler_strerror(err));
    state_ = std::move(state);
}

Resampler::~Resampler() = default;
Resampler::Resampler(Resampler&&) noexcept = default;
Resampler& Resampler::operator=(Resampler&&) noexcept = default;

std::vector<std::int16_t> Resampler::process(std::span<const std::int16_t> in) {
    if (!state_) throw std::logic_error("Resampler: used after move");
    std::vector<std::int16_t> out;
    // Room for the proportional output plus slack for the fractional phase carried between calls.
    const auto expected = in.size() * static_cast<std::size_t>(out_rate_) / static_cast<std::size_t>(in_rate_);
    out.resize(expected + 16);
    std::size_t consumed = 0;
    std::size_t produced = 0;
    // speexdsp may stop early when the output buffer is full: loop until all input is consumed.
    while (consumed < in.size()) {
        if (out.size() - produced < 16) out.resize(out.size() * 2 + 16);
        auto in_len = static_cast<spx_uint32_t>(std::min<std::size_t>(in.size() - consumed, 1u << 20));
        auto out_len = static_cast<spx_uint32_t>(std::min<std::size_t>(out.size() - produced, 1u << 20));
        speex_resampler_process_int(state_->speex, 0, in.data() + consumed, &in_len, out.data() + produced, &out_len);
        if (in_len == 0 && out_len == 0) break;  // cannot happen with room in the output; never spin
        consumed += in_len;
        produced += out_len;
    }
    out.resize(produced);
    return out;
}

std::vector<std::int16_t> Resampler::flush() {
    if (!state_) throw std::logic_error("Resampler: used after move");
    // The filter holds input_latency input samples (half its length); push that many zeros, plus
    // one output period for the fractional phase, so the last real samples reach the output.
    const auto zeros = static_cast<std::size_t>(speex_resampler_get_input_latency(state_->speex)) +
                       static_cast<std::size_t>(in_rate_ / out_rate_ + 1);
    const std::vector<std::int16_t> silence(zeros, 0);
    return process(silence);
}

int Resampler::output_latency() const {
    if (!state_) throw std::logic_error("Resampler: used after move");
    return speex_resampler_get_output_latency(state_->speex);
}

std::vector<std::int16_t> resample(std::span<const std::int16_t> in, int in_rate, int out_rate) {
    Resampler resampler(in_rate, out_rate);  // validates the rates
    if (in_rate == out_rate) return {in.begin(), in.end()};  // nothing to do: skip the filter
    auto out = resampler.process(in);
    auto tail = resampler.flush();
    out.insert(out.end(), tail.begin(), tail.end());
    // Drop the filter delay from the front, then cut (or pad) to the exact proportional length.
    const auto delay = std::min(out.size(), static_cast<std::size_t>(resampler.output_latency()));
    out.erase(out.begin(), out.begin() + static_cast<std::ptrdiff_t>(delay));
    const auto wanted = static_cast<std::size_t>(
        (static_cast<std::uint64_t>(in.size()) * static_cast<std::uint64_t>(out_rate) +
         static_cast<std::uint64_t>(in_rate) / 2) /
        static_cast<std::uint64_t>(in_rate));
    out.resize(wanted, 0);
    return out;
}

}  // namespace va::media
