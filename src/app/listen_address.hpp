#pragma once
#include <optional>
#include <string>
#include <string_view>

#include <boost/asio/ip/tcp.hpp>

namespace va::app {

// "127.0.0.1:8080", "[::1]:0", "localhost:8080" -> endpoint; nullopt (with `error` set) otherwise.
std::optional<boost::asio::ip::tcp::endpoint> parse_listen_address(std::string_view text, std::string& error);

}  // namespace va::app
