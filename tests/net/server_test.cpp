// The HTTP server over real loopback sockets: keep-alive, limits, malformed input, timeouts,
// handler failures, metrics and graceful shutdown.
#include "net/server.hpp"

#include <future>
#include <thread>

#include <boost/asio/redirect_error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <gtest/gtest.h>

#include "net/router.hpp"
#include "net/server_fixture.hpp"
#include "support/http_client.hpp"

namespace va::net {
namespace {

namespace asio = boost::asio;
using test::echo;
using test::HttpClient;
using test::ServerFixture;

TEST_F(ServerFixture, ServesSeveralRequestsOnOneKeptAliveConnection) {
    start(echo);
    HttpClient client(port_);
    auto first = client.request("GET", "/a");
    auto second = client.request("POST", "/b", "hello");
    EXPECT_EQ(first.status, 200u);
    EXPECT_EQ(first.body, "GET /a 0");
    EXPECT_TRUE(first.keep_alive);
    EXPECT_EQ(second.body, "POST /b 5");
    EXPECT_FALSE(second.headers["x-request-id"].empty());
}

TEST_F(ServerFixture, KeepsASaneRequestIdAndReplacesAnInsaneOne) {
    start(echo);
    HttpClient client(port_);
    EXPECT_EQ(client.request("GET", "/", "", {{"X-Request-Id", "abc-123"}}).headers["x-request-id"], "abc-123");
    EXPECT_NE(client.request("GET", "/", "", {{"X-Request-Id", "a b\"c"}}).headers["x-request-id"], "a b\"c");
}

TEST_F(ServerFixture, RefusesABodyOverTheLimitWith413) {
    ServerOptions options;
    options.body_limit = 1024;
    start(echo, options);
    HttpClient client(port_);
    auto reply = client.request("POST", "/x", std::string(1025, 'a'));
    EXPECT_EQ(reply.status, 413u);
    EXPECT_NE(reply.body.find("\"body_too_large\""), std::string::npos);
    EXPECT_TRUE(client.closed_by_peer());
}

TEST_F(ServerFixture, RefusesAChunkedBodyThatGrowsOverTheLimit) {
    ServerOptions options;
    options.body_limit = 1024;
    start(echo, options);
    HttpClient client(port_);
    std::string chunk(800, 'a');
    auto reply = client.raw("POST /x HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n320\r\n" + chunk +
                            "\r\n320\r\n" + chunk + "\r\n0\r\n\r\n");
    EXPECT_EQ(reply.status, 413u);
}

TEST_F(ServerFixture, AcceptsABodyAtTheLimit) {
    ServerOptions options;
    options.body_limit = 1024;
    start(echo, options);
    HttpClient client(port_);
    EXPECT_EQ(client.request("POST", "/x", std::string(1024, 'a')).status, 200u);
}

TEST_F(ServerFixture, RefusesOversizeHeadersWith431) {
    start(echo);
    HttpClient client(port_);
    auto reply = client.request("GET", "/", "", {{"X-Big", std::string(20 * 1024, 'h')}});
    EXPECT_EQ(reply.status, 431u);
}

TEST_F(ServerFixture, AnswersGarbageWith400AndCloses) {
    start(echo);
    HttpClient client(port_);
    auto reply = client.raw("NOT HTTP AT ALL\r\n\r\n");
    EXPECT_EQ(reply.status, 400u);
    EXPECT_NE(reply.body.find("\"bad_request\""), std::string::npos);
    EXPECT_TRUE(client.closed_by_peer());
}

TEST_F(ServerFixture, AnswersExpect100ContinueBeforeReadingTheBody) {
    start(echo);
    HttpClient client(port_);
    auto reply = client.raw("POST /x HTTP/1.1\r\nHost: h\r\nContent-Length: 3\r\nExpect: 100-continue\r\n\r\n");
    EXPECT_EQ(reply.status, 100u);
    auto final_reply = client.raw("abc");
    EXPECT_EQ(final_reply.status, 200u);
    EXPECT_EQ(final_reply.body, "POST /x 3");
}

TEST_F(ServerFixture, TurnsAHandlerExceptionInto500WithoutLeakingIt) {
    start([](Request) -> asio::awaitable<Response> {
        throw std::runtime_error("secret detail");
        co_return Response{};
    });
    HttpClient client(port_);
    auto reply = client.request("GET", "/boom");
    EXPECT_EQ(reply.status, 500u);
    EXPECT_EQ(reply.body.find("secret detail"), std::string::npos);
    EXPECT_EQ(client.request("GET", "/again").status, 500u);  // the connection survives
}

TEST_F(ServerFixture, CountsRequestsByRouteAndStatus) {
    start(echo);
    HttpClient client(port_);
    client.request("GET", "/a");
    client.request("GET", "/b");
    auto text = metrics_.render();
    EXPECT_NE(text.find("http_requests_total{method=\"GET\",route=\"/echo\",status=\"200\"} 2"), std::string::npos)
        << text;
    EXPECT_NE(text.find("http_request_duration_seconds_count{route=\"/echo\"} 2"), std::string::npos) << text;
}

// A router whose "/hook" takes 16 bytes at most and refuses a head without X-Key, beside "/echo".
struct HookRoutes {
    Router router;
    int reached = 0;
    HookRoutes() {
        HeadRule rule;
        rule.body_limit = 16;
        rule.refuse = [](const Request& head) -> std::optional<Response> {
            if (head.header("X-Key")) return std::nullopt;
            return error_response(403, "no_key", "X-Key is missing");
        };
        router.add("POST", "/hook", [this](Request request) -> asio::awaitable<Response> {
            ++reached;
            return echo(std::move(request));
        }, rule);
        router.add("POST", "/echo", echo);
    }
    Handler handler() {
        return [this](Request request) { return router.dispatch(std::move(request)); };
    }
    ServerOptions options() {
        ServerOptions options;
        options.check_head = [this](const Request& head, std::size_t limit) { return router.check_head(head, limit); };
        return options;
    }
};

TEST_F(ServerFixture, ARouteRefusesAHeadBeforeItsBodyIsRead) {
    HookRoutes routes;
    start(routes.handler(), routes.options());
    HttpClient client(port_);
    // Announces 2 MiB (over the server's 1 MiB) and sends none of it: the head alone is answered.
    auto reply = client.raw("POST /hook HTTP/1.1\r\nHost: h\r\nContent-Length: 2097152\r\n\r\n");
    EXPECT_EQ(reply.status, 403u);
    EXPECT_NE(reply.body.find("\"no_key\""), std::string::npos);
    EXPECT_FALSE(reply.headers["x-request-id"].empty());
    EXPECT_TRUE(client.closed_by_peer());
    EXPECT_EQ(routes.reached, 0);
    auto text = metrics_.render();
    EXPECT_NE(text.find("http_requests_total{method=\"POST\",route=\"/hook\",status=\"403\"} 1"), std::string::npos)
        << text;
}

TEST_F(ServerFixture, ARefusedHeadIsNotToldToContinue) {
    HookRoutes routes;
    start(routes.handler(), routes.options());
    HttpClient client(port_);
    auto reply = client.raw("POST /hook HTTP/1.1\r\nHost: h\r\nContent-Length: 3\r\nExpect: 100-continue\r\n\r\n");
    EXPECT_EQ(reply.status, 403u);
}

TEST_F(ServerFixture, ARoutesBodyLimitReplacesTheServers) {
    HookRoutes routes;
    start(routes.handler(), routes.options());
    const std::map<std::string, std::string> key{{"X-Key", "k"}};
    EXPECT_EQ(HttpClient(port_).request("POST", "/hook", std::string(16, 'a'), key).status, 200u);
    EXPECT_EQ(HttpClient(port_).request("POST", "/hook", std::string(17, 'a'), key).status, 413u);
    HttpClient chunked(port_);
    auto reply = chunked.raw("POST /hook HTTP/1.1\r\nHost: h\r\nX-Key: k\r\nTransfer-Encoding: chunked\r\n\r\n"
                             "a\r\n0123456789\r\na\r\n0123456789\r\n0\r\n\r\n");
    EXPECT_EQ(reply.status, 413u);
    EXPECT_EQ(routes.reached, 1);
    // Other routes keep the server's limit.
    EXPECT_EQ(HttpClient(port_).request("POST", "/echo", std::string(1000, 'a')).status, 200u);
}

TEST_F(ServerFixture, ShutdownFinishesInFlightRequestsClosesIdleOnesAndStopsAccepting) {
    std::promise<void> entered;
    auto gate = std::make_shared<asio::steady_timer>(io_, asio::steady_timer::time_point::max());
    start([&entered, gate](Request request) -> asio::awaitable<Response> {
        if (request.path == "/slow") {
            entered.set_value();
            boost::system::error_code ec;
            co_await gate->async_wait(asio::redirect_error(asio::use_awaitable, ec));
        }
        Response response;
        response.body = "done " + request.path;
        co_return response;
    });
    HttpClient idle_client(port_);
    EXPECT_EQ(idle_client.request("GET", "/fast").status, 200u);

    auto slow = std::async(std::launch::async, [port = port_] { return HttpClient(port).request("GET", "/slow"); });
    entered.get_future().wait();
    server_->shutdown();
    EXPECT_TRUE(idle_client.closed_by_peer());
    asio::post(io_, [gate] { gate->cancel(); });

    auto reply = slow.get();
    EXPECT_EQ(reply.status, 200u);
    EXPECT_EQ(reply.body, "done /slow");
    EXPECT_FALSE(reply.keep_alive);
    thread_.join();  // the io_context ran out of work: nothing is left running

    asio::io_context io;
    asio::ip::tcp::socket socket(io);
    boost::system::error_code ec;
    socket.connect({asio::ip::make_address("127.0.0.1"), port_}, ec);
    EXPECT_TRUE(ec) << "the listener should be closed";
}

}  // namespace
}  // namespace va::net
