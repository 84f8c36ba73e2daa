#include "app/listen_address.hpp"

#include <charconv>

namespace va::app {

std::optional<boost::asio::ip::tcp::endpoint> parse_listen_address(std::string_view text, std::string& error) {
    auto colon = text.rfind(':');
    if (colon == std::string_view::npos) {
        error = "expected HOST:PORT, e.g. 127.0.0.1:8080";
        return std::nullopt;
    }
    auto host = text.substr(0, colon);
    auto port_text = text.substr(colon + 1);
    if (host.size() >= 2 && host.front() == '[' && host.back() == ']') host = host.substr(1, host.size() - 2);
    if (host == "localhost") host = "127.0.0.1";
    unsigned port = 0;
    auto [end, ec] = std::from_chars(port_text.data(), port_text.data() + port_text.size(), port);
    if (port_text.empty() || ec != std::errc{} || end != port_text.data() + port_text.size() || port > 65535) {
        error = "port must be a number from 0 to 65535";
        return std::nullopt;
    }
    boost::system::error_code address_error;
    auto address = boost::asio::ip::make_address(std::string(host), address_error);
    if (address_error) {
        error = "host must be an IP address or localhost";
        return std::nullopt;
    }
    return boost::asio::ip::tcp::endpoint(address, static_cast<unsigned short>(port));
}

}  // namespace va::app
