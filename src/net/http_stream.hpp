#pragma once
// One outgoing HTTP(S) request whose response body is handed over as it arrives: for streamed
// answers (Server-Sent Events from a chat model, audio from a speech service) that must be used
// before they are complete and may be stopped half-way. One connection per request, no retries.
//
// Everything runs on the executor given to start_http_stream() (pass a strand): the I/O, the
// deadlines and every callback. cancel() may be called from any thread, also from a callback.
#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <boost/asio/any_io_executor.hpp>

namespace va::net {

struct HttpStreamRequest {
    std::string method = "POST";
    std::string url;  // http:// or https://
    // Sent as given (Host and User-Agent are set unless given here; Content-Length from the body).
    std::vector<std::pair<std::string, std::string>> headers;
    std::string body;
    // From the start (connecting included) until the first byte of the response body, or the end of
    // a response without one. 0 = no such deadline.
    std::chrono::milliseconds first_byte_timeout{0};
    // From the start until the response is complete. 0 = no such deadline.
    std::chrono::milliseconds total_timeout{0};
    // What on_done reports when a deadline passes ("" = "timeout: no data within N ms" /
    // "timeout: not complete within N ms").
    std::string first_byte_timeout_error;
    std::string total_timeout_error;
    // How much of a non-2xx answer's body is kept for HttpStreamEnd::error_body.
    std::size_t error_body_limit = 64 * 1024;
};

struct HttpResponseHead {
    unsigned status = 0;
    std::vector<std::pair<std::string, std::string>> headers;  // names lower-case, in arrival order
    // The first value of a header (name in lower case), "" when absent.
    std::string header(std::string_view name) const;
    bool ok() const { return status >= 200 && status <= 299; }
};

struct HttpStreamEnd {
    // "" when a response was read: a 2xx body in full, or a non-2xx answer (see `status` and
    // `error_body`). Otherwise what failed: "resolve: ...", "connect: ...", "tls: ...", "send: ...",
    // "receive: ...", a timeout's text, "canceled", or what a callback threw.
    std::string error;
    unsigned status = 0;     // 0 when no response head arrived
    std::string error_body;  // a non-2xx answer's body, at most error_body_limit bytes
};

struct HttpStreamCallbacks {
    // Once, when the status line and headers have arrived.
    std::function<void(const HttpResponseHead& head)> on_response;
    // Each piece of a 2xx body, in order, as it arrives (a non-2xx body goes to HttpStreamEnd).
    // The view is valid during the call only.
    std::function<void(std::string_view piece)> on_body;
    // Exactly once, last. Nothing is called after it, and the callbacks are released.
    std::function<void(HttpStreamEnd end)> on_done;
};

class HttpStream {
public:
    virtual ~HttpStream() = default;
    // Any thread. Closes the connection; on_done follows with "canceled" (unless it came already,
    // or a deadline or failure was recorded first). No on_body after cancel() returns, when called
    // on the stream's executor (from a callback); from other threads, promptly.
    virtual void cancel() = 0;
};

// Starts the request at once (returns before any I/O). Callbacks run on `executor`, which must
// outlive the request (run the io_context until on_done). A URL that is not http(s) ends in
// on_done("bad URL ...") without I/O.
std::shared_ptr<HttpStream> start_http_stream(boost::asio::any_io_executor executor, HttpStreamRequest request,
                                              HttpStreamCallbacks callbacks);

}  // namespace va::net
