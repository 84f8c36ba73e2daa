// The server behind a trusted reverse proxy, over real loopback sockets: the proxy is exempt from
// the per-address connection cap, handlers see the client it forwards for, and that client's
// requests in flight are what the cap counts.
#include <memory>
#include <string>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <gtest/gtest.h>

#include "net/server_fixture.hpp"
#include "net/websocket.hpp"
#include "support/http_client.hpp"

namespace va::net {
namespace {

namespace asio = boost::asio;
using test::HttpClient;
using test::ServerFixture;

// Answers with the client address the server gave the handler; a WebSocket upgrade is held open
// until the client closes it.
asio::awaitable<Response> who(Request request) {
    Response response;
    response.body = request.remote_address;
    response.route = "/who";
    if (request.websocket_upgrade) {
        response.accept_websocket = [](std::unique_ptr<WebSocket> socket) -> asio::awaitable<void> {
            while (co_await socket->read()) {
            }
        };
    }
    co_return response;
}

ServerOptions behind_loopback_proxy(std::size_t per_ip_cap) {
    ServerOptions options;
    options.max_connections_per_ip = per_ip_cap;
    std::string error;
    options.trusted_proxies = *TrustedProxies::parse("127.0.0.1", error);
    return options;
}

const std::map<std::string, std::string> kFromClientA{{"X-Forwarded-For", "203.0.113.7"}};

TEST_F(ServerFixture, HandlersSeeTheClientATrustedProxyForwardsFor) {
    start(who, behind_loopback_proxy(256));
    HttpClient proxy(port_);
    EXPECT_EQ(proxy.request("GET", "/", "", kFromClientA).body, "203.0.113.7");
    EXPECT_EQ(proxy.request("GET", "/", "", {{"X-Forwarded-For", "198.51.100.2, 203.0.113.8"}}).body, "203.0.113.8");
    EXPECT_EQ(proxy.request("GET", "/").body, "127.0.0.1") << "the proxy's own request";
}

TEST_F(ServerFixture, IgnoresForwardedHeadersFromAnUntrustedPeer) {
    ServerOptions options;
    std::string error;
    options.trusted_proxies = *TrustedProxies::parse("10.0.0.0/8", error);
    start(who, options);
    HttpClient client(port_);
    EXPECT_EQ(client.request("GET", "/", "", kFromClientA).body, "127.0.0.1");
}

TEST_F(ServerFixture, ATrustedProxyIsExemptFromThePerAddressConnectionCap) {
    start(who, behind_loopback_proxy(2));
    std::vector<std::unique_ptr<HttpClient>> connections;
    for (int i = 0; i < 5; ++i) {
        connections.push_back(std::make_unique<HttpClient>(port_));
        ASSERT_EQ(connections.back()->request("GET", "/", "", {{"X-Forwarded-For", "203.0.113." + std::to_string(i)}}).status,
                  200u)
            << "connection " << i;
    }
    EXPECT_EQ(server_->connection_count(), 5u);
}

TEST_F(ServerFixture, CountsAForwardedClientsRequestsInFlightUnderThePerAddressCap) {
    start(who, behind_loopback_proxy(1));
    unsigned status_during_session = 0;
    std::string retry_after;
    unsigned other_client_status = 0;
    bool connected = false;
    asio::io_context client_io;
    asio::co_spawn(
        client_io,
        [&]() -> asio::awaitable<void> {
            // Client A's stream holds A's one place for as long as it is open.
            Fields forwarded{{"X-Forwarded-For", "203.0.113.7"}};  // named: GCC 12 mishandles braced temporaries in co_await
            auto url = "ws://127.0.0.1:" + std::to_string(port_) + "/ws";
            auto ws = co_await connect_websocket(client_io.get_executor(), url, forwarded);
            if (!ws.socket) co_return;
            connected = true;
            HttpClient again(port_);  // blocking: the server runs on its own thread
            auto reply = again.request("GET", "/", "", kFromClientA);
            status_during_session = reply.status;
            retry_after = reply.headers["retry-after"];
            HttpClient other(port_);
            other_client_status = other.request("GET", "/", "", {{"X-Forwarded-For", "203.0.113.8"}}).status;
            co_await ws.socket->close();
        },
        asio::detached);
    client_io.run();
    ASSERT_TRUE(connected);
    EXPECT_EQ(status_during_session, 429u) << "client A's second request while its stream is open";
    EXPECT_EQ(retry_after, "1");
    EXPECT_EQ(other_client_status, 200u) << "client B has places of its own";
    // A's place is given back with its stream (eventually: the server ends the session on its thread).
    unsigned after = 0;
    for (int i = 0; i < 200 && after != 200u; ++i) {
        HttpClient client(port_);
        after = client.request("GET", "/", "", kFromClientA).status;
    }
    EXPECT_EQ(after, 200u);
    const auto text = metrics_.render();
    EXPECT_NE(text.find(R"(http_connections_refused_total{reason="max_connections_per_ip"} 1)"), std::string::npos)
        << text;
}

}  // namespace
}  // namespace va::net
