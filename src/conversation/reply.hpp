#pragma once
// One thing the agent says: the greeting, an answer of the model's, or fixed words (a re-prompt,
// an apology, a goodbye). It is spoken as pieces (sentences), one utterance each, so the marks
// of each piece say how much of it the callee heard, and a cut reply keeps just those words.
// Each reply is said by one coroutine, which its `stop` signal cancels.
#include <chrono>
#include <deque>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/cancellation_signal.hpp>

#include "call/agent.hpp"
#include "conversation/sentences.hpp"
#include "llm/chat.hpp"
#include "store/model.hpp"
#include "timing/time_source.hpp"

namespace va::conversation {

enum class ReplyKind { greeting, answer, notice, goodbye };
enum class After { nothing, hang_up, transfer };  // what follows once the reply has played

struct Piece {
    call::UtteranceId id = 0;
    std::string text;
    std::size_t samples = 0;  // synthesised and handed to the call so far (8 kHz)
    std::chrono::milliseconds heard{0};
    bool played = false;  // heard in full
    bool failed = false;  // the TTS could not say it
    bool filler = false;  // "Let me check.", said while the model is slow: not part of the answer
    bool cut = false;     // a filler the answer's first audio cut short (or that never played)
};

// Shared between the conversation (which cuts it) and the coroutine that says it.
struct Reply {
    Reply(ReplyKind of, core::TimePoint at, timing::TimeSource& time, boost::asio::any_io_executor executor)
        : kind(of), started_at(at), changed(time, executor), first_words(time, std::move(executor)) {
        changed.expires_at(timing::SteadyTime::max());
    }

    ReplyKind kind;
    core::TimePoint started_at;
    bool interruptible = true;
    After after = After::nothing;
    std::string transfer_call_id;

    std::deque<Piece> pieces;  // in speaking order
    std::size_t next_to_synthesize = 0;
    // Fixed words (the greeting, a re-prompt, a goodbye): one piece, synthesised once through
    // the greeting cache and shared by every call that says it, not once per call.
    bool cached = false;
    bool thinking = false;     // the model is still writing: more pieces may come
    bool model_spoke = false;  // the model wrote some text
    SentenceSplitter splitter;
    std::vector<llm::ToolCall> tool_calls;

    // An answer to the callee's speech: when that speech ended, and the answer's stages since.
    std::optional<timing::SteadyTime> speech_end;
    store::TurnLatency latency;
    bool audible = false;  // the callee has started hearing it

    bool started = false;                   // its coroutine has begun
    boost::asio::cancellation_signal stop;  // emitted when the reply is cut: its coroutine ends
    timing::Timer changed;                  // poked when pieces are added or played
    timing::Timer first_words;              // the filler's deadline; cancelled once the model writes

    call::UtteranceId add_piece(std::string text, call::UtteranceId id);
    Piece* find(call::UtteranceId id);
    // Audio went out that the callee has not finished hearing.
    bool sounding() const;
    // The agent has the floor: the callee has begun to hear this reply and it is not over, also
    // between two of its sentences (the next one still being synthesised).
    bool holds_floor() const { return sounding() || (audible && !done()); }
    // Nothing more will be said and all of it has been heard.
    bool done() const;
    // The words the callee heard: whole pieces, and of a piece cut part-way the words that fit in
    // the time it played (speech rate is even enough within a sentence).
    std::string heard_text() const;
};

}  // namespace va::conversation
