#pragma once
// Internal to net/: the request head a client sent (parsed by Beast) turned into a net::Request.
// Shared by the connection and the http_head fuzz target, so the fuzzer runs the server's code.
#include <optional>
#include <string_view>

#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/http/message.hpp>
#include <boost/beast/http/string_body.hpp>

#include "net/http.hpp"

namespace va::net {

// The method as a metrics and log label: one of GET, POST, PUT, PATCH, DELETE, HEAD, OPTIONS, or
// "other". Beast accepts any token as a method, so labelling by the raw method would let a client
// create as many series as it likes. Case-sensitive, as methods are (RFC 9110 §9.1).
std::string_view method_label(std::string_view method);

// True for an X-Request-Id we may echo and log: 1-64 characters of [A-Za-z0-9._-].
bool is_sane_request_id(std::string_view id);

// nullopt when the target is not a valid origin-form URL. Takes the body; the headers stay for
// a WebSocket handshake. A client's X-Request-Id is kept when sane, else a new id is made.
std::optional<Request> to_request(boost::beast::http::request<boost::beast::http::string_body>& in,
                                  const boost::asio::ip::tcp::endpoint& remote);

}  // namespace va::net
