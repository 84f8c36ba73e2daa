#pragma once
// Internal to net/: the server side of a WebSocket upgrade (the connection hands its stream over).
#include <memory>

#include <boost/asio/awaitable.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core/basic_stream.hpp>
#include <boost/beast/http/message.hpp>
#include <boost/beast/http/string_body.hpp>

#include "net/websocket.hpp"

namespace va::net {

// A server connection's stream: on its context's executor type itself, not `any_io_executor`, so
// that Beast's reads and writes and their timers dispatch without type erasure (every media frame
// passes through them).
using ServerStream = boost::beast::basic_stream<boost::asio::ip::tcp, boost::asio::io_context::executor_type>;

// Completes the handshake; null when it failed.
boost::asio::awaitable<std::unique_ptr<WebSocket>> accept_websocket(
    ServerStream stream, boost::beast::http::request<boost::beast::http::string_body> upgrade,
    WebSocketOptions options);

}  // namespace va::net
