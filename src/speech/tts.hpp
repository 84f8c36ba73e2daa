#pragma once
// Text to speech as a stream: audio arrives in chunks while the rest is still being synthesised,
// so a caller can start playing the first words at once and stop early (barge-in). Every TTS
// provider implements this interface: the offline engines here, cloud services later.
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include <boost/asio/awaitable.hpp>

#include "engine/error.hpp"
#include "speech/voice.hpp"

namespace va::speech {

struct TtsCallbacks {
    // Each chunk of 8 kHz mono 16-bit PCM, in order. Called on the provider's thread: hand the
    // chunk to your own executor rather than doing work here.
    std::function<void(std::vector<std::int16_t> chunk)> on_audio;
    // Exactly once, after the last chunk: "" when the text was spoken in full, else what failed.
    // A canceled synthesis ends with "canceled".
    std::function<void(std::string error)> on_done;
};

class TtsStream {
public:
    virtual ~TtsStream() = default;
    // Stops as soon as the provider can; no chunk is delivered after on_done.
    virtual void cancel() = 0;
};

class TextToSpeech {
public:
    virtual ~TextToSpeech() = default;
    // Starts speaking `text` (UTF-8); returns at once.
    virtual std::shared_ptr<TtsStream> speak(std::string text, TtsCallbacks callbacks) = 0;
    // What speaks ("espeak:en-us"), for logs and cache keys: the same name and text give the same words.
    virtual std::string name() const = 0;
};

// Speaks `text` with `voice`, handing each chunk of 8 kHz PCM to `on_audio` on the caller's
// executor, in order. Completes when all of it has been spoken, or with the error. Cancelling
// the caller stops the synthesis, and no chunk is handed over after that.
boost::asio::awaitable<engine::Result<void>> synthesize(TextToSpeech& voice, std::string text,
                                                        std::function<void(std::vector<std::int16_t>)> on_audio);

// espeak-ng or flite, running every synthesis on one thread of its own (both engines keep
// process-global state; at a real-time factor near 0.001 one thread serves hundreds of calls).
// The destructor finishes the queued work first.
std::unique_ptr<TextToSpeech> make_offline_tts(const Voice& voice);
// "" when the engine can load `voice`, else what is wrong (parse_voice does not know espeak's names).
std::string check_offline_voice(const Voice& voice);

}  // namespace va::speech
