#pragma once
// Synthesised greetings, kept so that every call with the same introduction in the same voice (all
// recipients of a call whose introduction has no {{placeholders}}) costs one synthesis. The webhook warms the entry when Twilio asks for TwiML,
// so the audio is usually ready before the stream starts. Thread-safe.
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>

#include "engine/error.hpp"
#include "speech/tts.hpp"

namespace va::call {

class GreetingCache {
public:
    using Audio = std::shared_ptr<const std::vector<std::uint8_t>>;  // μ-law 8 kHz

    // Syntheses run on `executor`, not on the caller's, so that one outlives the call that asked
    // for it and serves the calls after. Keeps up to `capacity` greetings and `max_bytes` of
    // audio (the newest greeting always), dropping the least recently used. A synthesis still
    // running when the cache is destroyed finishes harmlessly.
    explicit GreetingCache(boost::asio::any_io_executor executor, std::size_t capacity = 512,
                           std::size_t max_bytes = 64 * 1024 * 1024);
    ~GreetingCache();

    // The greeting, awaited on the caller's executor. Concurrent requests for a text being
    // synthesised wait for that one synthesis. A failure (logged where it happened) is not kept:
    // the next request tries again. `voice` must outlive the synthesis; its name() tells voices apart.
    boost::asio::awaitable<engine::Result<Audio>> fetch(speech::TextToSpeech& voice, std::string text);
    // Starts synthesising `text` unless it is cached or under way.
    void warm(speech::TextToSpeech& voice, const std::string& text);

    std::uint64_t syntheses() const;  // synthesis runs started so far

private:
    struct State;
    std::shared_ptr<State> state_;  // shared with running syntheses
};

}  // namespace va::call
