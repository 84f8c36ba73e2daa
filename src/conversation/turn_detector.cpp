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
        recent_.clear();
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
    recent_.emplace_back(length, voiced);
    recent_length_ += length;
    if (voiced) recent_voiced_ += length;
    while (recent_length_ > kRecentWindow) {
        const auto [old_length, old_voiced] = recent_.front();
        recent_.pop_front();
        recent_length_ -= old_length;
        if (old_voiced) recent_voiced_ -= old_length;
    }
}

}  // namespace va::conversation
