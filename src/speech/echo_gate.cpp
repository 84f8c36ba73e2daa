#include "speech/echo_gate.hpp"

#include <algorithm>
#include <array>
#include <cmath>

#include "media/mulaw.hpp"

namespace va::speech {
namespace {

constexpr std::size_t kFrame = 160;  // 20 ms at 8 kHz

double rms(std::span<const std::int16_t> pcm) {
    if (pcm.empty()) return 0;
    double sum = 0;
    for (const auto s : pcm) sum += static_cast<double>(s) * s;
    return std::sqrt(sum / static_cast<double>(pcm.size()));
}

}  // namespace

void EchoGate::agent_audio(std::span<const std::int16_t> pcm) {
    for (std::size_t at = 0; at < pcm.size(); at += kFrame)
        agent_level_ = std::max(agent_level_, rms(pcm.subspan(at, std::min(kFrame, pcm.size() - at))));
}

void EchoGate::agent_audio(std::span<const std::uint8_t> mulaw) {
    std::array<std::int16_t, kFrame> frame;
    for (std::size_t at = 0; at < mulaw.size(); at += kFrame) {
        const auto codes = mulaw.subspan(at, std::min(kFrame, mulaw.size() - at));
        media::decode_mulaw(codes, std::span(frame).first(codes.size()));
        agent_audio(std::span<const std::int16_t>(frame).first(codes.size()));
    }
}

bool EchoGate::passes(std::span<const std::int16_t> pcm, bool agent_sounding) {
    const double length_ms = static_cast<double>(pcm.size()) / 8.0;
    const double level = rms(pcm);
    if (agent_sounding) {
        tail_left_ms_ = static_cast<double>(options_.tail.count()) + length_ms;
        measure_echo(level, length_ms);
    }
    if (tail_left_ms_ <= 0) return true;
    tail_left_ms_ -= length_ms;
    return level >= bar();
}

void EchoGate::measure_echo(double level, double length_ms) {
    if (agent_level_ <= 0) return;
    second_peak_ = std::max(second_peak_, level);
    second_ms_ += length_ms;
    if (second_ms_ < 1000) return;
    echo_[seconds_measured_++ % kSeconds] = second_peak_ / agent_level_;
    second_ms_ = 0;
    second_peak_ = 0;
}

double EchoGate::bar() const {
    const double most = agent_level_ * std::pow(10.0, -options_.margin_db / 20.0);
    if (seconds_measured_ < 2) return most;
    const auto measured = std::span(echo_).first(std::min(seconds_measured_, kSeconds));
    const double echo = *std::min_element(measured.begin(), measured.end()) * agent_level_;
    return std::min(most, echo * std::pow(10.0, options_.echo_headroom_db / 20.0));
}

}  // namespace va::speech
