#pragma once
// Twilio's playback buffer for a bidirectional stream: outbound audio queues up and plays in real
// time; a mark is echoed once all audio queued before it has finished playing (at once when
// nothing is queued); `clear` drops the queued audio and releases every pending mark at once.
// Pure logic: the media session advances it by 20 ms per tick.
#include <cstddef>
#include <cstdint>
#include <deque>
#include <span>
#include <string>
#include <variant>
#include <vector>

namespace va::sim {

class PlaybackBuffer {
public:
    void push_audio(std::span<const std::uint8_t> mulaw);
    void push_mark(std::string name);
    // Drops queued audio; the pending marks become ready (in order).
    void clear();

    // Plays up to `samples` samples; returns what played (shorter when the buffer ran dry).
    // Marks whose audio has finished become ready.
    std::vector<std::uint8_t> play(std::size_t samples);

    // Marks ready to be echoed, oldest first; taking them empties the list.
    std::vector<std::string> take_ready_marks();

    bool has_audio() const { return queued_samples_ > 0; }
    std::size_t queued_samples() const { return queued_samples_; }

private:
    void release_leading_marks();

    struct Audio {
        std::vector<std::uint8_t> bytes;
        std::size_t played = 0;
    };
    std::deque<std::variant<Audio, std::string>> queue_;
    std::vector<std::string> ready_;
    std::size_t queued_samples_ = 0;
};

}  // namespace va::sim
