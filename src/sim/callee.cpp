#include "sim/callee.hpp"

#include <algorithm>

#include "media/mulaw.hpp"

namespace va::sim {

namespace {
constexpr std::int64_t kDigitGapMs = 100;  // between two pressed digits
constexpr std::int64_t kWaitDigitMs = 500;  // 'w' in a digit string, as in Twilio's SendDigits
}  // namespace

Callee::Callee(std::vector<Step> steps, std::vector<std::vector<std::uint8_t>> audio, std::size_t samples_per_tick)
    : steps_(std::move(steps)), audio_(std::move(audio)), samples_per_tick_(samples_per_tick) {
    audio_.resize(steps_.size());
}

bool Callee::triggered(const Step& step, std::int64_t now_ms) const {
    switch (step.trigger) {
        case Step::Trigger::immediately:
            return true;
        case Step::Trigger::agent_silent:
            return agent_spoke_since_callee_ && !agent_playing_ && now_ms - agent_silent_since_ms_ >= step.delay.count();
        case Step::Trigger::agent_speaking:
            return agent_started_ms_ && now_ms - *agent_started_ms_ >= step.delay.count();
    }
    return false;
}

void Callee::advance(std::int64_t now_ms) {
    ++step_;
    step_started_ms_ = now_ms;
    speaking_ = false;
    cursor_ = 0;
    // A barge-in step reacts to agent speech under way now or starting later.
    agent_started_ms_ = agent_playing_ ? agent_started_ms_ : std::nullopt;
}

CalleeTick Callee::tick(std::int64_t now_ms, bool agent_playing) {
    CalleeTick out;
    if (agent_playing && !agent_playing_) agent_started_ms_ = now_ms;
    if (!agent_playing && agent_playing_) agent_silent_since_ms_ = now_ms;
    if (agent_playing) agent_spoke_since_callee_ = true;
    agent_playing_ = agent_playing;

    // Steps that take no time run back to back within one tick.
    while (step_ < steps_.size()) {
        const auto& step = steps_[step_];
        if (step.kind == Step::Kind::say) {
            const auto& audio = audio_[step_];
            if (!speaking_) {
                if (!triggered(step, now_ms)) break;
                speaking_ = true;
                cursor_ = 0;
                out.started_saying = step.text.empty() ? step.wav : step.text;
                out.step = step_;
            }
            auto n = std::min(samples_per_tick_, audio.size() - cursor_);
            auto first = audio.begin() + static_cast<std::ptrdiff_t>(cursor_);
            out.audio.assign(first, first + static_cast<std::ptrdiff_t>(n));
            cursor_ += n;
            if (cursor_ < audio.size()) break;
            out.finished_saying = true;
            agent_spoke_since_callee_ = false;
            advance(now_ms);
            break;  // one utterance per tick
        }
        if (step.kind == Step::Kind::press) {
            if (!speaking_) {
                if (!triggered(step, now_ms)) break;
                speaking_ = true;  // "busy pressing"
                cursor_ = 0;
                next_digit_ms_ = now_ms;
            }
            if (now_ms < next_digit_ms_) break;
            char c = step.digits[cursor_++];
            if (c == 'w') {
                next_digit_ms_ = now_ms + kWaitDigitMs;
            } else {
                out.digit = c;
                next_digit_ms_ = now_ms + kDigitGapMs;
            }
            if (cursor_ == step.digits.size()) advance(now_ms);
            break;
        }
        if (step.kind == Step::Kind::silence) {
            if (now_ms - step_started_ms_ < step.duration.count()) break;
            advance(now_ms);
            continue;
        }
        out.hangup = true;  // Step::Kind::hangup
        advance(now_ms);
        break;
    }
    if (out.audio.size() < samples_per_tick_) out.audio.resize(samples_per_tick_, media::kMulawSilence);
    return out;
}

}  // namespace va::sim
