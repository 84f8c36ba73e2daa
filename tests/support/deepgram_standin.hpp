#pragma once
// A local stand-in for Deepgram's live transcription WebSocket (GET /v1/listen), for tests and
// benchmarks that must not reach the network. It binds 127.0.0.1 on a free port and runs on a
// thread of its own (net::HttpServer). It records each upgrade (target, Authorization header), the
// binary audio bytes and the text control messages, and answers in one of two modes:
// - scripted (no `phrases`): interim/final results on a new utterance's first audio, final
//   results then "from_finalize": true on each Finalize;
// - listening (`phrases`): it spots the phrasebook's clips in each utterance's audio
//   (phrase_spotter.hpp) and sends each word as an interim result `word_lag` after the audio
//   holding its end came, a phrase's last word as an endpointed final, and on a Finalize, after
//   `finalize_lag`, a "from_finalize" final with the words not yet in one.
// Either way it can refuse the upgrade, close, or stay silent (the faults below). After
// CloseStream it closes, as Deepgram does.
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace va::test {

struct DeepgramStandinResult {
    std::string transcript;
    bool is_final = false;
};

// A clip the stand-in can hear: what the phone simulator's scripted callee says.
struct DeepgramStandinPhrase {
    std::string text = {};               // for logs
    std::vector<std::int16_t> pcm = {};  // 8 kHz mono, exactly as the simulator renders it
    struct Word {
        std::string text = {};
        std::chrono::milliseconds end{0};  // offset within pcm
    };
    std::vector<Word> words = {};  // in order
};

struct DeepgramStandinScript {
    // Not empty: the listening mode. Results come only from spotting these in the audio;
    // on_audio, on_finalize and on_later_finalize are not used. (The faults below still apply.)
    std::vector<DeepgramStandinPhrase> phrases = {};
    // Listening mode: how long after the audio holding a word's end came its result is sent, and
    // how long after a Finalize its final is. Our assumptions of a live recogniser's latency, not
    // figures Deepgram documents.
    std::chrono::milliseconds word_lag{250};
    std::chrono::milliseconds finalize_lag{100};

    // Scripted mode: sent together on the first binary frame after the upgrade or after a Finalize.
    std::vector<DeepgramStandinResult> on_audio;
    // One entry per Finalize, in order: its is_final transcripts, the last one carrying
    // "from_finalize": true (none: a single empty one). Past the end: `on_later_finalize`.
    std::deque<std::vector<std::string>> on_finalize;
    std::vector<std::string> on_later_finalize;  // (none: a single empty one)

    // Faults, in either mode.
    unsigned refuse_status = 0;                         // refuse the upgrade with this status (401)
    std::optional<std::size_t> close_after_audio_frames;  // close once this many binary frames came
    bool close_on_finalize = false;                     // close instead of answering a Finalize
    bool ignore_finalize = false;                       // never answer a Finalize
    std::string error_on_finalize;  // not empty: answer a Finalize with {"type":"Error",...} and stay open
};

struct DeepgramStandinLog {
    std::size_t upgrades = 0;
    std::string target;         // of the last upgrade: "/v1/listen?..."
    std::string authorization;  // of the last upgrade
    std::vector<std::uint8_t> audio;    // every binary frame's bytes, in order
    std::size_t audio_frames = 0;
    std::vector<std::string> controls;  // the "type" of each text message, in order
    std::vector<std::string> spotted;   // listening mode: the text of each phrase placed, in order
    std::size_t disconnects = 0;        // WebSocket connections that have ended

    std::size_t count(const std::string& type) const;
};

class DeepgramStandin {
public:
    explicit DeepgramStandin(DeepgramStandinScript script = {});  // listening on return
    ~DeepgramStandin();  // stops its thread; open connections are dropped
    DeepgramStandin(const DeepgramStandin&) = delete;
    DeepgramStandin& operator=(const DeepgramStandin&) = delete;

    std::string base_url() const;  // "ws://127.0.0.1:<port>"
    DeepgramStandinLog log() const;
    // Blocks until `done(log)` holds; false on timeout.
    bool wait(const std::function<bool(const DeepgramStandinLog&)>& done,
              std::chrono::milliseconds timeout = std::chrono::seconds(10)) const;

    struct State;
    struct Runtime;

private:
    std::shared_ptr<State> state_;  // shared with the server's coroutines
    std::unique_ptr<Runtime> runtime_;
    std::string base_url_;
};

}  // namespace va::test
