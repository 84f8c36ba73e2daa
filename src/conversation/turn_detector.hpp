#pragma once
// The callee's turns, from the VAD's frame-by-frame verdicts. Time is the call's inbound audio
// (Twilio sends a frame every 20 ms, silence included), so the logic is exact and needs no clock.
//
// A segment opens on the first voiced frame and closes after `end_silence` without voice (or at
// `max_turn`); the agent may change that silence while the segment is open, by its words. The agent decides when a segment is a real turn (accept(): enough voice, given
// whether it is talking itself); a closed segment is `ended` if it was accepted, else `dropped`
// (noise, a cough, a backchannel under the agent's voice).
#include <chrono>
#include <cstdint>
#include <array>
#include <cstddef>
#include <utility>

#include "conversation/settings.hpp"

namespace va::conversation {

class TurnDetector {
public:
    explicit TurnDetector(TurnSettings settings) : settings_(settings) {}

    enum class Event { none, onset, voice, ended, dropped };
    // One inbound frame of `length`, voiced or not. `onset`: a segment opened with this frame;
    // `voice`: an open segment got more voice; `ended`/`dropped`: the segment closed.
    Event push(bool voiced, milliseconds length);

    void accept() { accepted_ = true; }
    // The silence that closes the open segment, from what its words say (callee_words.hpp);
    // each segment starts with the settings' end_silence.
    void set_end_silence(milliseconds silence) { end_silence_ = silence; }
    bool open() const { return open_; }
    bool accepted() const { return accepted_; }
    milliseconds voiced() const { return voiced_; }  // voiced time in the open segment
    // Voiced time since the open segment's last gap of kRunGap or more: speech, whose words
    // follow each other closely, rather than the scattered blips that line noise or an echo of
    // the agent leave in one long segment.
    milliseconds voice_run() const { return run_; }
    static constexpr milliseconds kRunGap{200};
    // Voiced time in the open segment's last kRecentWindow of audio: the first syllables of
    // speech ("sorry,", "actually"), whose unvoiced sounds and pauses break a run, fill half of
    // it; scattered blips of noise or echo do not.
    milliseconds recent_voice() const { return recent_voiced_; }
    static constexpr milliseconds kRecentWindow{400};
    // Audio time (from the first frame) at the end of the last voiced frame: when the callee stopped.
    milliseconds last_voice_end() const { return last_voice_end_; }
    milliseconds now() const { return now_; }

private:
    TurnSettings settings_;
    milliseconds end_silence_ = settings_.end_silence;
    milliseconds now_{0};
    bool open_ = false;
    bool accepted_ = false;
    milliseconds opened_at_{0};
    milliseconds voiced_{0};
    milliseconds run_{0};
    milliseconds last_voice_end_{0};
    // The open segment's last frames (length, voiced), oldest at recent_first_: a fixed ring, for
    // this runs on every inbound frame, which allocates nothing. 32 Twilio frames are 640 ms,
    // more than the window; shorter frames would shorten it.
    static constexpr std::size_t kRecentFrames = 32;
    std::array<std::pair<milliseconds, bool>, kRecentFrames> recent_{};
    std::size_t recent_first_ = 0;
    std::size_t recent_count_ = 0;
    milliseconds recent_length_{0};
    milliseconds recent_voiced_{0};
    void remember(bool voiced, milliseconds length);
    void forget_oldest();
};

}  // namespace va::conversation
