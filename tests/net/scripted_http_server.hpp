#pragma once
// A local HTTP server that answers by script, for tests of HTTP clients that must not reach the
// network: it binds 127.0.0.1 on a free port and runs on a thread of its own; each request is
// recorded and answered by the next queued reply, which may stream its body piece by piece, wait
// for the test to release it, drop the connection mid-body or never answer at all.
#include <chrono>
#include <cstddef>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace va::test {

struct ScriptedReply {
    unsigned status = 200;
    std::vector<std::pair<std::string, std::string>> headers;  // {"Content-Type", "audio/basic"}
    // The body: each piece written on its own (one HTTP chunk each when chunked).
    std::vector<std::string> pieces;
    bool chunked = true;  // false: Content-Length of the whole body
    std::chrono::milliseconds first_piece_delay{0};  // after the headers
    std::chrono::milliseconds piece_delay{0};        // before each later piece
    std::optional<std::size_t> hold_after;   // after this many pieces, wait for release()
    std::optional<std::size_t> drop_after;   // after this many pieces, close (the body unfinished)
    std::optional<std::size_t> stall_after;  // after this many pieces, wait for the client to leave
    bool never_answer = false;               // read the request, then wait for the client to leave

    // A whole body with a Content-Length, at once.
    static ScriptedReply whole(unsigned status, std::string content_type, std::string body);
};

struct ScriptedRequest {
    std::string method;
    std::string target;  // path and query
    std::string path;
    std::string query;                           // after '?', "" when none
    std::map<std::string, std::string> headers;  // lower-case names
    std::string body;

    bool has_header(const std::string& name) const { return headers.contains(name); }
    std::string header(const std::string& name) const;
};

class ScriptedHttpServer {
public:
    ScriptedHttpServer();   // listening on return
    ~ScriptedHttpServer();  // stops its thread; open connections are dropped
    ScriptedHttpServer(const ScriptedHttpServer&) = delete;
    ScriptedHttpServer& operator=(const ScriptedHttpServer&) = delete;

    unsigned short port() const;
    std::string base_url() const;  // "http://127.0.0.1:<port>"

    // Replies for the next requests, in order (any thread). With none queued: 500.
    void enqueue(ScriptedReply reply);
    // Asked first for every request (on the server's thread): a reply that replaces the queued one
    // (a wrong route's 404, a wrong key's 401), or nullopt to take the queue's.
    void set_gate(std::function<std::optional<ScriptedReply>(const ScriptedRequest&)> gate);
    // Lets every reply waiting at hold_after (now or later) go on.
    void release();

    std::vector<ScriptedRequest> requests() const;
    std::size_t disconnects() const;  // connections ended so far (by either side)
    bool wait_for_requests(std::size_t n, std::chrono::milliseconds timeout = std::chrono::seconds(10)) const;
    bool wait_for_disconnects(std::size_t n, std::chrono::milliseconds timeout = std::chrono::seconds(10)) const;

    struct State;

private:
    std::unique_ptr<State> state_;
};

}  // namespace va::test
