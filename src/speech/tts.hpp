#pragma once
// Text to speech as a stream: audio arrives in chunks while the rest is still being synthesised,
// so a caller can start playing the first words at once and stop early (barge-in). Every TTS
// provider implements this interface: the offline engines here, the cloud ones in cloud/.
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <boost/asio/awaitable.hpp>

#include "engine/error.hpp"
#include "speech/voice.hpp"

namespace va::speech {

// Each chunk of 8 kHz mono 16-bit PCM, in order, on the caller's executor.
using AudioSink = std::function<void(std::vector<std::int16_t> chunk)>;

class TextToSpeech {
public:
    virtual ~TextToSpeech() = default;
    // Speaks `text` (UTF-8), handing the audio to `on_audio` as it is produced. Completes when all
    // of it has been spoken, or with engine::Errc (what failed is logged with the provider's name,
    // never with a secret). Cancelling the caller stops the synthesis and throws operation_aborted;
    // no chunk is handed over after that.
    virtual boost::asio::awaitable<engine::Result<void>> synthesize(std::string text, AudioSink on_audio) = 0;
    // What speaks ("espeak:en-us"), for logs and cache keys: the same name and text give the same words.
    virtual std::string name() const = 0;
};

// espeak-ng or flite, running every synthesis on one thread of its own (both engines keep
// process-global state; at a real-time factor near 0.001 one thread serves hundreds of calls).
// The destructor finishes the queued work first.
std::unique_ptr<TextToSpeech> make_offline_tts(const Voice& voice);
// What is wrong when the engine cannot load `voice` (parse_voice does not know espeak's names).
std::optional<std::string> check_offline_voice(const Voice& voice);

}  // namespace va::speech
