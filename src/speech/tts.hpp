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

// Where offline synthesis runs. Both engines keep process-global state, so one process speaks one
// text at a time: with `count` 0, every synthesis runs on one thread of this process, in turn;
// with `count` N, N worker processes (`command`, which runs speech::run_tts_worker) speak N
// texts at once, each driven by a thread of its own, so answers that start together do not
// wait for each other's whole sentences.
struct TtsWorkers {
    unsigned count = 0;
    std::vector<std::string> command = {};
};

// espeak-ng or flite, as `workers` say. The destructor finishes the queued work first.
std::unique_ptr<TextToSpeech> make_offline_tts(const Voice& voice, TtsWorkers workers = {});
// What is wrong when the engine cannot load `voice` (parse_voice does not know espeak's names).
std::optional<std::string> check_offline_voice(const Voice& voice);

}  // namespace va::speech
