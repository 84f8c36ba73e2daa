// The server's connection timeouts on simulated time: the server and a client socket share one
// io_context that the test runs, and time moves only when nothing else can happen, so each
// deadline is checked to the millisecond without waiting for it.
#include <array>
#include <memory>
#include <string>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <gtest/gtest.h>

#include "core/metrics.hpp"
#include "core/time_format.hpp"
#include "net/server.hpp"
#include "net/server_fixture.hpp"
#include "support/simulated_run.hpp"
#include "timing/simulated_time.hpp"

namespace va::net {
namespace {

namespace asio = boost::asio;
using asio::ip::tcp;
using namespace std::chrono_literals;

// A client socket, what it has read, and whether the server has closed it.
struct Client {
    explicit Client(asio::io_context& io) : socket(io) {}
    tcp::socket socket;
    std::string bytes;
    bool closed = false;
};

asio::awaitable<void> read_until_closed(Client& client) {
    std::array<char, 4096> buffer{};
    for (;;) {
        auto [ec, n] = co_await client.socket.async_read_some(asio::buffer(buffer), asio::as_tuple(asio::use_awaitable));
        client.bytes.append(buffer.data(), n);
        if (ec) {
            client.closed = true;
            co_return;
        }
    }
}

class ServerTimeouts : public ::testing::Test {
protected:
    ~ServerTimeouts() override {
        if (server_) server_->shutdown();
        for (auto& client : clients_) client->socket.close();
        va::test::settle(io_);
    }

    void start(ServerOptions options, Handler handler = va::test::echo) {
        options.time = &time_;
        server_ = std::make_unique<HttpServer>(io_, std::move(handler), metrics_, options);
        port_ = server_->listen({asio::ip::make_address("127.0.0.1"), 0}).port();
    }
    // A client connected now, whose reads are recorded.
    Client& connect() {
        auto& client = *clients_.emplace_back(std::make_unique<Client>(io_));
        client.socket.connect({asio::ip::make_address("127.0.0.1"), port_});
        asio::co_spawn(io_, read_until_closed(client), asio::detached);
        va::test::settle(io_);  // accepted: the connection's deadline runs from here
        return client;
    }
    void send(Client& client, const std::string& bytes) {
        asio::write(client.socket, asio::buffer(bytes));
        va::test::settle(io_);
    }
    // Runs until the server closes the client's connection; how long that took, in simulated time.
    timing::Duration until_closed(const Client& client) {
        const auto from = time_.steady_now();
        EXPECT_TRUE(va::test::run_until(io_, time_, [&] { return client.closed; }, 10min)) << "never closed";
        return time_.steady_now() - from;
    }

    asio::io_context io_;
    timing::SimulatedTime time_{*core::parse_rfc3339("2026-12-06T12:00:00Z")};
    core::MetricsRegistry metrics_;
    std::unique_ptr<HttpServer> server_;
    std::vector<std::unique_ptr<Client>> clients_;
    unsigned short port_ = 0;
};

TEST_F(ServerTimeouts, ClosesAConnectionThatSendsNothingAfterTheHeaderTimeout) {
    ServerOptions options;
    options.header_timeout = 1s;  // idle_timeout stays 60 s: it is not what applies here
    start(options);
    auto& silent = connect();
    EXPECT_EQ(until_closed(silent), 1s);
    EXPECT_TRUE(silent.bytes.empty());
}

TEST_F(ServerTimeouts, ClosesAConnectionWhoseHeadersNeverEndAtTheHeaderTimeoutFromTheAccept) {
    ServerOptions options;
    options.header_timeout = 2s;
    start(options);
    auto& slow = connect();
    va::test::run_for(io_, time_, 500ms);
    send(slow, "GET / HTTP/1.1\r\nHost: h\r\n");  // and never the blank line
    EXPECT_EQ(until_closed(slow), 1500ms);
    EXPECT_TRUE(slow.bytes.empty());
}

TEST_F(ServerTimeouts, GivesAConnectionThatServedARequestTheIdleTimeoutNotTheHeaderTimeout) {
    ServerOptions options;
    options.header_timeout = 200ms;
    options.idle_timeout = 60s;
    start(options);
    auto& client = connect();
    send(client, "GET /x HTTP/1.1\r\nHost: h\r\n\r\n");
    ASSERT_NE(client.bytes.find("GET /x 0"), std::string::npos) << client.bytes;
    EXPECT_EQ(until_closed(client), 60s);
}

TEST_F(ServerTimeouts, AHandlerThatTakesLongerThanTheHeaderTimeoutIsNotCutOff) {
    ServerOptions options;
    options.header_timeout = 1s;
    options.write_timeout = 1s;
    start(options, [this](Request request) -> asio::awaitable<Response> {
        co_await timing::sleep_for(time_, 30s);  // a slow store, a slow upstream
        co_return co_await va::test::echo(std::move(request));
    });
    auto& client = connect();
    send(client, "GET /slow HTTP/1.1\r\nHost: h\r\n\r\n");
    ASSERT_TRUE(va::test::run_until(io_, time_, [&] { return !client.bytes.empty() || client.closed; }));
    EXPECT_NE(client.bytes.find("GET /slow 0"), std::string::npos) << client.bytes;
    EXPECT_FALSE(client.closed);
}

}  // namespace
}  // namespace va::net
