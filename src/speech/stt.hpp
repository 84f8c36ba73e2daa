#pragma once
// Speech to text as a stream, one session per call. The conversation engine finds the callee's
// turns with its own VAD and tells the session where an utterance begins and ends; audio between
// goes in as it arrives and the words come back after end_utterance(). Local engines decode only
// inside utterances; a cloud engine may stream all the time and use end_utterance() to flush.
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>

#include "engine/error.hpp"
#include "engine/inbox.hpp"

namespace va::speech {

struct SttCallbacks {
    // Words recognised so far in the current utterance (optional; engines that have no interim
    // results never call it). Called on the provider's thread.
    std::function<void(std::string text)> on_partial;
    // Exactly once per end_utterance(), in order: the utterance's words ("" for none heard), or
    // `error` set when recognition failed. Called on the provider's thread; not after
    // cancel_utterance() for that utterance, and not after the session is destroyed.
    std::function<void(std::string text, std::string error)> on_final;
};

class SttSession {
public:
    // Destroying the session cancels what is in flight; no callback runs afterwards.
    virtual ~SttSession() = default;
    // A new utterance starts with this audio (the VAD's pre-roll, 8 kHz mono PCM).
    virtual void begin_utterance(std::span<const std::int16_t> preroll) = 0;
    // More 8 kHz audio of the current utterance; ignored outside one. Returns at once.
    virtual void audio(std::span<const std::int16_t> pcm) = 0;
    // The utterance is over: on_final follows.
    virtual void end_utterance() = 0;
    // The utterance was noise or a backchannel: drop it, no on_final.
    virtual void cancel_utterance() = 0;
};

struct SttOptions {
    // A JSGF grammar of the answers expected on this call, instead of the engine's language
    // model ("" = none). Engines without grammars (the cloud ones) ignore it.
    std::string grammar;
};

class SpeechToText {
public:
    virtual ~SpeechToText() = default;
    virtual std::unique_ptr<SttSession> open(SttCallbacks callbacks, SttOptions options = {}) = 0;
    // What is wrong with `grammar` for this engine; nullopt when it can use it (or ignores grammars).
    virtual std::optional<std::string> check_grammar(const std::string& grammar) const {
        (void)grammar;
        return std::nullopt;
    }
    // What recognises ("pocketsphinx:en-us"), for logs.
    virtual std::string name() const = 0;
};

// A session whose words are awaited on the caller's executor, utterance by utterance. Feed it
// through session(); destroying it ends the session, and words that arrive later are dropped.
class Recognition {
public:
    Recognition(SpeechToText& engine, boost::asio::any_io_executor executor, SttOptions options = {});
    SttSession& session() { return *session_; }
    // The words of the next utterance that ended, in order ("" when none were heard).
    boost::asio::awaitable<engine::Result<std::string>> next();

private:
    engine::Inbox<engine::Result<std::string>> words_;
    std::unique_ptr<SttSession> session_;
};

}  // namespace va::speech
