// The connection pool against a tiny loopback server that numbers its connections: every answer
// names the connection that carried it, so reuse, new connections and resends are visible.
#include "net/http_pool.hpp"

#include <atomic>
#include <condition_variable>
#include <mutex>
#include <set>
#include <thread>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/use_future.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http.hpp>
#include <gtest/gtest.h>

#include "net/spawn.hpp"
#include "timing/simulated_time.hpp"

namespace va::net {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using asio::ip::tcp;
using namespace std::chrono_literals;

constexpr auto use_tuple = asio::as_tuple(asio::use_awaitable);

struct ServerBehaviour {
    bool keep_alive = true;        // what the answers say
    bool close_when_idle = false;  // close each connection after answering, as a server's idle timeout does
    int drop_nth = -1;             // close without answering the n-th request (from 0) of each connection
    int gate = 0;                  // hold every answer until this many requests wait at once
};

// Runs on its own io_context thread; everything but the counters is used on that thread only.
class CountingServer {
public:
    explicit CountingServer(ServerBehaviour behaviour = {})
        : behaviour_(behaviour), acceptor_(io_, {asio::ip::make_address("127.0.0.1"), 0}), gate_(io_) {
        gate_.expires_at(asio::steady_timer::time_point::max());
        spawn_logged(io_.get_executor(), accept_loop(), "test server");
        thread_ = std::thread([this] { io_.run(); });
    }
    ~CountingServer() {
        io_.stop();
        thread_.join();
    }
    std::string url(const std::string& path = "/") const {
        return "http://127.0.0.1:" + std::to_string(acceptor_.local_endpoint().port()) + path;
    }
    int accepted() const { return accepted_.load(); }
    // Blocks until the server has closed `count` idle connections (close_when_idle).
    bool wait_closed(int count) {
        std::unique_lock lock(mutex_);
        return changed_.wait_for(lock, 5s, [&] { return closed_ >= count; });
    }

private:
    asio::awaitable<void> accept_loop() {
        for (;;) {
            auto [ec, socket] = co_await acceptor_.async_accept(use_tuple);
            if (ec) co_return;
            spawn_logged(io_.get_executor(), serve(std::move(socket), accepted_++), "test connection");
        }
    }

    asio::awaitable<void> serve(tcp::socket socket, int index) {
        beast::flat_buffer buffer;
        for (int n = 0;; ++n) {
            http::request<http::string_body> request;
            auto [read_ec, read] = co_await http::async_read(socket, buffer, request, use_tuple);
            if (read_ec || n == behaviour_.drop_nth) co_return;  // the socket closes with the frame
            if (behaviour_.gate > 0) {
                if (++waiting_ < behaviour_.gate) co_await gate_.async_wait(use_tuple);
                else gate_.cancel();
            }
            http::response<http::string_body> response{http::status::ok, 11};
            response.set(http::field::content_type, "text/plain");
            response.body() = std::to_string(index);
            response.keep_alive(behaviour_.keep_alive);
            response.prepare_payload();
            auto [write_ec, written] = co_await http::async_write(socket, response, use_tuple);
            if (write_ec || !behaviour_.keep_alive) co_return;
            if (behaviour_.close_when_idle) {
                boost::system::error_code ignored;
                socket.close(ignored);
                std::lock_guard lock(mutex_);
                ++closed_;
                changed_.notify_all();
                co_return;
            }
        }
    }

    const ServerBehaviour behaviour_;
    asio::io_context io_;
    tcp::acceptor acceptor_;
    asio::steady_timer gate_;
    int waiting_ = 0;
    std::atomic<int> accepted_{0};
    std::mutex mutex_;
    std::condition_variable changed_;
    int closed_ = 0;
    std::thread thread_;
};

// The client side: two threads, every request started on a strand of its own.
class PoolTest : public ::testing::Test {
protected:
    PoolTest() {
        for (int i = 0; i < 2; ++i) threads_.emplace_back([this] { io_.run(); });
    }
    ~PoolTest() override {
        guard_.reset();
        io_.stop();
        for (auto& t : threads_) t.join();
    }

    static ClientRequest make(const std::string& url, const std::string& method = "GET") {
        ClientRequest request;
        request.method = method;
        request.url = url;
        if (method == "POST") {
            request.body = "To=%2B15550001111";
            request.headers.emplace_back("Content-Type", "application/x-www-form-urlencoded");
        }
        request.timeout = 5s;
        return request;
    }
    std::future<ClientResult> start(HttpConnectionPool& pool, ClientRequest request) {
        return asio::co_spawn(asio::make_strand(io_), pool.request(std::move(request)), asio::use_future);
    }
    ClientResult run(HttpConnectionPool& pool, ClientRequest request) { return start(pool, std::move(request)).get(); }
    // The server connection that answered, or "" when nothing did.
    std::string via(HttpConnectionPool& pool, const std::string& url, const std::string& method = "GET") {
        auto result = run(pool, make(url, method));
        EXPECT_TRUE(result.response) << result.error;
        return result.response ? result.response->body : "";
    }

    asio::io_context io_;
    asio::executor_work_guard<asio::io_context::executor_type> guard_{io_.get_executor()};
    std::vector<std::thread> threads_;
};

TEST_F(PoolTest, SequentialRequestsShareOneConnection) {
    CountingServer server;
    HttpConnectionPool pool(io_);
    EXPECT_EQ(via(pool, server.url("/a")), "0");
    EXPECT_EQ(via(pool, server.url("/b"), "POST"), "0");
    EXPECT_EQ(via(pool, server.url("/c")), "0");
    EXPECT_EQ(server.accepted(), 1);
    EXPECT_EQ(pool.idle_connections(), 1u);
    pool.close_idle();
    EXPECT_EQ(pool.idle_connections(), 0u);
    EXPECT_EQ(via(pool, server.url("/d")), "1");
}

TEST_F(PoolTest, AConnectionTheServerWillCloseIsNotKept) {
    CountingServer server({.keep_alive = false});
    HttpConnectionPool pool(io_);
    EXPECT_EQ(via(pool, server.url()), "0");
    EXPECT_EQ(via(pool, server.url()), "1");
    EXPECT_EQ(pool.idle_connections(), 0u);
}

TEST_F(PoolTest, ConcurrentRequestsEachGetTheirOwnConnection) {
    // The server answers only once all four wait at once: four requests sharing fewer connections
    // would time out here.
    CountingServer server({.gate = 4});
    HttpConnectionPool pool(io_);
    std::vector<std::future<ClientResult>> results;
    for (int i = 0; i < 4; ++i) results.push_back(start(pool, make(server.url(), i % 2 ? "POST" : "GET")));
    std::set<std::string> connections;
    for (auto& f : results) {
        auto result = f.get();
        ASSERT_TRUE(result.response) << result.error;
        connections.insert(result.response->body);
    }
    EXPECT_EQ(connections, (std::set<std::string>{"0", "1", "2", "3"}));
    EXPECT_EQ(pool.idle_connections(), 4u);
    for (int i = 0; i < 4; ++i) via(pool, server.url());
    EXPECT_EQ(server.accepted(), 4);
}

TEST_F(PoolTest, TheIdleListIsBounded) {
    CountingServer server({.gate = 4});
    HttpConnectionPool pool(io_, {.max_idle_per_origin = 2});
    std::vector<std::future<ClientResult>> results;
    for (int i = 0; i < 4; ++i) results.push_back(start(pool, make(server.url())));
    for (auto& f : results) EXPECT_TRUE(f.get().response);
    EXPECT_EQ(pool.idle_connections(), 2u);
}

TEST_F(PoolTest, AnIdleConnectionPastTheMaxAgeIsClosedNotReused) {
    CountingServer server;
    timing::SimulatedTime time(core::TimePoint{});
    PoolOptions options;
    options.max_idle_age = 4s;
    options.time = &time;
    HttpConnectionPool pool(io_, options);
    EXPECT_EQ(via(pool, server.url()), "0");
    time.advance(3'999ms);
    EXPECT_EQ(via(pool, server.url()), "0");  // idle 3.999 s: reused
    time.advance(4'000ms);
    EXPECT_EQ(via(pool, server.url(), "POST"), "1");  // idle 4 s: a new connection
    EXPECT_EQ(server.accepted(), 2);
    EXPECT_EQ(pool.idle_connections(), 1u);
}

TEST_F(PoolTest, AConnectionTheServerClosedWhileIdleIsNotWrittenTo) {
    CountingServer server({.close_when_idle = true});
    HttpConnectionPool pool(io_);
    EXPECT_EQ(via(pool, server.url(), "POST"), "0");
    ASSERT_TRUE(server.wait_closed(1));
    // Writing this POST into the closed connection would leave it unanswered, and not resent.
    EXPECT_EQ(via(pool, server.url(), "POST"), "1");
    EXPECT_EQ(server.accepted(), 2);
}

TEST_F(PoolTest, AStaleConnectionResendsAGetButNeverAPost) {
    // Each connection's second request is read and left unanswered: what a server closing an idle
    // connection just as the request arrives looks like.
    CountingServer server({.drop_nth = 1});
    HttpConnectionPool pool(io_);
    EXPECT_EQ(via(pool, server.url()), "0");
    EXPECT_EQ(via(pool, server.url()), "1");  // dropped on connection 0, resent on a new one
    EXPECT_EQ(server.accepted(), 2);

    auto post = run(pool, make(server.url(), "POST"));  // dropped on connection 1
    EXPECT_FALSE(post.response);
    EXPECT_TRUE(post.request_sent);  // it may have been acted on: not sent again
    EXPECT_FALSE(post.timed_out);
    EXPECT_EQ(server.accepted(), 2);
    EXPECT_EQ(via(pool, server.url()), "2");
}

TEST_F(PoolTest, NoAnswerInTimeIsATimeoutAfterSending) {
    CountingServer server({.gate = 2});  // never answers a lone request
    HttpConnectionPool pool(io_);
    auto request = make(server.url(), "POST");
    request.timeout = 200ms;
    auto result = run(pool, std::move(request));
    EXPECT_FALSE(result.response);
    EXPECT_TRUE(result.request_sent);
    EXPECT_TRUE(result.timed_out);
    EXPECT_EQ(pool.idle_connections(), 0u);
}

TEST_F(PoolTest, ARefusedConnectionIsNotSent) {
    unsigned short port = 0;
    {
        asio::io_context io;
        tcp::acceptor acceptor(io, {asio::ip::make_address("127.0.0.1"), 0});
        port = acceptor.local_endpoint().port();
    }
    HttpConnectionPool pool(io_);
    auto result = run(pool, make("http://127.0.0.1:" + std::to_string(port) + "/", "POST"));
    EXPECT_FALSE(result.response);
    EXPECT_FALSE(result.request_sent);
    EXPECT_TRUE(result.error.starts_with("connect: ")) << result.error;
}

TEST_F(PoolTest, AFailedTlsHandshakeIsNotSent) {
    CountingServer server;  // speaks plain HTTP only
    HttpConnectionPool pool(io_);
    auto url = server.url();
    url.replace(0, 4, "https");
    auto result = run(pool, make(url, "POST"));
    EXPECT_FALSE(result.response);
    EXPECT_FALSE(result.request_sent);
    EXPECT_TRUE(result.error.starts_with("tls: ")) << result.error;
}

TEST_F(PoolTest, BadUrlsAndMethodsFailBeforeConnecting) {
    HttpConnectionPool pool(io_);
    EXPECT_FALSE(run(pool, make("ftp://127.0.0.1/")).request_sent);
    EXPECT_FALSE(run(pool, make("http://127.0.0.1/", "FETCH")).request_sent);
}

}  // namespace
}  // namespace va::net
