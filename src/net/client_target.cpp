#include "net/client_target.hpp"

#include <boost/asio/ssl/context.hpp>
#include <boost/url/parse.hpp>

namespace va::net {

std::optional<ClientTarget> parse_client_target(std::string_view url, std::string_view plain_scheme,
                                                std::string_view tls_scheme) {
    auto parsed = boost::urls::parse_uri(url);
    if (!parsed || !parsed->has_authority() || parsed->host().empty()) return std::nullopt;
    ClientTarget out;
    auto scheme = parsed->scheme();
    if (scheme == tls_scheme) {
        out.tls = true;
    } else if (scheme != plain_scheme) {
        return std::nullopt;
    }
    out.host = parsed->host_address();
    out.port = parsed->has_port() ? std::string(parsed->port()) : (out.tls ? "443" : "80");
    out.host_header = std::string(parsed->encoded_host_and_port());
    out.target = parsed->encoded_path().empty() ? "/" : std::string(parsed->encoded_path());
    if (parsed->has_query()) out.target += "?" + std::string(parsed->encoded_query());
    return out;
}

boost::asio::ssl::context& client_tls_context() {
    static boost::asio::ssl::context* context = [] {
        auto* c = new boost::asio::ssl::context(boost::asio::ssl::context::tls_client);
        c->set_default_verify_paths();
        c->set_verify_mode(boost::asio::ssl::verify_peer);
        return c;
    }();
    return *context;
}

}  // namespace va::net
