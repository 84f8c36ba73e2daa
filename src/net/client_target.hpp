#pragma once
// Internal to net/: what the HTTP and WebSocket clients need to reach a URL.
#include <optional>
#include <string>
#include <string_view>

namespace boost::asio::ssl {
class context;
}

namespace va::net {

struct ClientTarget {
    bool tls = false;
    std::string host;         // for DNS, SNI and certificate checks (no brackets)
    std::string port;         // explicit or the scheme's default
    std::string host_header;  // "host" or "host:port" as the URL wrote it
    std::string target;       // path and query, at least "/"
};

// plain_scheme/tls_scheme: "http"/"https" or "ws"/"wss". nullopt for any other URL.
std::optional<ClientTarget> parse_client_target(std::string_view url, std::string_view plain_scheme,
                                                std::string_view tls_scheme);

// One TLS client context for the process: system CA store, peer verification on.
boost::asio::ssl::context& client_tls_context();

}  // namespace va::net
