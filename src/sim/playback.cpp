#include "sim/playback.hpp"

#include <algorithm>
#include <utility>

namespace va::sim {

void PlaybackBuffer::push_audio(std::span<const std::uint8_t> mulaw) {
    if (mulaw.empty()) return;
    queue_.emplace_back(Audio{{mulaw.begin(), mulaw.end()}, 0});
    queued_samples_ += mulaw.size();
}

void PlaybackBuffer::push_mark(std::string name) {
    queue_.emplace_back(std::move(name));
    release_leading_marks();
}

void PlaybackBuffer::clear() {
    for (auto& entry : queue_) {
        if (auto* mark = std::get_if<std::string>(&entry)) ready_.push_back(std::move(*mark));
    }
    queue_.clear();
    queued_samples_ = 0;
}

std::vector<std::uint8_t> PlaybackBuffer::play(std::size_t samples) {
    std::vector<std::uint8_t> out;
    out.reserve(samples);
    while (out.size() < samples && !queue_.empty()) {
        release_leading_marks();
        if (queue_.empty()) break;
        auto& audio = std::get<Audio>(queue_.front());
        auto n = std::min(samples - out.size(), audio.bytes.size() - audio.played);
        auto first = audio.bytes.begin() + static_cast<std::ptrdiff_t>(audio.played);
        out.insert(out.end(), first, first + static_cast<std::ptrdiff_t>(n));
        audio.played += n;
        queued_samples_ -= n;
        if (audio.played == audio.bytes.size()) queue_.pop_front();
    }
    release_leading_marks();
    return out;
}

std::vector<std::string> PlaybackBuffer::take_ready_marks() { return std::exchange(ready_, {}); }

void PlaybackBuffer::release_leading_marks() {
    while (!queue_.empty()) {
        auto* mark = std::get_if<std::string>(&queue_.front());
        if (!mark) return;
        ready_.push_back(std::move(*mark));
        queue_.pop_front();
    }
}

}  // namespace va::sim
