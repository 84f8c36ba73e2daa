#pragma once
// Plain request/response values handed to handlers, so that modules above net/ never see Beast.
#include <cstddef>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <boost/asio/awaitable.hpp>

namespace va::net {

class WebSocket;

using Fields = std::vector<std::pair<std::string, std::string>>;

struct Request {
    std::string method;   // "GET", "POST", ...
    std::string target;   // as received: path and query
    std::string path;     // percent-decoded path
    Fields query;         // decoded query parameters, in order
    Fields headers;       // names as received
    std::string body;
    std::string remote_address;
    bool from_loopback = false;
    std::string request_id;
    Fields path_params;   // filled by the router from "{name}" segments
    bool websocket_upgrade = false;  // a GET asking to become a WebSocket
    unsigned scopes = 0;  // what the caller may do: set by api/'s authentication for its handlers
    std::string caller;   // who is calling (which token), set likewise: whose Idempotency-Key it is

    // Case-insensitive header lookup; the first match.
    std::optional<std::string_view> header(std::string_view name) const;
    std::optional<std::string_view> query_param(std::string_view name) const;
    std::string_view path_param(std::string_view name) const;
};

// Where a streamed response's producer writes (Server-Sent Events): each write goes out at once as
// one HTTP chunk.
class ResponseStream {
public:
    virtual ~ResponseStream() = default;
    // Sends `data` now; false once it cannot be sent (the client has gone): stop producing then.
    virtual boost::asio::awaitable<bool> write(std::string data) = 0;
    // False once the server drains: end the stream soon (the connection closes after it).
    virtual bool open() const = 0;
};

struct Response {
    unsigned status = 200;
    std::string content_type = "application/json";
    std::string body;
    Fields headers;
    std::string route;  // the matched route pattern, for metrics and logs ("" when none matched)
    // Set on the answer to a WebSocket upgrade to accept it: the server completes the handshake
    // and runs this on the connection's thread (the rest of the response is then ignored). The
    // connection keeps its place under the server's connection caps until this returns.
    std::function<boost::asio::awaitable<void>(std::unique_ptr<WebSocket>)> accept_websocket;
    // Set to stream the body: the server sends the status and headers (chunked), then runs this on
    // the connection's thread until it returns, and closes the connection. `body` is ignored.
    std::function<boost::asio::awaitable<void>(ResponseStream&)> stream;
    // Close the connection without answering (fault injection: "the request was acted on, the
    // client never heard back").
    bool drop_connection = false;
};

using Handler = std::function<boost::asio::awaitable<Response>(Request)>;

// What a route asks of a request's head, which the server checks before it reads the body, so
// that a request the route would refuse costs no more than its head.
struct HeadRule {
    std::optional<std::size_t> body_limit;  // nullopt: the server's
    // An answer that refuses the request unread (the connection then closes), or nullopt.
    std::function<std::optional<Response>(const Request& head)> refuse;
};

// The server's question to its routes once a head is read: the body's limit, or a refusal.
struct HeadVerdict {
    std::size_t body_limit = 0;
    std::optional<Response> refusal;  // Response::route set, for the metrics
};
using HeadCheck = std::function<HeadVerdict(const Request& head, std::size_t default_body_limit)>;

// Sets target, path and query from an origin-form request target ("/a/b?x=1"); false when the
// target is not a valid URL path.
bool set_target(Request& request, std::string_view target);

// The JSON error shape of every error answer: {"error":{"code":..,"message":..,"field":..}}
// ("field" only when given).
Response error_response(unsigned status, std::string_view code, std::string_view message,
                        std::string_view field = {});

bool equals_ignore_case(std::string_view a, std::string_view b);

// True when Content-Type names `media_type` (case-insensitive, parameters such as charset ignored).
bool has_media_type(const Request& request, std::string_view media_type);

}  // namespace va::net
