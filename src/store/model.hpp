#pragma once
// The records the system keeps. Field names follow the storage contract in DESIGN.md
// (camelCase in JSON, MongoDB and SQLite); here they are snake_case C++ members.
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/clock.hpp"
#include "core/placeholders.hpp"

namespace va::store {

using core::TimePoint;

// A prompt's own conversation settings. Each unset field takes the deployment's value (serve's
// flags); JSON names and the ranges the API accepts are in store/conversation_json.hpp.
struct ConversationOverrides {
    std::optional<std::int64_t> min_speech_ms;    // speech shorter than this is not a turn
    std::optional<std::int64_t> end_of_turn_ms;   // silence that ends the callee's turn
    std::optional<std::int64_t> max_turn_ms;      // a turn this long ends without a pause
    std::optional<bool> barge_in;                 // the callee may interrupt the agent
    std::optional<std::int64_t> barge_in_ms;      // speech over the agent that interrupts it
    std::optional<bool> barge_in_during_greeting;
    std::optional<std::int64_t> reprompt_after_ms;  // callee silence before "are you still there?"
    std::optional<std::int64_t> hangup_after_ms;    // callee silence before a goodbye and hang-up
    std::optional<std::int64_t> max_call_ms;        // the longest conversation
    std::optional<std::int64_t> filler_after_ms;    // the model silent this long: "Let me check." (unset: never)
    std::string llm_model;    // the model asked for ("" = the deployment's)
    std::string stt_grammar;  // a JSGF grammar of the expected answers ("" = the language model)
    std::string stt;          // the recogniser: "pocketsphinx" or "deepgram" ("" = the deployment's)
    std::string tts_voice;    // "flite:slt", "espeak:en-us", "elevenlabs:<id>", "openai:<voice>" ("" = the deployment's)
    bool operator==(const ConversationOverrides&) const = default;
};

struct Prompt {
    std::string id;
    std::string name;
    std::string content;       // the system prompt
    std::string introduction;  // the greeting
    ConversationOverrides conversation;
    TimePoint created_at{};
    TimePoint updated_at{};
};

enum class CallStatus { pending, in_progress, completed, canceled, failed };

enum class RecipientStatus {
    pending, dialing, queued, ringing, in_progress,          // not final
    completed, busy, no_answer, failed, canceled, unknown,   // final, except unknown (ambiguous dial)
};

bool is_final(RecipientStatus s);
std::string_view to_string(CallStatus s);       // "pending", "in_progress", ...
std::string_view to_string(RecipientStatus s);  // "pending", "in-progress", "no-answer", ... (Twilio spelling)
std::optional<CallStatus> parse_call_status(std::string_view s);
std::optional<RecipientStatus> parse_recipient_status(std::string_view s);

// Why a pending recipient is not being dialed at its due time: it waits until `next_attempt_at`.
// The status stays `pending` (no new status for clients to learn); cleared when it is claimed.
enum class DeferredReason {
    none,
    window,        // outside the call's calling window
    daily_budget,  // the store's dials for this UTC day are used up (toll fraud)
    cooldown,      // the number was dialed from another scheduled call too recently (toll fraud)
};
std::string_view to_string(DeferredReason r);  // "", "window", "daily-budget", "cooldown"
std::optional<DeferredReason> parse_deferred_reason(std::string_view s);

struct Recipient {
    std::string phone_number;  // E.164
    RecipientStatus status = RecipientStatus::pending;
    int attempt = 0;           // attempts made so far
    std::string call_sid;      // of the latest attempt
    std::optional<int> error_code;
    std::string error_message;
    TimePoint updated_at{};
    // When the latest attempt was claimed for dialing; an attempt the calling window gave back
    // does not count (the previous one's time is put back), so this is the latest real dial.
    std::optional<TimePoint> dialed_at;
    std::optional<TimePoint> next_attempt_at;  // when it is due (pending only)
    DeferredReason deferred_reason = DeferredReason::none;  // pending only: why it waits
    // What the call's {{placeholders}} say for this recipient ("name" → "Maria"): data, never
    // instructions (call/recipient_prompt.hpp).
    core::Variables variables;
};

// A recipient not dialed yet.
inline Recipient new_recipient(std::string phone_number, TimePoint now, core::Variables variables = {}) {
    Recipient r;
    r.phone_number = std::move(phone_number);
    r.updated_at = now;
    r.variables = std::move(variables);
    return r;
}

// Fresh recipients for `numbers` (a pending call's new list): a number already among `before`
// keeps its variables.
std::vector<Recipient> with_numbers(const std::vector<Recipient>& before, const std::vector<std::string>& numbers,
                                    TimePoint now);

// How often a recipient is called when the call ends busy, no-answer or failed.
struct RetryPolicy {
    int max_attempts = 1;  // calls the recipient may get in all (1 = no redial)
    std::chrono::seconds delay{300};  // between the end of one attempt and the next
    bool operator==(const RetryPolicy&) const = default;
};

// When recipients may be called: local times of day [start, end), in minutes since midnight (end
// before start spans midnight), on the clock of `time_zones[number]`, else `time_zone`, else every
// zone of the number's country.
struct CallingWindow {
    int start_minute = 0;
    int end_minute = 0;
    std::string time_zone;                         // IANA name, or empty
    std::map<std::string, std::string> time_zones;  // E.164 number → IANA name
    bool operator==(const CallingWindow&) const = default;
    const std::string& zone_for(const std::string& number) const {
        auto it = time_zones.find(number);
        return it == time_zones.end() ? time_zone : it->second;
    }
};

struct ScheduledCall {
    std::string id;
    std::vector<std::string> to_phone_numbers;  // E.164, unique, in request order
    std::string prompt_id;
    TimePoint scheduled_date_time{};
    CallStatus status = CallStatus::pending;
    std::string content;       // snapshot of the prompt's content at creation
    std::string introduction;  // snapshot of the prompt's introduction at creation
    ConversationOverrides conversation;  // snapshot of the prompt's conversation settings at creation
    std::vector<Recipient> recipients;  // one per entry of to_phone_numbers, same order
    std::optional<RetryPolicy> retry;   // unset: the dispatcher's default
    std::optional<CallingWindow> call_window;  // unset: any time
    TimePoint created_at{};
    TimePoint updated_at{};
};

// How long an agent's answer took, in ms from the end of the callee's speech to each stage.
struct TurnLatency {
    std::optional<std::int64_t> stt_final_ms;       // the words of the callee's turn
    std::optional<std::int64_t> llm_first_token_ms;  // the model's first text
    std::optional<std::int64_t> tts_first_audio_ms;  // the first synthesised audio
    std::optional<std::int64_t> voice_to_voice_ms;   // the callee starts hearing the answer (by mark)
    bool operator==(const TurnLatency&) const = default;
};

struct TranscriptTurn {
    std::string role;  // "agent" | "callee"
    std::string text;  // an interrupted agent turn keeps only what the callee heard
    TimePoint started_at{};
    TimePoint ended_at{};
    bool interrupted = false;
    std::optional<TurnLatency> latency;  // agent turns that answer the callee
    // A callee turn said over the agent only to show they listen ("uh-huh"): kept, never answered.
    bool backchannel = false;
    bool operator==(const TranscriptTurn&) const = default;
};

// What spoke and listened on a call ("scripted" marks the demo's responder, not a real LLM).
struct ConversationEngines {
    std::string llm;
    std::string stt;
    std::string tts;
    bool operator==(const ConversationEngines&) const = default;
};

struct CallLog {
    std::string id;
    std::string scheduled_call_id;
    std::string to;    // E.164
    std::string from;  // E.164
    std::string call_sid;
    std::string stream_sid;
    std::string status;  // Twilio call status spelling: initiated, ringing, in-progress, completed, busy...
    std::string answered_by;
    std::string attempt_id;  // the dispatcher's attempt (see store/dispatch.hpp); empty for inbound calls
    std::optional<TimePoint> started_at;
    std::optional<TimePoint> answered_at;
    std::optional<TimePoint> ended_at;
    std::optional<int> duration;  // seconds
    // The Media Stream as our server saw it (start and stop messages).
    std::optional<TimePoint> stream_started_at;
    std::optional<TimePoint> stream_ended_at;
    std::optional<std::int64_t> stream_duration_ms;
    std::vector<TranscriptTurn> transcript;
    // The system prompt and greeting the agent used: the scheduled call's, with this recipient's
    // variables in place ("" until the stream starts).
    std::string content;
    std::string introduction;
    ConversationEngines engines;  // empty until the conversation saves its first turn
    TimePoint created_at{};
    TimePoint updated_at{};
};

// Cursor pagination, newest first (by createdAt, then id). A page starts after the item its
// cursor names: the last one of the previous page.
struct Cursor {
    TimePoint created_at{};
    std::string id;
    bool operator==(const Cursor&) const = default;
};

// What clients see, opaque to them: "<createdAt in ms>_<id>".
std::string to_string(const Cursor& cursor);
// The cursor `text` names, or nullopt when it is not one to_string() makes.
std::optional<Cursor> parse_cursor(std::string_view text);

struct PageRequest {
    std::optional<Cursor> after;  // none: the first page
    int limit = 50;               // 1..200, checked by the API
};

template <typename T>
struct Page {
    std::vector<T> items;
    std::optional<Cursor> next;  // none when there are no more items
};

// A page from `items`, read with one more than the page's limit: the extra item only tells that
// there is a next page, whose cursor is the last item kept.
template <typename T>
Page<T> finish_page(std::vector<T> items, const PageRequest& page) {
    Page<T> out;
    if (items.size() > static_cast<std::size_t>(page.limit)) {
        items.resize(static_cast<std::size_t>(page.limit));
        out.next = Cursor{items.back().created_at, items.back().id};
    }
    out.items = std::move(items);
    return out;
}

}  // namespace va::store
