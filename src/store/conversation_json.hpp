#pragma once
// A prompt's conversation settings (ConversationOverrides) as JSON, in the API's spelling, which is
// also how SQLite stores them and how a MongoDB document holds them:
//   {"endOfTurnMs": 400, "bargeIn": false, "llmModel": "gpt-4o", "sttGrammar": "#JSGF V1.0; ..."}
// Only the fields that are set appear. The tables give each field's name and the range the API
// accepts, so that reading, writing and checking cannot disagree.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include <boost/json/object.hpp>

#include "store/model.hpp"

namespace va::store {

struct DurationField {
    std::string_view name;
    std::optional<std::int64_t> ConversationOverrides::*member;
    std::int64_t min_ms, max_ms;
};
inline constexpr DurationField kConversationDurations[] = {
    {"minSpeechMs", &ConversationOverrides::min_speech_ms, 50, 5'000},
    {"endOfTurnMs", &ConversationOverrides::end_of_turn_ms, 100, 10'000},
    {"maxTurnMs", &ConversationOverrides::max_turn_ms, 1'000, 300'000},
    {"bargeInMs", &ConversationOverrides::barge_in_ms, 50, 5'000},
    {"repromptAfterMs", &ConversationOverrides::reprompt_after_ms, 1'000, 600'000},
    {"hangupAfterMs", &ConversationOverrides::hangup_after_ms, 1'000, 3'600'000},
    {"maxCallMs", &ConversationOverrides::max_call_ms, 10'000, 4 * 3'600'000},  // a stream's own limit is 4 h
    {"fillerAfterMs", &ConversationOverrides::filler_after_ms, 200, 10'000},
};

struct FlagField {
    std::string_view name;
    std::optional<bool> ConversationOverrides::*member;
};
inline constexpr FlagField kConversationFlags[] = {
    {"bargeIn", &ConversationOverrides::barge_in},
    {"bargeInDuringGreeting", &ConversationOverrides::barge_in_during_greeting},
};

struct TextField {
    std::string_view name;
    std::string ConversationOverrides::*member;
    std::size_t max_bytes;
};
inline constexpr TextField kConversationTexts[] = {
    {"llmModel", &ConversationOverrides::llm_model, 200},
    {"sttGrammar", &ConversationOverrides::stt_grammar, 64 * 1024},
    {"stt", &ConversationOverrides::stt, 40},
    {"ttsVoice", &ConversationOverrides::tts_voice, 200},
};

boost::json::object conversation_to_json(const ConversationOverrides& c);
// Reads what conversation_to_json wrote (stored data, so fields of the wrong type are skipped, not errors).
ConversationOverrides conversation_from_json(const boost::json::object& o);

}  // namespace va::store
