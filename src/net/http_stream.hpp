#pragma once
// One outgoing HTTP(S) request whose response body is handed over as it arrives: for streamed
// answers (Server-Sent Events from a chat model, audio from a speech service) that must be used
// before they are complete and may be stopped half-way. One connection per request, no retries.
//
// It is a coroutine on the caller's executor: the I/O, the deadlines and the body pieces all
// happen there. Cancelling the caller closes the connection at once.
#include <chrono>
#include <functional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <boost/asio/awaitable.hpp>
#include <boost/system/error_code.hpp>
#include <boost/system/result.hpp>

namespace va::net {

// Where a request stopped. Which I/O error it was is the failure's `cause`.
enum class HttpStreamErrc {
    bad_url = 1,         // not an http:// or https:// URL: nothing was sent
    bad_method,          // not an HTTP method: nothing was sent
    resolve,             // the host name did not resolve
    connect,             // no TCP connection
    tls,                 // no TLS session (the handshake or the certificate failed)
    send,                // the request could not be written
    receive,             // the answer broke off or could not be parsed
    first_byte_timeout,  // HttpStreamRequest::first_byte_timeout passed
    total_timeout,       // HttpStreamRequest::total_timeout passed
};

const boost::system::error_category& http_stream_category();
inline boost::system::error_code make_error_code(HttpStreamErrc e) { return {static_cast<int>(e), http_stream_category()}; }

struct HttpStreamFailure {
    HttpStreamErrc what{};
    boost::system::error_code cause;  // the I/O error behind it, when there was one
    // "connect: Connection refused", "first byte timeout", ...
    std::string message() const;
    // True when nothing reached the server (it cannot have acted on the request).
    bool before_sending() const;
};

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
    // How much of a non-2xx answer's body is kept for HttpAnswer::error_body.
    std::size_t error_body_limit = 64 * 1024;
};

struct HttpAnswer {
    unsigned status = 0;
    std::vector<std::pair<std::string, std::string>> headers;  // names lower-case, in arrival order
    std::string error_body;  // a non-2xx answer's body, at most error_body_limit bytes
    // The first value of a header (name in lower case), "" when absent.
    std::string header(std::string_view name) const;
    bool ok() const { return status >= 200 && status <= 299; }
};

// Each piece of a 2xx body, in order, as it arrives; the view is valid during the call only.
// Returns false when it needs no more: the connection is closed and the answer is complete as it
// is. Throwing stops the request too, and the exception comes out of fetch_streamed.
using BodySink = std::function<bool(std::string_view piece)>;

// Sends `request` and reads the answer: a 2xx body goes to `on_body` piece by piece, a non-2xx
// answer's body to HttpAnswer::error_body. Completes with the answer (whatever its status) or with
// where it failed. Cancelling the caller closes the connection and throws operation_aborted;
// `on_body` is not called after that.
boost::asio::awaitable<boost::system::result<HttpAnswer, HttpStreamFailure>> fetch_streamed(HttpStreamRequest request,
                                                                                          BodySink on_body);

}  // namespace va::net

template <>
struct boost::system::is_error_code_enum<va::net::HttpStreamErrc> : std::true_type {};

namespace va::net {
// For result<T, HttpStreamFailure>::value() on a failure.
[[noreturn]] void throw_exception_from_error(const HttpStreamFailure& failure, const boost::source_location& location);
}  // namespace va::net
