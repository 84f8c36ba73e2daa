// The HTTP server against clients that mean harm, over real loopback sockets: made-up methods
// must not grow /metrics, connections over the caps are closed at once, a connection that says
// nothing is closed on the header deadline, and running out of descriptors pauses the accept loop
// instead of spinning it (and it serves again once descriptors free up).
#include <fcntl.h>
#include <poll.h>
#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/write.hpp>
#include <gtest/gtest.h>

#include "net/server_fixture.hpp"
#include "net/websocket.hpp"
#include "support/http_client.hpp"

namespace va::net {
namespace {

namespace asio = boost::asio;
using asio::ip::tcp;
using namespace std::chrono_literals;
using test::echo;
using test::HttpClient;
using test::ServerFixture;
using Clock = std::chrono::steady_clock;

// The value of one series in Prometheus text ("name{labels}"), 0 when absent.
double metric(const std::string& text, const std::string& series) {
    const auto at = text.find("\n" + series + " ");
    if (at == std::string::npos) return 0;
    return std::stod(text.substr(at + series.size() + 2));
}

// Polls `done` until it holds or `timeout` passes. The pause between polls only spares the CPU;
// what the caller waits for is the condition.
template <typename Done>
bool eventually(Done done, Clock::duration timeout = 10s) {
    const auto deadline = Clock::now() + timeout;
    while (!done()) {
        if (Clock::now() >= deadline) return false;
        std::this_thread::sleep_for(5ms);
    }
    return true;
}

struct Ending {
    bool closed = false;     // the server closed the connection (EOF or reset)
    std::size_t bytes = 0;   // what it sent before that
};

// Reads until the server closes the connection or `timeout` passes.
Ending read_until_closed(tcp::socket& socket, Clock::duration timeout) {
    Ending out;
    const auto deadline = Clock::now() + timeout;
    for (;;) {
        const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()).count();
        if (left <= 0) return out;
        pollfd ready{socket.native_handle(), POLLIN, 0};
        if (::poll(&ready, 1, static_cast<int>(left)) <= 0) return out;
        char buf[4096];
        boost::system::error_code ec;
        out.bytes += socket.read_some(asio::buffer(buf), ec);
        if (ec) {
            out.closed = ec == asio::error::eof || ec == asio::error::connection_reset;
            return out;
        }
    }
}

// Sends one request (Connection: close) and says how the connection ended: an admitted one is
// answered and closed, a refused one closed without a byte. The write may fail on a connection
// the server already closed; that is the point, so it is ignored.
Ending request_and_read(tcp::socket& socket) {
    boost::system::error_code ignored;
    asio::write(socket, asio::buffer(std::string("GET /x HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n")), ignored);
    return read_until_closed(socket, 5s);
}

tcp::endpoint server_endpoint(unsigned short port) { return {asio::ip::make_address("127.0.0.1"), port}; }

TEST_F(ServerFixture, CountsMadeUpMethodsUnderTheLabelOtherWithoutGrowingMetrics) {
    start(echo);
    HttpClient client(port_);
    ASSERT_EQ(client.request("GET", "/warm-up").status, 200u);  // the families exist from here on
    const auto before = metrics_.render().size();
    for (int i = 0; i < 1000; ++i) {
        char method[16];
        std::snprintf(method, sizeof method, "XM%04d", i);  // Beast accepts any token as a method
        ASSERT_EQ(client.raw(std::string(method) + " /x HTTP/1.1\r\nHost: h\r\n\r\n").status, 200u) << method;
    }
    const auto text = metrics_.render();
    EXPECT_LT(text.size(), before + 1024) << "grew by " << text.size() - before << " bytes";
    EXPECT_EQ(metric(text, R"(http_requests_total{method="other",route="/echo",status="200"})"), 1000) << text;
    EXPECT_EQ(metric(text, R"(http_requests_total{method="GET",route="/echo",status="200"})"), 1) << text;
}

TEST_F(ServerFixture, ClosesAConnectionOverTheGlobalCapAtOnceAndServesAgainOnceBelowIt) {
    ServerOptions options;
    options.max_connections = 3;
    options.max_connections_per_ip = 0;
    start(echo, options);
    std::vector<std::unique_ptr<HttpClient>> held;
    for (int i = 0; i < 3; ++i) {
        held.push_back(std::make_unique<HttpClient>(port_));
        ASSERT_EQ(held.back()->request("GET", "/").status, 200u);
    }
    EXPECT_EQ(server_->connection_count(), 3u);

    asio::io_context io;
    tcp::socket extra(io);
    extra.connect(server_endpoint(port_));
    const auto ending = request_and_read(extra);
    EXPECT_TRUE(ending.closed);
    EXPECT_EQ(ending.bytes, 0u) << "a connection over the cap was answered";
    EXPECT_EQ(metric(metrics_.render(), R"(http_connections_refused_total{reason="max_connections"})"), 1);
    EXPECT_EQ(held[0]->request("GET", "/").status, 200u);  // the admitted ones are untouched

    held.clear();
    ASSERT_TRUE(eventually([&] { return server_->connection_count() == 0; })) << server_->connection_count();
    HttpClient after(port_);
    EXPECT_EQ(after.request("GET", "/").status, 200u);
}

TEST_F(ServerFixture, ClosesAConnectionOverThePerAddressCapButServesOtherAddresses) {
    ServerOptions options;
    options.max_connections_per_ip = 2;
    start(echo, options);
    HttpClient first(port_), second(port_);
    ASSERT_EQ(first.request("GET", "/").status, 200u);
    ASSERT_EQ(second.request("GET", "/").status, 200u);

    asio::io_context io;
    tcp::socket third(io);
    third.connect(server_endpoint(port_));
    const auto refused = request_and_read(third);
    EXPECT_TRUE(refused.closed);
    EXPECT_EQ(refused.bytes, 0u) << "a third connection from 127.0.0.1 was answered";
    EXPECT_EQ(metric(metrics_.render(), R"(http_connections_refused_total{reason="max_connections_per_ip"})"), 1);

    // All of 127.0.0.0/8 is loopback on Linux: another client address, with places of its own.
    tcp::socket other(io);
    other.open(tcp::v4());
    boost::system::error_code ec;
    other.bind({asio::ip::make_address("127.0.0.2"), 0}, ec);
    if (ec) GTEST_SKIP() << "cannot bind 127.0.0.2: " << ec.message();
    other.connect(server_endpoint(port_));
    const auto served = request_and_read(other);
    EXPECT_TRUE(served.closed);
    EXPECT_GT(served.bytes, 0u) << "127.0.0.2 was refused for 127.0.0.1's connections";
}

TEST_F(ServerFixture, AWebSocketSessionHoldsItsPlaceUntilItEndsAndGivesItBackOnce) {
    ServerOptions options;
    options.max_connections = 1;
    start(
        [](Request request) -> asio::awaitable<Response> {
            Response response;
            if (request.websocket_upgrade) {
                response.accept_websocket = [](std::unique_ptr<WebSocket> socket) -> asio::awaitable<void> {
                    while (co_await socket->read()) {
                    }
                };
            }
            co_return response;
        },
        options);

    bool connected = false;
    std::size_t count_during_session = 0;
    Ending other_during_session;
    asio::io_context client_io;
    asio::co_spawn(
        client_io,
        [&]() -> asio::awaitable<void> {
            auto ws = co_await connect_websocket(client_io.get_executor(),
                                                 "ws://127.0.0.1:" + std::to_string(port_) + "/ws", {});
            if (!ws.socket) co_return;
            connected = true;
            count_during_session = server_->connection_count();
            asio::io_context io;  // blocking: the server runs on its own thread
            tcp::socket other(io);
            other.connect(server_endpoint(port_));
            other_during_session = request_and_read(other);
            co_await ws.socket->close();
        },
        asio::detached);
    client_io.run();
    ASSERT_TRUE(connected);
    EXPECT_EQ(count_during_session, 1u);
    EXPECT_TRUE(other_during_session.closed);
    EXPECT_EQ(other_during_session.bytes, 0u) << "the session's place was free while it ran";

    // Given back when the session ended, and only once (twice would wrap the count and refuse all).
    ASSERT_TRUE(eventually([&] { return server_->connection_count() == 0; })) << server_->connection_count();
    HttpClient after(port_);
    EXPECT_EQ(after.request("GET", "/").status, 200u);
    EXPECT_EQ(server_->connection_count(), 1u);
}

// Lowers this process's soft RLIMIT_NOFILE and restores it on the way out (tests may share a
// process when the binary is run by hand).
class LoweredDescriptorLimit {
public:
    explicit LoweredDescriptorLimit(rlim_t soft) {
        ok_ = ::getrlimit(RLIMIT_NOFILE, &saved_) == 0 && soft <= saved_.rlim_cur;
        rlimit lowered{soft, saved_.rlim_max};
        ok_ = ok_ && ::setrlimit(RLIMIT_NOFILE, &lowered) == 0;
    }
    ~LoweredDescriptorLimit() {
        if (ok_) ::setrlimit(RLIMIT_NOFILE, &saved_);
    }
    LoweredDescriptorLimit(const LoweredDescriptorLimit&) = delete;
    LoweredDescriptorLimit& operator=(const LoweredDescriptorLimit&) = delete;
    bool ok() const { return ok_; }

private:
    rlimit saved_{};
    bool ok_ = false;
};

int highest_open_descriptor() {
    int highest = 0;
    for (const auto& entry : std::filesystem::directory_iterator("/proc/self/fd")) {
        highest = std::max(highest, std::stoi(entry.path().filename().string()));
    }
    return highest;
}

TEST_F(ServerFixture, PausesAcceptsWhileOutOfDescriptorsAndServesAgainOnceTheyFreeUp) {
    ServerOptions options;
    options.header_timeout = 120s;  // the held connections stay open for the whole test
    start(echo, options);
    // UBSan's vptr check (debug preset), the first time it meets a type, probes memory with
    // pipe(2); with no descriptor free that fails and it reports a bogus "invalid vptr". So what
    // runs while the table is full (logging, error_code comparison and message) runs once first.
    ASSERT_EQ(HttpClient(port_).request("GET", "/warm-up").status, 200u);
    const boost::system::error_code emfile(EMFILE, boost::system::system_category());
    ASSERT_TRUE(emfile == boost::system::errc::too_many_files_open);
    ASSERT_FALSE(emfile.message().empty());

    LoweredDescriptorLimit limit(static_cast<rlim_t>(highest_open_descriptor() + 1 + 100));
    if (!limit.ok()) GTEST_SKIP() << "cannot lower RLIMIT_NOFILE";

    asio::io_context io;
    std::vector<tcp::socket> held;  // each also holds a descriptor in the server
    auto connect_one = [&] {
        tcp::socket socket(io);
        boost::system::error_code ec;
        socket.open(tcp::v4(), ec);
        if (!ec) socket.connect(server_endpoint(port_), ec);
        if (ec) return false;
        held.push_back(std::move(socket));
        return true;
    };
    std::vector<int> spare;  // freed one at a time below
    for (int i = 0; i < 4; ++i) {
        spare.push_back(::open("/dev/null", O_RDONLY | O_CLOEXEC));
        ASSERT_GE(spare.back(), 0);
    }
    while (connect_one()) {
    }
    auto failures = [&] { return metric(metrics_.render(), R"(http_accept_errors_total{reason="descriptors"})"); };
    // If the server took every connection before the table filled up, none is left for it to
    // fail on: free a descriptor for one more client connection, which the server cannot take.
    while (failures() == 0 && !spare.empty()) {
        ::close(spare.back());
        spare.pop_back();
        connect_one();
    }
    ASSERT_TRUE(eventually([&] { return failures() > 0; })) << "accept never ran out of descriptors";

    // Hold the table full for 1.5 s. A spinning accept loop fails hundreds of thousands of times
    // in that time; a pausing one (100 ms doubling to 500 ms) a handful.
    const double before = failures();
    const auto started = Clock::now();
    while (Clock::now() - started < 1500ms && failures() - before <= 100) std::this_thread::sleep_for(50ms);
    const double held_seconds = std::chrono::duration<double>(Clock::now() - started).count();
    const double wakeups = failures() - before;
    EXPECT_LE(wakeups, 10 * held_seconds + 1) << "in " << held_seconds << " s";
    EXPECT_GE(wakeups, 1) << "accepts must be retried while out of descriptors";

    for (int fd : spare) ::close(fd);
    held.clear();
    HttpClient after(port_);
    EXPECT_EQ(after.request("GET", "/healthz").status, 200u);
}

}  // namespace
}  // namespace va::net
