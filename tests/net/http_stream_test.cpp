// net::start_http_stream against a scripted local server: the body arrives piece by piece while
// the server still holds the rest, errors, deadlines and cancel end it exactly once.
#include "net/http_stream.hpp"

#include <condition_variable>
#include <mutex>
#include <optional>
#include <thread>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/strand.hpp>
#include <gtest/gtest.h>

#include "net/scripted_http_server.hpp"

namespace va::net {
namespace {

using namespace std::chrono_literals;
namespace asio = boost::asio;
using test::ScriptedHttpServer;
using test::ScriptedReply;

// What the callbacks saw; waited on from the test thread.
class StreamLog {
public:
    HttpStreamCallbacks callbacks() {
        HttpStreamCallbacks out;
        out.on_response = [this](const HttpResponseHead& head) {
            std::lock_guard lock(mutex_);
            head_ = head;
            if (dones_ > 0) after_done_ = true;
        };
        out.on_body = [this](std::string_view piece) {
            std::function<void()> hook;
            {
                std::lock_guard lock(mutex_);
                pieces_.emplace_back(piece);
                if (dones_ > 0) after_done_ = true;
                hook = on_piece_;
                changed_.notify_all();  // under the lock: the waiter may destroy us as soon as it wakes
            }
            if (hook) hook();
        };
        out.on_done = [this](HttpStreamEnd end) {
            {
                std::lock_guard lock(mutex_);
                end_ = std::move(end);
                ++dones_;
                changed_.notify_all();  // under the lock: the waiter may destroy us as soon as it wakes
            }
        };
        return out;
    }
    void on_piece(std::function<void()> hook) { on_piece_ = std::move(hook); }  // before the request starts

    bool wait_done() {
        std::unique_lock lock(mutex_);
        return changed_.wait_for(lock, 10s, [&] { return dones_ > 0; });
    }
    bool wait_pieces(std::size_t n) {
        std::unique_lock lock(mutex_);
        return changed_.wait_for(lock, 10s, [&] { return pieces_.size() >= n; });
    }
    HttpStreamEnd end() const {
        std::lock_guard lock(mutex_);
        return end_;
    }
    std::optional<HttpResponseHead> head() const {
        std::lock_guard lock(mutex_);
        return head_;
    }
    std::vector<std::string> pieces() const {
        std::lock_guard lock(mutex_);
        return pieces_;
    }
    std::string joined() const {
        std::string out;
        for (const auto& piece : pieces()) out += piece;
        return out;
    }
    int dones() const {
        std::lock_guard lock(mutex_);
        return dones_;
    }
    bool done() const { return dones() > 0; }
    bool after_done() const {
        std::lock_guard lock(mutex_);
        return after_done_;
    }

private:
    mutable std::mutex mutex_;
    std::condition_variable changed_;
    std::optional<HttpResponseHead> head_;
    std::vector<std::string> pieces_;
    std::function<void()> on_piece_;
    HttpStreamEnd end_;
    int dones_ = 0;
    bool after_done_ = false;
};

class HttpStreamTest : public ::testing::Test {
protected:
    HttpStreamTest() : work_(asio::make_work_guard(io_)), thread_([this] { io_.run(); }) {}
    ~HttpStreamTest() override {
        work_.reset();
        thread_.join();
    }

    HttpStreamRequest request(std::string path = "/stream") {
        HttpStreamRequest out;
        out.url = server_.base_url() + path;
        return out;
    }
    std::shared_ptr<HttpStream> start(HttpStreamRequest r, StreamLog& log) {
        return start_http_stream(asio::make_strand(io_), std::move(r), log.callbacks());
    }

    ScriptedHttpServer server_;
    asio::io_context io_;
    asio::executor_work_guard<asio::io_context::executor_type> work_;
    std::thread thread_;
};

ScriptedReply pieces(std::vector<std::string> list) {
    ScriptedReply reply;
    reply.headers.emplace_back("Content-Type", "application/octet-stream");
    reply.headers.emplace_back("X-Trace", "abc");
    reply.pieces = std::move(list);
    return reply;
}

TEST_F(HttpStreamTest, SendsTheRequestAsGiven) {
    server_.enqueue(pieces({"ok"}));
    auto r = request("/v1/thing?x=1");
    r.headers.emplace_back("X-Key", "k1");
    r.headers.emplace_back("Content-Type", "application/json");
    r.body = R"({"a":1})";
    StreamLog log;
    auto stream = start(std::move(r), log);
    ASSERT_TRUE(log.wait_done());
    EXPECT_EQ(log.end().error, "");
    ASSERT_EQ(server_.requests().size(), 1u);
    auto seen = server_.requests()[0];
    EXPECT_EQ(seen.method, "POST");
    EXPECT_EQ(seen.path, "/v1/thing");
    EXPECT_EQ(seen.query, "x=1");
    EXPECT_EQ(seen.header("x-key"), "k1");
    EXPECT_EQ(seen.header("content-type"), "application/json");
    EXPECT_EQ(seen.header("host"), "127.0.0.1:" + std::to_string(server_.port()));
    EXPECT_EQ(seen.header("user-agent"), "voiceagent");
    EXPECT_EQ(seen.body, R"({"a":1})");
}

TEST_F(HttpStreamTest, DeliversTheBodyWhileTheServerStillHoldsTheRest) {
    auto reply = pieces({"one ", "two ", "three"});
    reply.hold_after = 1;
    server_.enqueue(reply);
    StreamLog log;
    auto stream = start(request(), log);
    ASSERT_TRUE(log.wait_pieces(1));
    EXPECT_EQ(log.joined(), "one ");
    EXPECT_FALSE(log.done());  // the server has not sent the rest yet
    ASSERT_TRUE(log.head());
    EXPECT_EQ(log.head()->status, 200u);
    EXPECT_EQ(log.head()->header("x-trace"), "abc");
    EXPECT_EQ(log.head()->header("content-type"), "application/octet-stream");
    server_.release();
    ASSERT_TRUE(log.wait_done());
    EXPECT_EQ(log.end().error, "");
    EXPECT_EQ(log.end().status, 200u);
    EXPECT_EQ(log.joined(), "one two three");
    EXPECT_EQ(log.dones(), 1);
    EXPECT_FALSE(log.after_done());
}

TEST_F(HttpStreamTest, AContentLengthBodyArrivesWhole) {
    server_.enqueue(ScriptedReply::whole(200, "text/plain", std::string(100'000, 'x')));
    StreamLog log;
    auto stream = start(request(), log);
    ASSERT_TRUE(log.wait_done());
    EXPECT_EQ(log.end().error, "");
    EXPECT_EQ(log.joined(), std::string(100'000, 'x'));
}

TEST_F(HttpStreamTest, ANon2xxAnswerComesWithItsBodyNotAsPieces) {
    server_.enqueue(ScriptedReply::whole(401, "application/json", R"({"error":"no"})"));
    StreamLog log;
    auto stream = start(request(), log);
    ASSERT_TRUE(log.wait_done());
    EXPECT_EQ(log.end().error, "");
    EXPECT_EQ(log.end().status, 401u);
    EXPECT_EQ(log.end().error_body, R"({"error":"no"})");
    EXPECT_TRUE(log.pieces().empty());
}

TEST_F(HttpStreamTest, TheErrorBodyIsBounded) {
    auto reply = pieces({std::string(300, 'a'), std::string(300, 'b')});
    reply.status = 503;
    reply.stall_after = 2;  // and never ends: the limit alone stops the read
    server_.enqueue(reply);
    auto r = request();
    r.error_body_limit = 400;
    StreamLog log;
    auto stream = start(std::move(r), log);
    ASSERT_TRUE(log.wait_done());
    EXPECT_EQ(log.end().error, "");
    EXPECT_EQ(log.end().status, 503u);
    EXPECT_EQ(log.end().error_body, std::string(300, 'a') + std::string(100, 'b'));
    EXPECT_TRUE(server_.wait_for_disconnects(1));
}

TEST_F(HttpStreamTest, AConnectionDroppedMidBodyIsAnError) {
    auto reply = pieces({"one ", "two "});
    reply.drop_after = 1;
    server_.enqueue(reply);
    StreamLog log;
    auto stream = start(request(), log);
    ASSERT_TRUE(log.wait_done());
    EXPECT_EQ(log.end().error.rfind("receive: ", 0), 0u) << log.end().error;
    EXPECT_EQ(log.joined(), "one ");
}

TEST_F(HttpStreamTest, TheFirstByteDeadlineFiresWhenNothingComes) {
    ScriptedReply reply;
    reply.never_answer = true;
    server_.enqueue(reply);
    auto r = request();
    r.first_byte_timeout = 200ms;
    r.total_timeout = 5000ms;
    StreamLog log;
    auto began = std::chrono::steady_clock::now();
    auto stream = start(std::move(r), log);
    ASSERT_TRUE(log.wait_done());
    EXPECT_GE(std::chrono::steady_clock::now() - began, 190ms);
    EXPECT_EQ(log.end().error, "timeout: no data within 200 ms");
    EXPECT_TRUE(server_.wait_for_disconnects(1));
}

TEST_F(HttpStreamTest, TheFirstByteDeadlineHoldsAfterTheHeaders) {
    auto reply = pieces({"late"});
    reply.stall_after = 0;
    server_.enqueue(reply);
    auto r = request();
    r.first_byte_timeout = 200ms;
    r.first_byte_timeout_error = "timeout: nothing to say";
    StreamLog log;
    auto stream = start(std::move(r), log);
    ASSERT_TRUE(log.wait_done());
    EXPECT_EQ(log.end().error, "timeout: nothing to say");
    EXPECT_EQ(log.end().status, 200u);
}

TEST_F(HttpStreamTest, TheTotalDeadlineHoldsAfterTheFirstByte) {
    auto reply = pieces({"a", "b"});
    reply.stall_after = 1;
    server_.enqueue(reply);
    auto r = request();
    r.first_byte_timeout = 5000ms;
    r.total_timeout = 300ms;  // shorter: the first deadline is not armed at all
    StreamLog log;
    auto stream = start(std::move(r), log);
    ASSERT_TRUE(log.wait_done());
    EXPECT_EQ(log.joined(), "a");
    EXPECT_EQ(log.end().error, "timeout: not complete within 300 ms");
}

TEST_F(HttpStreamTest, CancelMidBodyEndsOnceAndHangsUp) {
    auto reply = pieces({"one ", "two "});
    reply.stall_after = 1;
    server_.enqueue(reply);
    StreamLog log;
    auto stream = start(request(), log);
    ASSERT_TRUE(log.wait_pieces(1));
    stream->cancel();
    stream->cancel();
    ASSERT_TRUE(log.wait_done());
    EXPECT_EQ(log.end().error, "canceled");
    EXPECT_TRUE(server_.wait_for_disconnects(1));
    EXPECT_EQ(log.dones(), 1);
    EXPECT_EQ(log.joined(), "one ");
}

TEST_F(HttpStreamTest, CancelFromTheBodyCallbackStopsTheNextPiece) {
    auto reply = pieces({"one ", "two "});
    reply.hold_after = 1;
    server_.enqueue(reply);
    StreamLog log;
    std::shared_ptr<HttpStream> stream;
    std::mutex mutex;
    log.on_piece([&] {
        std::lock_guard lock(mutex);
        stream->cancel();
        server_.release();
    });
    {
        std::lock_guard lock(mutex);
        stream = start(request(), log);
    }
    ASSERT_TRUE(log.wait_done());
    EXPECT_EQ(log.end().error, "canceled");
    EXPECT_EQ(log.joined(), "one ");
    EXPECT_FALSE(log.after_done());
}

TEST_F(HttpStreamTest, CancelAfterDoneChangesNothing) {
    server_.enqueue(pieces({"x"}));
    StreamLog log;
    auto stream = start(request(), log);
    ASSERT_TRUE(log.wait_done());
    stream->cancel();
    EXPECT_EQ(log.dones(), 1);
    EXPECT_EQ(log.end().error, "");
}

TEST_F(HttpStreamTest, ARefusedConnectionIsAnError) {
    unsigned short port = 0;
    {
        asio::io_context scratch;
        asio::ip::tcp::acceptor acceptor(scratch, {asio::ip::make_address("127.0.0.1"), 0});
        port = acceptor.local_endpoint().port();
    }  // closed: nothing listens there now
    HttpStreamRequest r;
    r.url = "http://127.0.0.1:" + std::to_string(port) + "/";
    StreamLog log;
    auto stream = start(std::move(r), log);
    ASSERT_TRUE(log.wait_done());
    EXPECT_EQ(log.end().error.rfind("connect: ", 0), 0u) << log.end().error;
    EXPECT_EQ(log.end().status, 0u);
}

TEST_F(HttpStreamTest, ABadUrlEndsWithoutARequest) {
    HttpStreamRequest r;
    r.url = "ftp://example.com/";
    StreamLog log;
    auto stream = start(std::move(r), log);
    ASSERT_TRUE(log.wait_done());
    EXPECT_EQ(log.end().error.rfind("bad URL", 0), 0u) << log.end().error;
}

}  // namespace
}  // namespace va::net
