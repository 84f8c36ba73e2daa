#pragma once
// Deepgram live transcription (wss://api.deepgram.com/v1/listen) as a SpeechToText provider.
//
// One WebSocket per session, opened by open() without waiting (audio sent before it is up is
// queued: at most 30 s, the rest is dropped). Audio goes out as binary frames of raw 8 kHz μ-law
// (the PCM handed in is re-encoded: decode→encode is the identity on μ-law codes) and only inside
// utterances; between them a {"type":"KeepAlive"} goes out every `keepalive_interval` without
// audio (Deepgram closes a socket idle for ~10 s). end_utterance() sends {"type":"Finalize"};
// the final result is the is_final transcripts of that utterance joined by spaces, once the
// result with "from_finalize": true arrives (a partial, when asked for, is the is_final
// transcripts so far plus the latest interim words). cancel_utterance() finalizes too and
// discards the results (no final; a partial already on its way still arrives). Results are
// attributed to the oldest utterance still waiting for its finalize, so utterances resolve
// strictly in order, exactly one final per end_utterance() (pocketsphinx's contract:
// end_utterance() outside an utterance gets a final "", begin_utterance() inside one drops it).
//
// Failures, each logged with its reason (never the API key): no from_finalize within
// `final_timeout` of end_utterance() → the is_final text gathered when there is some, else
// engine::Errc::failed. A connection that never came up (connect failure or timeout: unreachable;
// an upgrade refused with a 4xx, 401 for a bad key: refused), an error message or the socket
// closing (failed) → every utterance waiting and every later end_utterance() of that session gets
// that error; a session does not reconnect.
//
// Threads: session calls return at once, from any thread (they post to the session's strand on
// the io_context). Results go from there to the session's inbox and are awaited on the executor
// given to open(); nothing is delivered after the session is destroyed. Destroying a session
// sends {"type":"CloseStream"} and closes the socket in the background. Destroy sessions before
// the io_context, and before the executor given to open() goes; the io_context must be running
// for anything to happen.
#include <chrono>
#include <memory>
#include <string>

#include <boost/asio/io_context.hpp>

#include "speech/stt.hpp"

namespace va::speech {

struct DeepgramConfig {
    std::string base_url = "wss://api.deepgram.com";  // ws:// or wss://, no path
    std::string api_key;                              // sent as "Authorization: Token <key>"
    std::string model = "nova-2-phonecall";
    std::string language = "en-US";
    std::chrono::milliseconds connect_timeout{5000};  // resolve + TCP + TLS + upgrade
    std::chrono::milliseconds final_timeout{5000};    // end_utterance() → the from_finalize result
    std::chrono::milliseconds keepalive_interval{5000};  // without audio, a KeepAlive this often
};

// Throws std::invalid_argument when api_key is empty or base_url is not ws:// or wss://.
std::unique_ptr<SpeechToText> make_deepgram_stt(boost::asio::io_context& io, DeepgramConfig config);

}  // namespace va::speech
