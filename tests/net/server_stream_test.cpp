// Streamed responses (Server-Sent Events) over real loopback sockets: the head goes first, each
// write is a chunk the client sees at once, and a server that drains ends the stream.
#include <string>

#include <boost/asio/read.hpp>
#include <boost/asio/read_until.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/streambuf.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <gtest/gtest.h>

#include "net/server_fixture.hpp"
#include "support/http_client.hpp"

namespace va::net {
namespace {

namespace asio = boost::asio;
using asio::ip::tcp;
using test::HttpClient;
using test::ServerFixture;

asio::awaitable<void> three_events(ResponseStream& out) {
    for (int i = 1; i <= 3; ++i) {
        if (!co_await out.write("data: " + std::to_string(i) + "\n\n")) co_return;
    }
}

// Writes one event, then another every 5 ms while the server is open; says when it stopped.
asio::awaitable<void> until_drained(ResponseStream& out, bool* stopped) {
    co_await out.write("data: first\n\n");
    asio::steady_timer pause(co_await asio::this_coro::executor);
    while (out.open()) {
        pause.expires_after(std::chrono::milliseconds(5));
        co_await pause.async_wait(asio::use_awaitable);
        if (!co_await out.write(": ping\n\n")) break;
    }
    *stopped = true;
}

Handler streaming(std::function<asio::awaitable<void>(ResponseStream&)> producer) {
    return [producer](Request) -> asio::awaitable<Response> {
        Response response;
        response.content_type = "text/event-stream";
        response.route = "/events";
        response.stream = producer;
        co_return response;
    };
}

TEST_F(ServerFixture, AStreamedResponseArrivesAsChunksAndEndsWhenItsProducerReturns) {
    start(streaming(three_events));
    HttpClient client(port_);
    auto reply = client.request("GET", "/events");
    EXPECT_EQ(reply.status, 200u);
    EXPECT_EQ(reply.headers["content-type"], "text/event-stream");
    EXPECT_EQ(reply.headers["transfer-encoding"], "chunked");
    EXPECT_EQ(reply.body, "data: 1\n\ndata: 2\n\ndata: 3\n\n");
    EXPECT_FALSE(reply.keep_alive) << "a stream's connection closes after it";
}

TEST_F(ServerFixture, ADrainingServerEndsAStreamThatWouldRunForever) {
    bool stopped = false;
    start(streaming([&stopped](ResponseStream& out) { return until_drained(out, &stopped); }));
    asio::io_context io;
    tcp::socket socket(io);
    socket.connect({asio::ip::make_address("127.0.0.1"), port_});
    asio::write(socket, asio::buffer(std::string("GET /events HTTP/1.1\r\nHost: h\r\n\r\n")));
    asio::streambuf received;
    asio::read_until(socket, received, "data: first");  // the stream is running
    stop_and_join();  // returns only once the stream has ended and the connection closed
    EXPECT_TRUE(stopped);
    boost::system::error_code ec;
    asio::read(socket, received, ec);
    EXPECT_EQ(ec, asio::error::eof);
    const std::string text(asio::buffers_begin(received.data()), asio::buffers_end(received.data()));
    EXPECT_TRUE(text.ends_with("0\r\n\r\n")) << "the body is ended, not cut: " << text;
}

}  // namespace
}  // namespace va::net
