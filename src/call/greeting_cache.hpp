#pragma once
// Synthesised greetings, kept so that N recipients of one scheduled call (and every call with the
// same introduction in the same voice) cost one synthesis. The webhook warms the entry when Twilio asks for TwiML,
// so the audio is usually ready before the stream starts. Thread-safe.
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include <boost/asio/awaitable.hpp>

#include "engine/error.hpp"
#include "speech/tts.hpp"

namespace va::call {

class GreetingCache {
public:
    using Audio = std::shared_ptr<const std::vector<std::uint8_t>>;  // μ-law 8 kHz
    // The audio, or null and what failed.
    using Done = std::function<void(Audio audio, const std::string& error)>;

    // Keeps up to `capacity` greetings, dropping the least recently used. A synthesis still
    // running when the cache is destroyed finishes harmlessly.
    explicit GreetingCache(std::size_t capacity = 512);
    ~GreetingCache();

    // `done` runs exactly once: at once on a hit, else on the TTS thread when synthesis ends.
    // Concurrent requests for a text being synthesised wait for that one synthesis. A failure is
    // not kept: the next request tries again.
    // `voice` must outlive the synthesis; its name() tells voices apart.
    void get(speech::TextToSpeech& voice, const std::string& text, Done done);
    // The same, awaited on the caller's executor (a failure's details are logged here).
    boost::asio::awaitable<engine::Result<Audio>> fetch(speech::TextToSpeech& voice, std::string text);
    // Starts synthesising `text` unless it is cached or under way.
    void warm(speech::TextToSpeech& voice, const std::string& text) { get(voice, text, nullptr); }

    std::uint64_t syntheses() const;  // synthesis runs started so far

private:
    struct State;
    std::shared_ptr<State> state_;  // shared with running syntheses
};

}  // namespace va::call
