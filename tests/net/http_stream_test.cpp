// net::fetch_streamed against a scripted local server: the body arrives piece by piece while
// the server still holds the rest; errors, deadlines and cancellation end it exactly once.
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
#include "support/awaited_run.hpp"

namespace va::net {
namespace {

using namespace std::chrono_literals;
namespace asio = boost::asio;
using test::ScriptedHttpServer;
using test::ScriptedReply;

using Outcome = boost::system::result<HttpAnswer, HttpStreamFailure>;

// One request run the way an engine runs it (a coroutine on a strand, with a cancellation
// signal), and what it handed over; waited on from the test thread.
class StreamLog {
public:
    void start(asio::io_context& io, HttpStreamRequest request) {
        run_.start(io, fetch_streamed(std::move(request), [this](std::string_view piece) { return record(piece); }),
                   [this](test::Ending<Outcome> ending) { finish(std::move(ending)); });
    }
    // The caller leaves: from the test thread, or from the on_piece hook.
    void cancel() { run_.cancel(); }
    // After each piece is recorded, on the request's strand; returns whether more is wanted.
    // Set before start().
    void on_piece(std::function<bool()> hook) { on_piece_ = std::move(hook); }

    bool wait_done() {
        std::unique_lock lock(mutex_);
        return changed_.wait_for(lock, 10s, [&] { return dones_ > 0; });
    }
    bool wait_pieces(std::size_t n) {
        std::unique_lock lock(mutex_);
        return changed_.wait_for(lock, 10s, [&] { return pieces_.size() >= n; });
    }
    // The answer, when one came.
    std::optional<HttpAnswer> answer() const {
        std::lock_guard lock(mutex_);
        if (!outcome_ || !*outcome_) return std::nullopt;
        return **outcome_;
    }
    // Where it failed, when it did.
    std::optional<HttpStreamFailure> failure() const {
        std::lock_guard lock(mutex_);
        if (!outcome_ || *outcome_) return std::nullopt;
        return outcome_->error();
    }
    bool canceled() const {
        std::lock_guard lock(mutex_);
        return canceled_;
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
    bool record(std::string_view piece) {
        {
            std::lock_guard lock(mutex_);
            pieces_.emplace_back(piece);
            if (dones_ > 0) after_done_ = true;
            changed_.notify_all();  // under the lock: the waiter may destroy us as soon as it wakes
        }
        return on_piece_ ? on_piece_() : true;
    }
    void finish(test::Ending<Outcome> ending) {
        std::lock_guard lock(mutex_);
        ++dones_;
        canceled_ = ending.canceled;
        outcome_ = std::move(ending.result);
        changed_.notify_all();  // under the lock: the waiter may destroy us as soon as it wakes
    }

    test::AwaitedRun<Outcome> run_;
    mutable std::mutex mutex_;
    std::condition_variable changed_;
    std::vector<std::string> pieces_;
    std::function<bool()> on_piece_;
    std::optional<Outcome> outcome_;
    int dones_ = 0;
    bool canceled_ = false;
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
    log.start(io_, std::move(r));
    ASSERT_TRUE(log.wait_done());
    ASSERT_TRUE(log.answer()) << log.failure()->message();
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
    log.start(io_, request());
    ASSERT_TRUE(log.wait_pieces(1));
    EXPECT_EQ(log.joined(), "one ");
    EXPECT_FALSE(log.done());  // the server has not sent the rest yet
    server_.release();
    ASSERT_TRUE(log.wait_done());
    ASSERT_TRUE(log.answer()) << log.failure()->message();
    EXPECT_EQ(log.answer()->status, 200u);
    EXPECT_EQ(log.answer()->header("x-trace"), "abc");
    EXPECT_EQ(log.answer()->header("content-type"), "application/octet-stream");
    EXPECT_EQ(log.joined(), "one two three");
    EXPECT_EQ(log.dones(), 1);
    EXPECT_FALSE(log.after_done());
}

TEST_F(HttpStreamTest, AContentLengthBodyArrivesWhole) {
    server_.enqueue(ScriptedReply::whole(200, "text/plain", std::string(100'000, 'x')));
    StreamLog log;
    log.start(io_, request());
    ASSERT_TRUE(log.wait_done());
    ASSERT_TRUE(log.answer()) << log.failure()->message();
    EXPECT_EQ(log.joined(), std::string(100'000, 'x'));
}

TEST_F(HttpStreamTest, ANon2xxAnswerComesWithItsBodyNotAsPieces) {
    server_.enqueue(ScriptedReply::whole(401, "application/json", R"({"error":"no"})"));
    StreamLog log;
    log.start(io_, request());
    ASSERT_TRUE(log.wait_done());
    ASSERT_TRUE(log.answer()) << log.failure()->message();
    EXPECT_EQ(log.answer()->status, 401u);
    EXPECT_EQ(log.answer()->error_body, R"({"error":"no"})");
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
    log.start(io_, std::move(r));
    ASSERT_TRUE(log.wait_done());
    ASSERT_TRUE(log.answer()) << log.failure()->message();
    EXPECT_EQ(log.answer()->status, 503u);
    EXPECT_EQ(log.answer()->error_body, std::string(300, 'a') + std::string(100, 'b'));
    EXPECT_TRUE(server_.wait_for_disconnects(1));
}

TEST_F(HttpStreamTest, AConnectionDroppedMidBodyIsAnError) {
    auto reply = pieces({"one ", "two "});
    reply.drop_after = 1;
    server_.enqueue(reply);
    StreamLog log;
    log.start(io_, request());
    ASSERT_TRUE(log.wait_done());
    ASSERT_TRUE(log.failure());
    EXPECT_EQ(log.failure()->what, HttpStreamErrc::receive);
    EXPECT_EQ(log.failure()->message().rfind("receive: ", 0), 0u) << log.failure()->message();
    EXPECT_FALSE(log.failure()->before_sending());
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
    log.start(io_, std::move(r));
    ASSERT_TRUE(log.wait_done());
    EXPECT_GE(std::chrono::steady_clock::now() - began, 190ms);
    ASSERT_TRUE(log.failure());
    EXPECT_EQ(log.failure()->what, HttpStreamErrc::first_byte_timeout);
    EXPECT_TRUE(server_.wait_for_disconnects(1));
}

TEST_F(HttpStreamTest, TheFirstByteDeadlineHoldsAfterTheHeaders) {
    auto reply = pieces({"late"});
    reply.stall_after = 0;
    server_.enqueue(reply);
    auto r = request();
    r.first_byte_timeout = 200ms;
    StreamLog log;
    log.start(io_, std::move(r));
    ASSERT_TRUE(log.wait_done());
    ASSERT_TRUE(log.failure());
    EXPECT_EQ(log.failure()->what, HttpStreamErrc::first_byte_timeout);
}

TEST_F(HttpStreamTest, TheTotalDeadlineHoldsAfterTheFirstByte) {
    auto reply = pieces({"a", "b"});
    reply.stall_after = 1;
    server_.enqueue(reply);
    auto r = request();
    r.first_byte_timeout = 5000ms;
    r.total_timeout = 300ms;  // shorter: the first deadline is not armed at all
    StreamLog log;
    log.start(io_, std::move(r));
    ASSERT_TRUE(log.wait_done());
    EXPECT_EQ(log.joined(), "a");
    ASSERT_TRUE(log.failure());
    EXPECT_EQ(log.failure()->what, HttpStreamErrc::total_timeout);
}

TEST_F(HttpStreamTest, CancelMidBodyEndsOnceAndHangsUp) {
    auto reply = pieces({"one ", "two "});
    reply.stall_after = 1;
    server_.enqueue(reply);
    StreamLog log;
    log.start(io_, request());
    ASSERT_TRUE(log.wait_pieces(1));
    log.cancel();
    log.cancel();
    ASSERT_TRUE(log.wait_done());
    EXPECT_TRUE(log.canceled());
    EXPECT_TRUE(server_.wait_for_disconnects(1));
    EXPECT_EQ(log.dones(), 1);
    EXPECT_EQ(log.joined(), "one ");
}

TEST_F(HttpStreamTest, CancelFromTheBodyCallbackStopsTheNextPiece) {
    auto reply = pieces({"one ", "two "});
    reply.hold_after = 1;
    server_.enqueue(reply);
    StreamLog log;
    log.on_piece([&] {
        log.cancel();
        server_.release();
        return true;
    });
    log.start(io_, request());
    ASSERT_TRUE(log.wait_done());
    EXPECT_TRUE(log.canceled());
    EXPECT_EQ(log.joined(), "one ");
    EXPECT_FALSE(log.after_done());
}

TEST_F(HttpStreamTest, CancelAfterDoneChangesNothing) {
    server_.enqueue(pieces({"x"}));
    StreamLog log;
    log.start(io_, request());
    ASSERT_TRUE(log.wait_done());
    log.cancel();
    EXPECT_EQ(log.dones(), 1);
    ASSERT_TRUE(log.answer()) << log.failure()->message();
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
    log.start(io_, std::move(r));
    ASSERT_TRUE(log.wait_done());
    ASSERT_TRUE(log.failure());
    EXPECT_EQ(log.failure()->what, HttpStreamErrc::connect);
    EXPECT_EQ(log.failure()->message().rfind("connect: ", 0), 0u) << log.failure()->message();
    EXPECT_TRUE(log.failure()->before_sending()) << "nothing reached anyone";
}

TEST_F(HttpStreamTest, ABadUrlEndsWithoutARequest) {
    HttpStreamRequest r;
    r.url = "ftp://example.com/";
    StreamLog log;
    log.start(io_, std::move(r));
    ASSERT_TRUE(log.wait_done());
    ASSERT_TRUE(log.failure());
    EXPECT_EQ(log.failure()->what, HttpStreamErrc::bad_url);
}

TEST_F(HttpStreamTest, ASinkThatNeedsNoMoreEndsTheAnswerAndHangsUp) {
    auto reply = pieces({"[DONE]", "never read"});
    reply.stall_after = 1;  // and the server would wait forever
    server_.enqueue(reply);
    StreamLog log;
    log.on_piece([] { return false; });
    log.start(io_, request());
    ASSERT_TRUE(log.wait_done());
    ASSERT_TRUE(log.answer()) << log.failure()->message();
    EXPECT_EQ(log.answer()->status, 200u);
    EXPECT_EQ(log.joined(), "[DONE]");
    EXPECT_TRUE(server_.wait_for_disconnects(1));
}

}  // namespace
}  // namespace va::net
