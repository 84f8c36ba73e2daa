// Beast WebSocket streams (plain and TLS) behind net::WebSocket, and the client connect.
#include "net/websocket.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/ssl/host_name_verification.hpp>
#include <boost/asio/ssl/stream.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/ssl/ssl_stream.hpp>
#include <boost/beast/websocket.hpp>
#include <boost/beast/websocket/ssl.hpp>

#include "net/batched_stream.hpp"
#include "net/client_target.hpp"
#include "net/websocket_accept.hpp"

namespace va::net {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace websocket = beast::websocket;
using asio::ip::tcp;

namespace {

constexpr auto use_tuple = asio::as_tuple(asio::use_awaitable);

template <typename NextLayer>
class BeastWebSocket final : public WebSocket {
public:
    explicit BeastWebSocket(websocket::stream<NextLayer> ws) : ws_(std::move(ws)) {}

    asio::awaitable<std::optional<WebSocketMessage>> read() override {
        WebSocketMessage message;
        if (!co_await read_into(message)) co_return std::nullopt;
        co_return message;
    }

    asio::awaitable<bool> read_into(WebSocketMessage& message) override {
        message.data.clear();  // its capacity stays: a reader that keeps one message allocates nothing
        auto buffer = asio::dynamic_buffer(message.data);
        auto [ec, n] = co_await ws_.async_read(buffer, use_tuple);
        if (ec) {
            reason_ = ec == websocket::error::closed ? "closed by peer" : ec.message();
            if (ec == websocket::error::closed && !ws_.reason().reason.empty())
                reason_ += ": " + std::string(ws_.reason().reason.c_str());
            co_return false;
        }
        message.text = ws_.got_text();
        co_return true;
    }

    asio::awaitable<bool> write_text(std::string text) override {
        ws_.text(true);
        auto [ec, n] = co_await ws_.async_write(asio::buffer(text), use_tuple);
        co_return !ec;
    }

    asio::awaitable<bool> write_texts(std::span<std::string> texts) override {
        if constexpr (requires { ws_.next_layer().hold(); }) {
            if (texts.size() > 1) {
                ws_.next_layer().hold();
                ws_.text(true);
                bool written = true;
                for (auto& text : texts) {
                    auto [ec, n] = co_await ws_.async_write(asio::buffer(text), use_tuple);
                    if (ec) {
                        written = false;
                        break;
                    }
                }
                auto [flushed] = co_await ws_.next_layer().async_flush(use_tuple);
                co_return written && !flushed;
            }
        }
        co_return co_await WebSocket::write_texts(texts);
    }

    asio::awaitable<bool> write_binary(std::string data) override {
        ws_.binary(true);
        auto [ec, n] = co_await ws_.async_write(asio::buffer(data), use_tuple);
        co_return !ec;
    }

    asio::awaitable<void> close(std::string reason) override {
        if (!ws_.is_open()) co_return;
        websocket::close_reason why(websocket::close_code::normal);
        why.reason = reason.substr(0, 120);  // a close frame's reason must fit in 123 bytes
        co_await ws_.async_close(why, use_tuple);
    }

    void abort() override {
        asio::post(ws_.get_executor(), [this] {
            boost::system::error_code ignored;
            beast::get_lowest_layer(ws_).socket().close(ignored);
        });
    }

    std::string close_reason() const override { return reason_; }
    asio::any_io_executor get_executor() override { return ws_.get_executor(); }

private:
    websocket::stream<NextLayer> ws_;
    std::string reason_;
};

template <typename NextLayer>
void apply_options(websocket::stream<NextLayer>& ws, const WebSocketOptions& options) {
    beast::get_lowest_layer(ws).expires_never();  // the WebSocket's own timeouts take over
    websocket::stream_base::timeout timeout{options.handshake_timeout, options.idle_timeout, true};
    if (options.idle_timeout.count() == 0) timeout.idle_timeout = websocket::stream_base::none();
    ws.set_option(timeout);
    ws.read_message_max(options.max_message_size);
}

}  // namespace

asio::awaitable<bool> WebSocket::read_into(WebSocketMessage& message) {
    auto next = co_await read();
    if (!next) co_return false;
    message = std::move(*next);
    co_return true;
}

asio::awaitable<bool> WebSocket::write_texts(std::span<std::string> texts) {
    for (auto& text : texts) {
        if (!co_await write_text(std::move(text))) co_return false;
    }
    co_return true;
}

asio::awaitable<bool> WebSocket::write_binary(std::string data) {
    static_cast<void>(data);
    co_return false;
}

asio::awaitable<std::unique_ptr<WebSocket>> accept_websocket(ServerStream stream,
                                                            beast::http::request<beast::http::string_body> upgrade,
                                                            WebSocketOptions options) {
    // Batched: the session's writer sends a media chunk and its mark with one write.
    websocket::stream<BatchedStream<ServerStream>> ws(std::move(stream));
    apply_options(ws, options);
    auto [ec] = co_await ws.async_accept(upgrade, use_tuple);
    if (ec) co_return nullptr;
    co_return std::make_unique<BeastWebSocket<BatchedStream<ServerStream>>>(std::move(ws));
}

asio::awaitable<WebSocketConnectResult> connect_websocket(asio::any_io_executor executor, std::string url,
                                                          Fields extra_headers, WebSocketOptions options) {
    WebSocketConnectResult out;
    auto target = parse_client_target(url, "ws", "wss");
    if (!target) {
        out.error = "not a ws:// or wss:// URL";
        co_return out;
    }
    tcp::resolver resolver(executor);
    auto [resolve_ec, endpoints] = co_await resolver.async_resolve(target->host, target->port, use_tuple);
    if (resolve_ec) {
        out.error = "resolve: " + resolve_ec.message();
        co_return out;
    }
    beast::tcp_stream tcp_stream(executor);
    tcp_stream.expires_after(options.handshake_timeout);
    auto [connect_ec, endpoint] = co_await tcp_stream.async_connect(endpoints, use_tuple);
    if (connect_ec) {
        out.error = "connect: " + connect_ec.message();
        co_return out;
    }
    boost::system::error_code ignored;
    tcp_stream.socket().set_option(tcp::no_delay(true), ignored);  // media frames are small and urgent

    auto decorate = [extra_headers](websocket::request_type& request) {
        request.set(beast::http::field::user_agent, "voiceagent");
        for (const auto& [name, value] : extra_headers) request.set(name, value);
    };
    auto handshake = [&](auto& ws) -> asio::awaitable<bool> {
        apply_options(ws, options);
        ws.set_option(websocket::stream_base::decorator(decorate));
        websocket::response_type response;
        auto [ec] = co_await ws.async_handshake(response, target->host_header, target->target, use_tuple);
        if (ec) {
            out.status = response.result_int();
            out.error = "handshake: " + ec.message();
            co_return false;
        }
        co_return true;
    };

    if (!target->tls) {
        websocket::stream<beast::tcp_stream> ws(std::move(tcp_stream));
        if (co_await handshake(ws)) out.socket = std::make_unique<BeastWebSocket<beast::tcp_stream>>(std::move(ws));
        co_return out;
    }
    using TlsStream = beast::ssl_stream<beast::tcp_stream>;
    websocket::stream<TlsStream> ws(std::move(tcp_stream), client_tls_context());
    auto& tls = ws.next_layer();
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
    if (co_await handshake(ws)) out.socket = std::make_unique<BeastWebSocket<TlsStream>>(std::move(ws));
    co_return out;
}

}  // namespace va::net
