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
        return Event::onset;
    }
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

}  // namespace va::conversation
