#include "net/http_client.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/host_name_verification.hpp>
#include <boost/asio/ssl/stream.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl/ssl_stream.hpp>

#include "net/client_target.hpp"

namespace va::net {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using asio::ip::tcp;

namespace {

constexpr auto use_tuple = asio::as_tuple(asio::use_awaitable);
constexpr std::size_t kResponseBodyLimit = 8 * 1024 * 1024;

template <typename Stream>
asio::awaitable<void> exchange(Stream& stream, const ClientTarget& target, ClientRequest& in, ClientResult& out) {
    http::request<http::string_body> request{http::string_to_verb(in.method), target.target, 11};
    request.set(http::field::host, target.host_header);
    request.set(http::field::user_agent, "voiceagent");
    for (const auto& [name, value] : in.headers) request.set(name, value);
    request.body() = std::move(in.body);
    request.prepare_payload();
    request.keep_alive(false);
    auto [write_ec, written] = co_await http::async_write(stream, request, use_tuple);
    if (write_ec) {
        out.error = "send: " + write_ec.message();
        out.timed_out = write_ec == beast::error::timeout;
        co_return;
    }
    out.request_sent = true;
    beast::flat_buffer buffer;
    http::response_parser<http::string_body> parser;
    parser.body_limit(kResponseBodyLimit);
    auto [read_ec, read] = co_await http::async_read(stream, buffer, parser, use_tuple);
    if (read_ec) {
        out.error = "receive: " + read_ec.message();
        out.timed_out = read_ec == beast::error::timeout;
        co_return;
    }
    auto response = parser.release();
    ClientResponse result;
    result.status = response.result_int();
    for (const auto& field : response) result.headers.emplace_back(field.name_string(), field.value());
    result.body = std::move(response.body());
    out.response = std::move(result);
}

}  // namespace

std::optional<std::string_view> ClientResponse::header(std::string_view name) const {
    for (const auto& [k, v] : headers) {
        if (equals_ignore_case(k, name)) return std::string_view(v);
    }
    return std::nullopt;
}

asio::awaitable<ClientResult> http_request(asio::any_io_executor executor, ClientRequest request) {
    ClientResult out;
    auto target = parse_client_target(request.url, "http", "https");
    if (!target) {
        out.error = "not an http:// or https:// URL";
        co_return out;
    }
    if (http::string_to_verb(request.method) == http::verb::unknown) {
        out.error = "unknown method";
        co_return out;
    }
    tcp::resolver resolver(executor);
    auto [resolve_ec, endpoints] = co_await resolver.async_resolve(target->host, target->port, use_tuple);
    if (resolve_ec) {
        out.error = "resolve: " + resolve_ec.message();
        co_return out;
    }
    beast::tcp_stream tcp_stream(executor);
    tcp_stream.expires_after(request.timeout);  // one deadline for the whole exchange
    auto [connect_ec, endpoint] = co_await tcp_stream.async_connect(endpoints, use_tuple);
    if (connect_ec) {
        out.error = "connect: " + connect_ec.message();
        out.timed_out = connect_ec == beast::error::timeout;
        co_return out;
    }
    if (!target->tls) {
        co_await exchange(tcp_stream, *target, request, out);
        boost::system::error_code ignored;
        tcp_stream.socket().shutdown(tcp::socket::shutdown_both, ignored);
        co_return out;
    }
    beast::ssl_stream<beast::tcp_stream> tls(std::move(tcp_stream), client_tls_context());
    if (!SSL_set_tlsext_host_name(tls.native_handle(), target->host.c_str())) {
        out.error = "tls: cannot set SNI";
        co_return out;
    }
    tls.set_verify_callback(asio::ssl::host_name_verification(target->host));
    auto [tls_ec] = co_await tls.async_handshake(asio::ssl::stream_base::client, use_tuple);
    if (tls_ec) {
        out.error = "tls: " + tls_ec.message();
        co_return out;
    }
    co_await exchange(tls, *target, request, out);
    co_return out;
}

}  // namespace va::net
