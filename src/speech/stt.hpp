#pragma once
// Speech to text as a stream, one session per call. The conversation engine finds the callee's
// turns with its own VAD and tells the session where an utterance begins and ends; audio between
// goes in as it arrives, and the words are awaited (next()) once end_utterance() has been called.
// Local engines decode only inside utterances; a cloud engine may stream all the time and use
// end_utterance() to flush. Engines work on threads of their own and hand their results to the
// session's executor.
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>

#include "engine/error.hpp"

namespace va::speech {

// What a session heard: an utterance's words, or (partial) those so far of the one still open.
struct Heard {
    std::string text;   // the words ("" when none were heard)
    bool final = true;  // false: the words so far of the utterance still open (only with SttOptions::partials)
};

class SttSession {
public:
    // Ends the session: nothing in flight is delivered after.
    virtual ~SttSession() = default;
    // A new utterance starts with this audio (the VAD's pre-roll, 8 kHz mono PCM).
    virtual void begin_utterance(std::span<const std::int16_t> preroll) = 0;
    // More 8 kHz audio of the current utterance; ignored outside one. Returns at once.
    virtual void audio(std::span<const std::int16_t> pcm) = 0;
    // The utterance is over: its final result follows, through next().
    virtual void end_utterance() = 0;
    // The utterance was noise or a backchannel: drop it, no final result for it.
    virtual void cancel_utterance() = 0;
    // The next result, in order: exactly one final per end_utterance(), partials before it when
    // asked for. A failed recognition is engine::Errc::failed (a cloud engine whose connection
    // never came up: unreachable, or refused); the reason is logged where known. Cancelling the
    // waiter throws operation_aborted (Asio's cancellation), and nothing is lost for a later
    // next(). One waiter at a time, on the executor the session was opened with.
    virtual boost::asio::awaitable<engine::Result<Heard>> next() = 0;
};

struct SttOptions {
    // A JSGF grammar of the answers expected on this call, instead of the engine's language
    // model ("" = none). Engines without grammars (the cloud ones) ignore it.
    std::string grammar = {};
    // The call's own text (its prompt and greeting, and the words callees say over an agent): a
    // local engine makes its words and word pairs likely for this session, and learns how to say
    // those its dictionary lacks. Deepgram boosts the names in it (deepgram::key_terms).
    std::string context = {};
    // Interim results (Heard::final false) while an utterance is open, for a caller that acts on
    // words early; off, next() brings finals only.
    bool partials = false;
};

class SpeechToText {
public:
    virtual ~SpeechToText() = default;
    // Results come on `executor`, whatever threads the engine works on.
    virtual std::unique_ptr<SttSession> open(boost::asio::any_io_executor executor, SttOptions options = {}) = 0;
    // What is wrong with `grammar` for this engine; nullopt when it can use it (or ignores grammars).
    virtual std::optional<std::string> check_grammar(const std::string& grammar) const {
        (void)grammar;
        return std::nullopt;
    }
    // How many words said over the agent, none of them asking for the floor ("wait", "sorry"), show
    // that the callee takes it: 1 for a recogniser that hears short words right; more for one
    // that often mishears a backchannel as other words (conversation::over_agent).
    virtual std::size_t words_to_take_floor() const { return 1; }
    // What recognises ("pocketsphinx:en-us"), for logs.
    virtual std::string name() const = 0;
};

}  // namespace va::speech
