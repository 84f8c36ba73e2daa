#pragma once
// A WebSocket connection, server or client side, plain or TLS, behind one small interface so that
// modules above net/ never see Beast. Reads and writes may run concurrently (one reader, one
// writer); two writes at once are not allowed (the session's single writer guarantees that).
#include <chrono>
#include <cstddef>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>

#include "net/http.hpp"

namespace va::net {

struct WebSocketMessage {
    bool text = true;
    std::string data;
};

// (The defaults of the virtual coroutines are defined in websocket.cpp: inline in the class,
// GCC 12 at -O1 called the wrong one through another translation unit's vtable.)
class WebSocket {
public:
    virtual ~WebSocket() = default;
    // The next message; nullopt once the connection is closed (by either side or by an error;
    // close_reason() then says why).
    virtual boost::asio::awaitable<std::optional<WebSocketMessage>> read() = 0;
    // The same into `message`, whose buffer is reused: a reader that keeps one message allocates
    // nothing per message once it has grown (Beast's sockets; this default moves read()'s). False
    // once the connection is closed.
    virtual boost::asio::awaitable<bool> read_into(WebSocketMessage& message);
    // False when the connection is gone.
    virtual boost::asio::awaitable<bool> write_text(std::string text) = 0;
    // Several text messages in order; a socket that can (the server side of Beast's) sends them
    // with one write, where each would be a send of its own. False when the connection is gone.
    virtual boost::asio::awaitable<bool> write_texts(std::span<std::string> texts);
    // A binary frame (e.g. raw audio to a speech service); false when the connection is gone.
    // Both Beast streams carry binary frames; sockets that only speak text (test fakes) keep this
    // default, which sends nothing and returns false.
    virtual boost::asio::awaitable<bool> write_binary(std::string data);
    // Sends a close frame (normal closure) and waits for the peer's, within a short timeout.
    virtual boost::asio::awaitable<void> close(std::string reason = {}) = 0;
    // Ends the connection at once, from any thread (pending read and write complete with an error).
    virtual void abort() = 0;
    virtual std::string close_reason() const = 0;
    virtual boost::asio::any_io_executor get_executor() = 0;
};

struct WebSocketOptions {
    std::size_t max_message_size = 64 * 1024;
    std::chrono::milliseconds handshake_timeout{10'000};
    // A connection with no traffic for this long is pinged and closed if the ping is unanswered
    // (0: never). Beast re-arms this timer on every read: a protocol whose sessions watch for
    // silence themselves (Media Streams) turns it off.
    std::chrono::milliseconds idle_timeout{30'000};
};

struct WebSocketConnectResult {
    std::unique_ptr<WebSocket> socket;  // null on failure
    unsigned status = 0;                // the HTTP status of a refused upgrade, else 0
    std::string error;                  // what failed, for logs
};

// Opens a client connection to a ws:// or wss:// URL, sending extra_headers with the upgrade
// (wss verifies the server's certificate and host name against the system's CA store). The
// executor must be a strand or an io_context run by one thread: every call on the socket is made from it.
boost::asio::awaitable<WebSocketConnectResult> connect_websocket(boost::asio::any_io_executor executor,
                                                                 std::string url, Fields extra_headers,
                                                                 WebSocketOptions options = {});

}  // namespace va::net
