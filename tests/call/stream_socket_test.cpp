// The stream endpoint over a real socket: the upgrade's signature, and Beast enforcing the frame
// limit (64 KiB) on a live session, which then ends cleanly and records its end.
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <gtest/gtest.h>

#include "call_harness.hpp"
#include "net/server.hpp"

namespace va::call::test {
namespace {

struct Server {
    explicit Server(CallHarness& h) : harness(h), server(io, stream_endpoint(h.context()), h.metrics()) {
        port = server.listen({boost::asio::ip::make_address("127.0.0.1"), 0}).port();
        h.context().options.public_url = "http://127.0.0.1:" + std::to_string(port);
    }
    ~Server() { harness.join_store_pool(); }  // before `io` goes: the store's threads post back to it
    std::string url() const { return "ws://127.0.0.1:" + std::to_string(port) + "/webhooks/twilio/stream"; }
    CallHarness& harness;
    boost::asio::io_context io;
    net::HttpServer server;
    unsigned short port = 0;
};

net::Fields signed_for(const std::string& url, const std::string& token = kToken) {
    return {{"X-Twilio-Signature", twilio::compute_signature(token, url, {})}};
}

// Named coroutines (not lambdas): a coroutine lambda's captures die with the lambda.
boost::asio::awaitable<void> upgrade_twice(Server& s, std::optional<net::WebSocketConnectResult>& bad,
                                           std::optional<net::WebSocketConnectResult>& unsigned_) {
    bad = co_await net::connect_websocket(s.io.get_executor(), s.url(), signed_for(s.url(), "wrong"));
    unsigned_ = co_await net::connect_websocket(s.io.get_executor(), s.url(), net::Fields{});
    s.server.shutdown();
}

boost::asio::awaitable<void> start_then_oversize(Server& s, CallHarness& h, std::string start_json, bool& closed) {
    auto c = co_await net::connect_websocket(s.io.get_executor(), s.url(), signed_for(s.url()));
    if (!c.socket) co_return;
    co_await c.socket->write_text(std::move(start_json));
    // Admission writes the call log; wait for it before sending the oversized frame.
    boost::asio::steady_timer timer(s.io);
    for (int i = 0; i < 500 && h.store().call_logs().list({}).items.empty(); ++i) {
        timer.expires_after(std::chrono::milliseconds(10));
        co_await timer.async_wait(boost::asio::use_awaitable);
    }
    co_await c.socket->write_text(std::string(70 * 1024, 'x'));
    auto reply = co_await c.socket->read();
    closed = !reply;  // the server ended the connection
    s.server.shutdown();
}

TEST(StreamSocket, AnUpgradeWithABadSignatureIsRefusedBeforeAnyWebSocketExists) {
    CallHarness h(CallHarness::default_options(), CallHarness::Store::on_threads);
    Server s(h);
    std::optional<net::WebSocketConnectResult> bad, unsigned_;
    boost::asio::co_spawn(s.io, upgrade_twice(s, bad, unsigned_), boost::asio::detached);
    s.io.run_for(std::chrono::seconds(10));
    ASSERT_TRUE(bad && unsigned_);
    EXPECT_FALSE(bad->socket);
    EXPECT_EQ(bad->status, 403u);
    EXPECT_FALSE(unsigned_->socket);
    EXPECT_EQ(unsigned_->status, 403u);
}

TEST(StreamSocket, AFrameOverTheLimitEndsThatStreamAndItsEndIsRecorded) {
    CallHarness h(CallHarness::default_options(), CallHarness::Store::on_threads);
    Server s(h);
    auto call = h.schedule({"+14155552671"}, "");
    StreamGrant grant{call.id, call.id + "-0-1", "6566a1b2c3d4e5f6071829aa", kCallSid, kNow + std::chrono::seconds(60)};
    twilio::Start start;
    start.stream_sid = kStreamSid;
    start.call_sid = kCallSid;
    start.account_sid = kAccount;
    start.custom_parameters = {{"ScheduledCallId", call.id}, {"Token", h.context().tokens.issue(grant)}};
    const auto start_json = twilio::to_json(twilio::InboundMessage{start}, 1, kStreamSid);
    bool closed = false;
    boost::asio::co_spawn(s.io, start_then_oversize(s, h, start_json, closed), boost::asio::detached);
    s.io.run_for(std::chrono::seconds(20));
    EXPECT_TRUE(closed);
    auto logs = h.store().call_logs().list({}).items;
    ASSERT_EQ(logs.size(), 1u);
    EXPECT_EQ(logs[0].stream_sid, kStreamSid);
    EXPECT_TRUE(logs[0].stream_ended_at) << "the session ended cleanly and recorded it";
}

}  // namespace
}  // namespace va::call::test
