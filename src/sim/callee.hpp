#pragma once
// The scripted callee: runs the scenario's steps against what it hears, one 20 ms tick at a time.
// "The agent is speaking" means the agent's audio is playing out of Twilio's buffer this tick, so
// the callee reacts to what a person on the phone would hear, not to what was sent. Pure logic.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "sim/scenario.hpp"

namespace va::sim {

struct CalleeTick {
    std::vector<std::uint8_t> audio;   // μ-law for this tick (silence when not speaking)
    std::optional<char> digit;         // a DTMF digit pressed this tick
    bool hangup = false;
    std::optional<std::string> started_saying;  // text (or WAV path) of an utterance that starts now
    std::size_t step = 0;               // with started_saying: the index of its step
    bool finished_saying = false;       // the utterance ended with this tick
};

class Callee {
public:
    // audio[i] is the μ-law rendering of steps[i] (empty for steps that do not speak).
    Callee(std::vector<Step> steps, std::vector<std::vector<std::uint8_t>> audio, std::size_t samples_per_tick = 160);

    // `now_ms`: time since the stream started; `agent_playing`: agent audio played during this tick.
    CalleeTick tick(std::int64_t now_ms, bool agent_playing);

    bool speaking() const { return speaking_; }
    bool script_done() const { return step_ >= steps_.size(); }

private:
    void advance(std::int64_t now_ms);
    bool triggered(const Step& step, std::int64_t now_ms) const;

    std::vector<Step> steps_;
    std::vector<std::vector<std::uint8_t>> audio_;
    std::size_t samples_per_tick_;
    std::size_t step_ = 0;
    std::int64_t step_started_ms_ = 0;
    bool speaking_ = false;
    std::size_t cursor_ = 0;   // into the current utterance's audio, or the current digit
    std::int64_t next_digit_ms_ = 0;

    bool agent_playing_ = false;
    bool agent_spoke_since_callee_ = false;      // the agent has said something since the callee last spoke
    std::int64_t agent_silent_since_ms_ = 0;
    std::optional<std::int64_t> agent_started_ms_;  // start of the agent speech the current step may react to
};

}  // namespace va::sim
