#pragma once
// A local stand-in for OpenAI's Chat Completions API (POST /v1/chat/completions), for tests that
// must not reach the network. It binds 127.0.0.1 on a free port and runs on a thread of its own;
// each request is recorded (headers and parsed JSON) and answered by a script: OpenAI's streaming
// wire format (chunked text/event-stream, one `data: {"object":"chat.completion.chunk",...}`
// event per delta, then `data: [DONE]`), or an error, a delay, a dropped connection, silence.
#include <chrono>
#include <cstddef>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <boost/json/value.hpp>

namespace va::test {

struct StandinToolCall {
    std::string id;                               // "call_1"
    std::string name;                             // "end_call"
    std::vector<std::string> argument_fragments;  // sent one chunk each: {"{\"a", "\":1}"}
};

// How one request is answered. A streamed answer is this list of events, in order:
//   0: the role chunk ({"role":"assistant","content":""}),
//   then one per `text` piece, then per tool call one with its id and name and one per argument
//   fragment, then the finish chunk (finish_reason "stop" or "tool_calls"), then [DONE].
// drop_after / stall_after count events of that list.
struct StandinReply {
    std::vector<std::string> text;
    std::vector<StandinToolCall> tool_calls;
    std::chrono::milliseconds first_chunk_delay{0};  // after the headers, before event 0
    std::chrono::milliseconds chunk_delay{0};        // before each later event
    std::size_t max_write_bytes = 0;  // > 0: every event goes out in HTTP chunks of at most this size
    unsigned status = 200;            // otherwise: `error_body` as application/json, no stream
    std::string error_body;
    std::optional<std::size_t> drop_after;   // close the connection after this many events
    std::optional<std::size_t> stall_after;  // after this many events, wait for the client to leave
    bool never_answer = false;               // read the request, send nothing, wait for the client to leave
    std::vector<std::string> raw_events;     // not empty: these bytes, one chunk each, instead of the list

    // `text` cut into words, each keeping the space after it.
    static StandinReply words(std::string_view text);
    // An OpenAI error answer: {"error":{"message":..,"type":..,"code":..}}.
    static StandinReply error(unsigned status, std::string_view message, std::string_view type = "invalid_request_error");
};

struct RecordedRequest {
    std::string method;
    std::string target;
    std::map<std::string, std::string> headers;  // lower-case names
    std::string body;
    boost::json::value json;  // the body parsed (null when it is not JSON)

    bool has_header(const std::string& name) const { return headers.contains(name); }
};

class OpenAiStandin {
public:
    OpenAiStandin();   // listening on return
    ~OpenAiStandin();  // stops its thread; open connections are dropped
    OpenAiStandin(const OpenAiStandin&) = delete;
    OpenAiStandin& operator=(const OpenAiStandin&) = delete;

    unsigned short port() const;
    std::string base_url() const;  // "http://127.0.0.1:<port>/v1"

    // Replies for the next requests, in order (any thread).
    void enqueue(StandinReply reply);
    // Asked (on the stand-in's thread) for a request when nothing is queued, e.g. to answer by the
    // conversation so far. Without one, such a request gets a 500 error.
    void set_responder(std::function<StandinReply(const RecordedRequest&)> responder);

    std::vector<RecordedRequest> requests() const;
    // How many connections have ended (closed by either side) so far.
    std::size_t disconnects() const;
    // Block until at least n requests were recorded / n connections ended; false on timeout.
    bool wait_for_requests(std::size_t n, std::chrono::milliseconds timeout = std::chrono::seconds(10)) const;
    bool wait_for_disconnects(std::size_t n, std::chrono::milliseconds timeout = std::chrono::seconds(10)) const;

    struct State;

private:
    std::unique_ptr<State> state_;
};

}  // namespace va::test
