#include "conversation/settings.hpp"

namespace va::conversation {

namespace {
void take(milliseconds& field, const std::optional<std::int64_t>& ms) {
    if (ms) field = milliseconds(*ms);
}
void take(bool& field, const std::optional<bool>& flag) {
    if (flag) field = *flag;
}
}  // namespace

ConversationSettings with_overrides(ConversationSettings s, const store::ConversationOverrides& prompt) {
    take(s.turn.min_speech, prompt.min_speech_ms);
    take(s.turn.end_silence, prompt.end_of_turn_ms);
    take(s.turn.max_turn, prompt.max_turn_ms);
    take(s.barge_in.enabled, prompt.barge_in);
    take(s.barge_in.min_speech, prompt.barge_in_ms);
    take(s.barge_in.during_greeting, prompt.barge_in_during_greeting);
    take(s.silence.reprompt_after, prompt.reprompt_after_ms);
    take(s.silence.hangup_after, prompt.hangup_after_ms);
    take(s.max_call, prompt.max_call_ms);
    take(s.filler_after, prompt.filler_after_ms);
    return s;  // a hang-up due before the re-prompt (one set here, one by flag) means no re-prompt

}

}  // namespace va::conversation
