#include "conversation/turn_detector.hpp"

namespace va::conversation {

TurnDetector::Event TurnDetector::push(bool voiced, milliseconds length) {
    now_ += length;
    if (!open_) {
        if (!voiced) return Event::none;
        open_ = true;
        accepted_ = false;
        end_silence_ = settings_.end_silence;
        opened_at_ = now_ - length;
        voiced_ = run_ = length;
        last_voice_end_ = now_;
        recent_count_ = 0;
        recent_length_ = recent_voiced_ = milliseconds(0);
        remember(true, length);
        return Event::onset;
    }
    remember(voiced, length);
    if (voiced) {
        if (now_ - length - last_voice_end_ >= kRunGap) run_ = milliseconds(0);
        voiced_ += length;
        run_ += length;
        last_voice_end_ = now_;
    }
    const bool quiet_long_enough = now_ - last_voice_end_ >= end_silence_;
    const bool too_long = accepted_ && now_ - opened_at_ >= settings_.max_turn;
    if (quiet_long_enough || too_long) {
        open_ = false;
        if (too_long) last_voice_end_ = now_;
        return accepted_ ? Event::ended : Event::dropped;
    }
    return voiced ? Event::voice : Event::none;
}

void TurnDetector::remember(bool voiced, milliseconds length) {
    if (recent_count_ == kRecentFrames) forget_oldest();
    recent_[(recent_first_ + recent_count_++) % kRecentFrames] = {length, voiced};
    recent_length_ += length;
    if (voiced) recent_voiced_ += length;
    while (recent_length_ > kRecentWindow) forget_oldest();
}

void TurnDetector::forget_oldest() {
    const auto [length, voiced] = recent_[recent_first_];
    recent_first_ = (recent_first_ + 1) % kRecentFrames;
    --recent_count_;
    recent_length_ -= length;
    if (voiced) recent_voiced_ -= length;
}

}  // namespace va::conversation
