#pragma once
// Deepgram live transcription (wss://api.deepgram.com/v1/listen) as a SpeechToText provider.
//
// One WebSocket per session, opened by open() without waiting (audio sent before it is up is
// queued: at most 30 s, the rest is dropped). Audio goes out as binary frames of raw 8 kHz μ-law
// (the PCM handed in is re-encoded: decode→encode is the identity on μ-law codes) and only inside
// utterances; between them a {"type":"KeepAlive"} goes out every `keepalive_interval` without
// audio (Deepgram closes a socket idle for ~10 s). end_utterance() sends {"type":"Finalize"};
// on_final is the is_final transcripts of that utterance joined by spaces, once the result with
// "from_finalize": true arrives. cancel_utterance() finalizes too and discards the results.
// Results are attributed to the oldest utterance still waiting for its finalize, so utterances
// resolve strictly in order, exactly one on_final per end_utterance() (pocketsphinx's contract:
// end_utterance() outside an utterance gets on_final(""), begin_utterance() inside one drops it).
//
// Failures: no from_finalize within `final_timeout` of end_utterance() → on_final(the is_final
// text gathered, no error) when some was gathered, else on_final("", "deepgram: no final result
// within N ms"). A refused upgrade (401 for a bad key: "deepgram: upgrade refused (HTTP 401)"),
// a connect failure or timeout, an error message or the socket closing → every utterance waiting
// and every later end_utterance() of that session gets on_final("", "deepgram: ..."); a session
// does not reconnect. The API key is never in an error or a log line.
//
// Threads: session calls return at once, from any thread (they post to the session's strand).
// Callbacks run on the io_context's threads, one at a time per session (its strand); never after
// cancel_utterance() for that utterance nor after the session is destroyed (the destructor waits
// for a callback under way on another thread, and may be called from one). Destroying a session
// sends {"type":"CloseStream"} and closes the socket in the background. Destroy sessions before
// the io_context; the io_context must be running for anything to happen.
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
