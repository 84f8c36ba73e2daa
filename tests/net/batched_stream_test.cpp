// The layer under a server WebSocket that sends a writer's batch with one write: while held,
// writes complete without reaching the socket; the flush sends them together, in order; without
// a hold, writes go straight through.
#include "net/batched_stream.hpp"

#include <string>

#include <boost/asio/io_context.hpp>
#include <boost/asio/local/connect_pair.hpp>
#include <boost/asio/local/stream_protocol.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/write.hpp>
#include <gtest/gtest.h>

namespace va::net {
namespace {

namespace asio = boost::asio;
using Socket = asio::local::stream_protocol::socket;

std::string read_exactly(Socket& socket, std::size_t n) {
    std::string out(n, '\0');
    asio::read(socket, asio::buffer(out));
    return out;
}

TEST(BatchedStream, HeldWritesWaitForTheFlushAndGoTogetherInOrder) {
    asio::io_context io;
    Socket ours(io), peer(io);
    asio::local::connect_pair(ours, peer);
    BatchedStream<Socket> stream(std::move(ours));

    stream.hold();
    int written = 0;
    asio::async_write(stream, asio::buffer(std::string_view("media;")), [&](boost::system::error_code ec, std::size_t n) {
        EXPECT_FALSE(ec);
        EXPECT_EQ(n, 6u);
        ++written;
    });
    asio::async_write(stream, asio::buffer(std::string_view("mark;")), [&](boost::system::error_code ec, std::size_t) {
        EXPECT_FALSE(ec);
        ++written;
    });
    EXPECT_EQ(written, 0) << "a write never completes inside the call that started it";
    io.run();
    io.restart();
    EXPECT_EQ(written, 2);
    EXPECT_EQ(peer.available(), 0u) << "held writes reached the socket before the flush";

    bool flushed = false;
    stream.async_flush([&](boost::system::error_code ec) {
        EXPECT_FALSE(ec);
        flushed = true;
    });
    io.run();
    io.restart();
    EXPECT_TRUE(flushed);
    EXPECT_EQ(read_exactly(peer, 11), "media;mark;");

    // No hold: straight through.
    asio::async_write(stream, asio::buffer(std::string_view("alone")), [](boost::system::error_code, std::size_t) {});
    io.run();
    EXPECT_EQ(read_exactly(peer, 5), "alone");
}

}  // namespace
}  // namespace va::net
