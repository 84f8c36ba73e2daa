// A media frame costs the server's network thread no allocation once its stream runs: Beast reads
// it into the session's kept message, the fast path finds and decodes its payload into the kept
// PCM buffer, and the agent (here one that runs the VAD, as the conversation does) is called.
// Over a real socket; this executable counts every operator new on the server's thread.
#include <condition_variable>
#include <future>
#include <mutex>
#include <thread>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/websocket.hpp>
#include <gtest/gtest.h>

#include "call_harness.hpp"
#include "net/server.hpp"
#include "speech/vad.hpp"
#include "support/allocation_counter.hpp"

namespace va::call::test {
namespace {

namespace asio = boost::asio;
namespace websocket = boost::beast::websocket;
using namespace std::chrono_literals;

// Counts frames and lets the test wait for a number of them.
class CountingAgent final : public Agent {
public:
    void on_start() override {}
    asio::awaitable<void> run() override { co_return; }
    void on_audio(std::span<const std::int16_t> pcm) override {
        static_cast<void>(vad_.process(pcm));
        std::lock_guard lock(mutex_);
        ++frames_;
        changed_.notify_all();
    }
    void on_dtmf(char) override {}
    void on_played(UtteranceId, std::chrono::milliseconds, bool) override {}
    void on_shutdown() override {}
    void on_end() override {}

    bool wait_for(std::uint64_t frames) {
        std::unique_lock lock(mutex_);
        return changed_.wait_for(lock, 20s, [&] { return frames_ >= frames; });
    }

private:
    speech::Vad vad_;
    std::mutex mutex_;
    std::condition_variable changed_;
    std::uint64_t frames_ = 0;
};

TEST(FrameAllocations, AMediaFrameCostsTheServerThreadNoAllocation) {
    CallHarness h(CallHarness::default_options(), CallHarness::Store::on_threads);
    std::promise<CountingAgent*> admitted;
    h.agent_factory = [&](const CallInfo&, CallControl&) -> std::unique_ptr<Agent> {
        auto made = std::make_unique<CountingAgent>();
        admitted.set_value(made.get());
        return made;
    };
    asio::io_context io(1);
    auto work = asio::make_work_guard(io);
    net::HttpServer server(io, stream_endpoint(h.context()), h.metrics());
    const auto port = server.listen({asio::ip::make_address("127.0.0.1"), 0}).port();
    const std::string url = "ws://127.0.0.1:" + std::to_string(port) + "/webhooks/twilio/stream";
    h.context().options.public_url = "http://127.0.0.1:" + std::to_string(port);
    std::thread network([&io] {
        va::test::count_allocations_on_this_thread();
        io.run();
    });

    // Twilio's side, synchronous, on this thread.
    asio::io_context client_io;
    websocket::stream<boost::beast::tcp_stream> ws(client_io);
    ws.next_layer().connect({asio::ip::make_address("127.0.0.1"), port});
    ws.set_option(websocket::stream_base::decorator([&](websocket::request_type& request) {
        request.set("X-Twilio-Signature", twilio::compute_signature(kToken, url, {}));
    }));
    ws.handshake("127.0.0.1:" + std::to_string(port), "/webhooks/twilio/stream");
    ws.text(true);
    auto call = h.schedule({"+14155552671"}, "");
    StreamGrant grant{call.id, call.id + "-0-1", "6566a1b2c3d4e5f6071829aa", kCallSid, kNow + 60s};
    twilio::Start start;
    start.stream_sid = kStreamSid;
    start.call_sid = kCallSid;
    start.account_sid = kAccount;
    start.custom_parameters = {{"ScheduledCallId", call.id}, {"Token", h.context().tokens.issue(grant)}};
    ws.write(asio::buffer(twilio::to_json(twilio::InboundMessage{twilio::Connected{}}, 0, "")));
    ws.write(asio::buffer(twilio::to_json(twilio::InboundMessage{start}, 1, kStreamSid)));

    std::uint64_t sequence = 2;
    twilio::Media media;
    media.payload.assign(160, 0xFF);  // line silence
    auto send_frames = [&](int count) {
        for (int i = 0; i < count; ++i, ++sequence) {
            media.chunk = sequence - 1;
            media.timestamp_ms = (sequence - 1) * 20;
            ws.write(asio::buffer(twilio::to_json(twilio::InboundMessage{media}, sequence, kStreamSid)));
        }
    };
    send_frames(100);  // read once the stream is admitted; meanwhile buffers grow and Asio's caches fill
    auto agent_made = admitted.get_future();
    ASSERT_EQ(agent_made.wait_for(20s), std::future_status::ready) << "the stream was not admitted";
    auto* agent = agent_made.get();
    ASSERT_TRUE(agent->wait_for(100));
    const auto before = va::test::allocations_counted();
    send_frames(1000);
    ASSERT_TRUE(agent->wait_for(1100));
    EXPECT_EQ(va::test::allocations_counted() - before, 0u) << "allocations on the network thread for 1000 frames";

    ws.close(websocket::close_code::normal);
    server.shutdown();
    work.reset();
    network.join();
    h.join_store_pool();
}

}  // namespace
}  // namespace va::call::test
