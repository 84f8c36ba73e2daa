// What the UI's live views read, with real processes: server push of a scheduled call (a `web`
// process streams what a `dispatcher` process on the same store did, as it happens), and the live
// calls with their hang-up.
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http.hpp>
#include <boost/json/parse.hpp>
#include <gtest/gtest.h>

#include "dispatch_process.hpp"

namespace va::test {
namespace {

namespace beast = boost::beast;
namespace http = beast::http;
using namespace std::chrono_literals;

// Reads a text/event-stream response event by event, as a browser's fetch() reader would.
class EventReader {
public:
    EventReader(unsigned short port, const std::string& target) : stream_(io_) {
        stream_.connect({boost::asio::ip::make_address("127.0.0.1"), port});
        http::request<http::empty_body> request{http::verb::get, target, 11};
        request.set(http::field::host, "127.0.0.1");
        http::write(stream_, request);
        parser_.body_limit(boost::none);
        parser_.on_chunk_body(on_body_);  // kept by reference: a member
        http::read_header(stream_, buffer_, parser_);
    }
    unsigned status() const { return parser_.get().result_int(); }
    std::string header(http::field f) const { return std::string(parser_.get()[f]); }

    // The next event's name and data ("" and "" when the stream ended).
    std::pair<std::string, std::string> next() {
        for (;;) {
            if (auto end = pending_.find("\n\n"); end != std::string::npos) {
                auto block = pending_.substr(0, end);
                pending_.erase(0, end + 2);
                std::string event, data;
                std::size_t at = 0;
                while (at < block.size()) {
                    auto line_end = std::min(block.find('\n', at), block.size());
                    auto line = block.substr(at, line_end - at);
                    if (line.starts_with("event: ")) event = line.substr(7);
                    if (line.starts_with("data: ")) data = line.substr(6);
                    at = line_end + 1;
                }
                if (event.empty() && data.empty()) continue;  // a comment (": ping")
                return {event, data};
            }
            if (parser_.is_done()) return {};
            beast::error_code ec;
            http::read_some(stream_, buffer_, parser_, ec);
            if (ec) return {};
        }
    }

private:
    boost::asio::io_context io_;
    beast::tcp_stream stream_;
    beast::flat_buffer buffer_;
    http::response_parser<http::empty_body> parser_;
    std::string pending_;
    std::function<std::size_t(std::uint64_t, std::string_view, beast::error_code&)> on_body_ =
        [this](std::uint64_t, std::string_view body, beast::error_code& ec) {
            ec = {};
            pending_.append(body);
            return body.size();
        };
};

TEST(Push, AWebProcessStreamsWhatADispatcherProcessDidToTheCall) {
    TempDir dir;
    SimProcess sim(dir, R"({"callsPerSecond": 100, "default": {"ringSeconds": 0.3, "hangupAfterSeconds": 1}})");
    ServeProcess web(dir, sim, {"--role", "web", "--live-poll-ms", "100"});
    ServeProcess dispatcher(dir, sim, {"--role", "dispatcher", "--dispatch-sweep-seconds", "1", "--public-url",
                                       "http://127.0.0.1:" + std::to_string(web.port())});
    auto id = web.schedule_now({"+14155552671"});

    EventReader events(web.port(), "/api/scheduled-calls/" + id + "/events");
    ASSERT_EQ(events.status(), 200u);
    EXPECT_EQ(events.header(http::field::content_type), "text/event-stream");
    std::vector<std::string> seen;  // the recipient's status in each event
    std::string previous;
    for (;;) {
        auto [event, data] = events.next();
        ASSERT_EQ(event, "scheduled-call") << "the stream ended before the call did";
        EXPECT_NE(data, previous) << "an event is sent only when the call changed";
        previous = data;
        auto call = boost::json::parse(data);
        seen.emplace_back(call.at("recipients").at(0).at("status").as_string());
        if (call.at("status") == "completed") break;
    }
    ASSERT_GE(seen.size(), 3u);
    EXPECT_EQ(seen.front(), "pending");
    EXPECT_EQ(seen.back(), "completed");
    EXPECT_NE(std::find(seen.begin(), seen.end(), "in-progress"), seen.end()) << "the live state was pushed too";

    unsigned status = 0;
    web.api("GET", "/api/scheduled-calls/nope/events", "", &status);
    EXPECT_EQ(status, 404u);
}

TEST(LiveCalls, AnAnsweredCallIsListedAndAHangUpEndsItThroughTwilio) {
    TempDir dir;
    SimProcess sim(dir, R"({"callsPerSecond": 100, "default": {"ringSeconds": 0.2, "hangupAfterSeconds": 120}})");
    ServeProcess serve(dir, sim);
    auto id = serve.schedule_now({"+14155552671"});
    boost::json::value live;
    ASSERT_TRUE(eventually(
        [&] {
            live = serve.api("GET", "/api/live-calls");
            return !live.at("items").as_array().empty();
        },
        30s));
    const auto& call = live.at("items").at(0);
    EXPECT_EQ(call.at("scheduledCallId"), boost::json::value(id));
    EXPECT_EQ(call.at("to"), "+14155552671");
    EXPECT_TRUE(call.at("answeredAt").is_string());

    unsigned status = 0;
    const std::string log_id(call.at("callLogId").as_string());
    serve.api("POST", "/api/call-logs/" + log_id + "/hangup", "", &status);
    EXPECT_EQ(status, 202u);
    // Long before the callee's two minutes: Twilio (the simulator) ended it when asked.
    ASSERT_TRUE(eventually([&] { return serve.scheduled_call(id)->at("status") == "completed"; }, 30s));
    EXPECT_TRUE(serve.api("GET", "/api/live-calls").at("items").as_array().empty());
    serve.api("POST", "/api/call-logs/" + log_id + "/hangup", "", &status);
    EXPECT_EQ(status, 409u) << "no longer live";
}

}  // namespace
}  // namespace va::test
