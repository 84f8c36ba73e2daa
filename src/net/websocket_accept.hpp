#pragma once
// Internal to net/: the server side of a WebSocket upgrade (the connection hands its stream over).
#include <memory>

#include <boost/asio/awaitable.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/message.hpp>
#include <boost/beast/http/string_body.hpp>

#include "net/websocket.hpp"

namespace va::net {

// Completes the handshake; null when it failed.
boost::asio::awaitable<std::unique_ptr<WebSocket>> accept_websocket(
    boost::beast::tcp_stream stream, boost::beast::http::request<boost::beast::http::string_body> upgrade,
    WebSocketOptions options);

}  // namespace va::net
