// The REST client against the real phone simulator on loopback (its REST faults included), plus a
// fake Twilio for answers the simulator never gives (raw numbers in messages, broken bodies).
#include "telephony/twilio/rest_client.hpp"

#include <cmath>
#include <condition_variable>
#include <mutex>
#include <set>
#include <thread>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/use_future.hpp>
#include <gtest/gtest.h>

#include "core/metrics.hpp"
#include "net/server.hpp"
#include "sim/simulator.hpp"
#include "support/log_capture.hpp"
#include "support/temp_dir.hpp"
#include "timing/time_source.hpp"

namespace va::twilio {
namespace {

namespace asio = boost::asio;
using namespace std::chrono_literals;

const std::string kAccount = "AC0123456789abcdef0123456789abcdef";
const std::string kToken = "rest-client-secret";

// Our side of a call: the voice webhook (TwiML that keeps the call up) and status callbacks; and,
// under /2010-04-01/, a fake Twilio answering whatever the test set.
struct Endpoints {
    std::mutex mutex;
    std::condition_variable changed;
    int voice_requests = 0;
    net::Response canned;

    bool wait_for_voice(int count) {
        std::unique_lock lock(mutex);
        return changed.wait_for(lock, 10s, [&] { return voice_requests >= count; });
    }
    void answer_with(unsigned status, std::string body, net::Fields headers = {}) {
        std::lock_guard lock(mutex);
        canned = {};
        canned.status = status;
        canned.body = std::move(body);
        canned.headers = std::move(headers);
    }
};

asio::awaitable<net::Response> answer(std::shared_ptr<Endpoints> endpoints, net::Request request) {
    net::Response response;
    std::lock_guard lock(endpoints->mutex);
    if (request.path.starts_with("/2010-04-01/")) {
        response = endpoints->canned;
    } else if (request.path == "/voice") {
        ++endpoints->voice_requests;
        endpoints->changed.notify_all();
        response.content_type = "text/xml";
        response.body = R"(<?xml version="1.0" encoding="UTF-8"?><Response><Pause length="30"/></Response>)";
    }
    response.route = request.path;
    co_return response;
}

sim::Scenario scenario_of(std::string_view text) {
    auto parsed = sim::parse_scenario(text);
    if (auto* e = std::get_if<sim::ScenarioError>(&parsed)) throw std::runtime_error(e->message);
    return std::get<sim::Scenario>(std::move(parsed));
}

std::string base_url(unsigned short port) { return "http://127.0.0.1:" + std::to_string(port); }

class Harness {
public:
    explicit Harness(std::string_view scenario) {
        sim::SimulatorOptions options{kAccount, kToken, scenario_of(scenario), dir_.path(), {}};
        sim_ = std::make_unique<sim::Simulator>(io_, std::move(options), metrics_);
        sim_port_ = sim_->listen({asio::ip::make_address("127.0.0.1"), 0}).port();
        endpoints_server_ = std::make_unique<net::HttpServer>(
            io_, [e = endpoints_](net::Request r) { return answer(e, std::move(r)); }, metrics_);
        endpoints_port_ = endpoints_server_->listen({asio::ip::make_address("127.0.0.1"), 0}).port();
        // One thread: the servers on io_ run their connections without strands (net::IoThreads).
        threads_.emplace_back([this] { io_.run(); });
    }
    ~Harness() {
        sim_->shutdown();
        sim_->wait_for_finished(sim_->calls().size(), 10s);
        endpoints_server_->shutdown();
        guard_.reset();
        io_.stop();
        for (auto& t : threads_) t.join();
    }

    RestConfig config(std::string token = kToken) const {
        RestConfig c;
        c.api_base = base_url(sim_port_);
        c.account_sid = kAccount;
        c.auth_token = std::move(token);
        c.timeout = 5s;
        return c;
    }
    RestConfig fake_twilio_config() const {
        auto c = config();
        c.api_base = base_url(endpoints_port_);
        return c;
    }
    CreateCallRequest dial(std::string to) const {
        CreateCallRequest request;
        request.to = std::move(to);
        request.from = "+15005550006";
        request.url = base_url(endpoints_port_) + "/voice";
        request.status_callback = base_url(endpoints_port_) + "/status";
        return request;
    }
    template <typename T>
    T run(asio::awaitable<T> task) {
        return asio::co_spawn(asio::make_strand(io_), std::move(task), asio::use_future).get();
    }

    asio::io_context& io() { return io_; }
    sim::Simulator& sim() { return *sim_; }
    Endpoints& endpoints() { return *endpoints_; }

private:
    core::MetricsRegistry metrics_;  // outlives the io_context: frames destroyed with it may count
    asio::io_context io_;
    asio::executor_work_guard<asio::io_context::executor_type> guard_{io_.get_executor()};
    va::test::TempDir dir_;
    std::shared_ptr<Endpoints> endpoints_ = std::make_shared<Endpoints>();
    std::unique_ptr<sim::Simulator> sim_;
    std::unique_ptr<net::HttpServer> endpoints_server_;
    unsigned short sim_port_ = 0;
    unsigned short endpoints_port_ = 0;
    std::vector<std::thread> threads_;
};

const char* kQuickFail = R"({"callsPerSecond": 100, "default": {"outcome": "failed"}})";

TEST(TwilioRest, CreateQueuesACallWithEveryStatusCallbackEvent) {
    Harness h(kQuickFail);
    RestClient client(h.io(), h.config());
    auto request = h.dial("+15550001111");
    request.timeout_s = 30;
    request.time_limit_s = 600;
    request.machine_detection = "Enable";
    auto result = h.run(client.create_call(request));
    ASSERT_EQ(result.outcome, RestOutcome::ok) << result.detail;
    ASSERT_TRUE(result.call);
    EXPECT_TRUE(result.call->sid.starts_with("CA"));
    EXPECT_EQ(result.call->sid.size(), 34u);
    EXPECT_EQ(result.call->status, "queued");
    EXPECT_EQ(result.call->to, "+15550001111");
    EXPECT_EQ(result.call->from, "+15005550006");
    EXPECT_TRUE(result.call->date_created);
    EXPECT_FALSE(result.call->start_time);
    EXPECT_FALSE(result.call->duration_s);
    EXPECT_EQ(result.error.http_status, 201u);
    EXPECT_TRUE(result.error.request_sent);

    auto calls = h.sim().calls();
    ASSERT_EQ(calls.size(), 1u);
    EXPECT_EQ(calls[0].sid, result.call->sid);
    EXPECT_EQ(calls[0].status_callback_events,
              (std::set<std::string>{"initiated", "ringing", "answered", "completed"}));
    EXPECT_EQ(calls[0].status_callback, request.status_callback);
    EXPECT_EQ(calls[0].status_callback_method, "POST");
    EXPECT_EQ(calls[0].url, request.url);
    EXPECT_EQ(calls[0].timeout_s, 30);
    EXPECT_EQ(calls[0].time_limit_s, 600);
    EXPECT_EQ(calls[0].machine_detection, "Enable");
}

// The gauge's value in /metrics' text.
double gauge_value(const core::MetricsRegistry& metrics, const std::string& name) {
    const auto text = metrics.render();
    const auto at = text.find("\n" + name + " ");
    return at == std::string::npos ? std::nan("") : std::stod(text.substr(at + name.size() + 2));
}

TEST(TwilioRest, LearnsTwiliosClockFromItsDateHeaderAndWarnsWhenItIsPastTwoSeconds) {
    for (const int offset_s : {30, -30, 0}) {
        SCOPED_TRACE(offset_s);
        Harness h(R"({"callsPerSecond": 100, "clockOffsetMs": )" + std::to_string(offset_s * 1000) +
                  R"(, "default": {"outcome": "failed"}})");
        core::MetricsRegistry metrics;
        auto config = h.config();
        config.metrics = &metrics;
        RestClient client(h.io(), config);
        EXPECT_EQ(client.clock_offset(), 0ms) << "until Twilio has answered";
        va::test::LogCapture log;
        auto listed = h.run(client.list_calls(ListCallsFilter{}));
        ASSERT_EQ(listed.outcome, RestOutcome::ok) << listed.detail;
        // The Date header has whole seconds, and the answer takes a moment to arrive.
        EXPECT_NEAR(static_cast<double>(client.clock_offset().count()), offset_s * 1000.0, 1500);
        EXPECT_NEAR(gauge_value(metrics, "twilio_clock_offset_seconds"), offset_s, 1.5);
        EXPECT_EQ(log.contains("Twilio's clock is"), offset_s != 0) << log.all();
    }
}

TEST(TwilioRest, WrongCredentialsAreRejectedWith20003) {
    Harness h(kQuickFail);
    RestClient client(h.io(), h.config("not-the-token"));
    auto result = h.run(client.create_call(h.dial("+15550001111")));
    EXPECT_EQ(result.outcome, RestOutcome::rejected);
    EXPECT_EQ(result.error.http_status, 401u);
    EXPECT_EQ(result.error.code, 20003);
    EXPECT_NE(result.detail.find("20003"), std::string::npos) << result.detail;
    EXPECT_EQ(result.detail.find("not-the-token"), std::string::npos);
    EXPECT_TRUE(h.sim().calls().empty());
}

TEST(TwilioRest, InvalidAndGeoBlockedNumbersAreRejectedWithTwiliosCodes) {
    Harness h(R"({"geoBlockedPrefixes": ["+882"], "default": {"outcome": "failed"}})");
    RestClient client(h.io(), h.config());
    auto invalid = h.run(client.create_call(h.dial("12345")));
    EXPECT_EQ(invalid.outcome, RestOutcome::rejected);
    EXPECT_EQ(invalid.error.http_status, 400u);
    EXPECT_EQ(invalid.error.code, 21211);
    auto blocked = h.run(client.create_call(h.dial("+88212345678")));
    EXPECT_EQ(blocked.outcome, RestOutcome::rejected);
    EXPECT_EQ(blocked.error.code, 21215);
    EXPECT_FALSE(blocked.error.message.empty());
    EXPECT_EQ(blocked.detail.find("212345678"), std::string::npos) << blocked.detail;
    EXPECT_TRUE(h.sim().calls().empty());
}

TEST(TwilioRest, TooManyRequestsIsThrottledAndSafeToRetry) {
    Harness h(R"({"callsPerSecond": 100, "default": {"outcome": "failed"}, "numbers": {
        "+15550000429": {"restFault": {"mode": "429", "count": 1}}}})");
    RestClient client(h.io(), h.config());
    auto first = h.run(client.create_call(h.dial("+15550000429")));
    EXPECT_EQ(first.outcome, RestOutcome::throttled) << first.detail;
    EXPECT_EQ(first.error.http_status, 429u);
    EXPECT_EQ(first.error.code, 20429);
    EXPECT_TRUE(h.sim().calls().empty());
    auto again = h.run(client.create_call(h.dial("+15550000429")));
    EXPECT_EQ(again.outcome, RestOutcome::ok) << again.detail;
    EXPECT_EQ(h.sim().calls().size(), 1u);
}

TEST(TwilioRest, ServerErrorsAreUnknownWhetherOrNotTheCallWasPlaced) {
    Harness h(R"({"callsPerSecond": 100, "default": {"outcome": "failed"}, "numbers": {
        "+15550000500": {"restFault": {"mode": "500"}},
        "+15550000501": {"restFault": {"mode": "500-placed"}}}})");
    RestClient client(h.io(), h.config());
    auto not_placed = h.run(client.create_call(h.dial("+15550000500")));
    EXPECT_EQ(not_placed.outcome, RestOutcome::unknown);
    EXPECT_EQ(not_placed.error.http_status, 500u);
    EXPECT_EQ(not_placed.error.code, 20500);
    EXPECT_TRUE(h.sim().calls().empty());
    auto placed = h.run(client.create_call(h.dial("+15550000501")));
    EXPECT_EQ(placed.outcome, RestOutcome::unknown);
    EXPECT_EQ(placed.error.http_status, 500u);
    EXPECT_EQ(h.sim().calls().size(), 1u);
}

TEST(TwilioRest, ADroppedAnswerIsUnknownAfterSending) {
    Harness h(R"({"callsPerSecond": 100, "default": {"outcome": "failed"}, "numbers": {
        "+15550000001": {"restFault": {"mode": "drop"}}}})");
    RestClient client(h.io(), h.config());
    auto result = h.run(client.create_call(h.dial("+15550000001")));
    EXPECT_EQ(result.outcome, RestOutcome::unknown);
    EXPECT_TRUE(result.error.request_sent);
    EXPECT_FALSE(result.error.timed_out);
    EXPECT_EQ(result.error.http_status, 0u);
    EXPECT_EQ(h.sim().calls().size(), 1u);  // it was placed: only a lookup can tell
}

TEST(TwilioRest, AnAnswerSlowerThanTheTimeoutIsUnknownAndTimedOut) {
    Harness h(R"({"callsPerSecond": 100, "default": {"outcome": "failed"}, "numbers": {
        "+15550000002": {"restFault": {"mode": "delay", "delayMs": 3000}}}})");
    auto config = h.config();
    config.timeout = 300ms;
    RestClient client(h.io(), config);
    auto result = h.run(client.create_call(h.dial("+15550000002")));
    EXPECT_EQ(result.outcome, RestOutcome::unknown);
    EXPECT_TRUE(result.error.request_sent);
    EXPECT_TRUE(result.error.timed_out);
    EXPECT_NE(result.detail.find("timed out"), std::string::npos) << result.detail;
}

TEST(TwilioRest, ARefusedConnectionIsNotSent) {
    Harness h(kQuickFail);
    unsigned short port = 0;
    {
        asio::io_context io;
        asio::ip::tcp::acceptor acceptor(io, {asio::ip::make_address("127.0.0.1"), 0});
        port = acceptor.local_endpoint().port();
    }
    auto config = h.config();
    config.api_base = base_url(port);
    RestClient client(h.io(), config);
    auto result = h.run(client.create_call(h.dial("+15550001111")));
    EXPECT_EQ(result.outcome, RestOutcome::not_sent);
    EXPECT_FALSE(result.error.request_sent);
    EXPECT_NE(result.detail.find("connect"), std::string::npos) << result.detail;
}

TEST(TwilioRest, ListFiltersByToAndFollowsEveryPage) {
    Harness h(kQuickFail);
    RestClient client(h.io(), h.config());
    std::set<std::string> created;
    for (int i = 0; i < 5; ++i) {
        auto result = h.run(client.create_call(h.dial("+15550001111")));
        ASSERT_TRUE(result.ok()) << result.detail;
        created.insert(result.call->sid);
    }
    for (int i = 0; i < 2; ++i) ASSERT_TRUE(h.run(client.create_call(h.dial("+15550002222"))).ok());

    ListCallsFilter filter;
    filter.to = "+15550001111";
    filter.page_size = 2;
    auto all = h.run(client.list_calls(filter));
    ASSERT_EQ(all.outcome, RestOutcome::ok) << all.detail;
    EXPECT_FALSE(all.truncated);
    std::set<std::string> listed;
    for (const auto& call : all.calls) {
        EXPECT_EQ(call.to, "+15550001111");
        listed.insert(call.sid);
    }
    EXPECT_EQ(all.calls.size(), 5u);  // three pages, no call twice
    EXPECT_EQ(listed, created);

    auto config = h.config();
    config.max_list_pages = 2;
    RestClient capped(h.io(), config);
    auto first_two = h.run(capped.list_calls(filter));
    EXPECT_EQ(first_two.outcome, RestOutcome::ok);
    EXPECT_TRUE(first_two.truncated);
    EXPECT_EQ(first_two.calls.size(), 4u);

    auto now = timing::RealTime{}.now();
    filter.start_time_on_or_after = now - 48h;
    EXPECT_EQ(h.run(client.list_calls(filter)).calls.size(), 5u);
    filter.start_time_on_or_after = now + 48h;
    auto none = h.run(client.list_calls(filter));
    EXPECT_EQ(none.outcome, RestOutcome::ok);
    EXPECT_TRUE(none.calls.empty());
}

TEST(TwilioRest, FetchGivesTheCallAndTwilios404ForAnUnknownOne) {
    Harness h(kQuickFail);
    RestClient client(h.io(), h.config());
    auto created = h.run(client.create_call(h.dial("+15550001111")));
    ASSERT_TRUE(created.ok()) << created.detail;
    auto fetched = h.run(client.fetch_call(created.call->sid));
    ASSERT_EQ(fetched.outcome, RestOutcome::ok) << fetched.detail;
    EXPECT_EQ(fetched.call->sid, created.call->sid);
    EXPECT_EQ(fetched.call->to, "+15550001111");

    auto missing = h.run(client.fetch_call("CA00000000000000000000000000000000"));
    EXPECT_EQ(missing.outcome, RestOutcome::rejected);
    EXPECT_EQ(missing.error.http_status, 404u);
    EXPECT_EQ(missing.error.code, 20404);
    EXPECT_NE(missing.error.message.find("/2010-04-01/Accounts/"), std::string::npos) << missing.error.message;

    auto bad = h.run(client.fetch_call("../Calls"));  // never reaches a path
    EXPECT_EQ(bad.outcome, RestOutcome::rejected);
    EXPECT_FALSE(bad.error.request_sent);
}

TEST(TwilioRest, UpdateCancelsARingingCall) {
    Harness h(R"({"callsPerSecond": 100, "default": {"ringSeconds": 30}})");
    RestClient client(h.io(), h.config());
    auto created = h.run(client.create_call(h.dial("+15550001111")));
    ASSERT_TRUE(created.ok()) << created.detail;
    auto canceled = h.run(client.update_call(created.call->sid, {{"Status", "canceled"}}));
    EXPECT_EQ(canceled.outcome, RestOutcome::ok) << canceled.detail;
    ASSERT_TRUE(h.sim().wait_for_finished(1, 10s));
    auto fetched = h.run(client.fetch_call(created.call->sid));
    ASSERT_TRUE(fetched.ok());
    EXPECT_EQ(fetched.call->status, "canceled");
}

TEST(TwilioRest, UpdateHangsUpAnAnsweredCall) {
    Harness h(R"({"callsPerSecond": 100, "default": {"ringSeconds": 0.05}})");
    RestClient client(h.io(), h.config());
    auto created = h.run(client.create_call(h.dial("+15550001111")));
    ASSERT_TRUE(created.ok()) << created.detail;
    ASSERT_TRUE(h.endpoints().wait_for_voice(1));  // answered: the voice webhook was asked
    auto live = h.run(client.fetch_call(created.call->sid));
    ASSERT_TRUE(live.ok());
    EXPECT_EQ(live.call->status, "in-progress");
    EXPECT_TRUE(live.call->start_time);
    EXPECT_FALSE(live.call->duration_s);

    auto hung_up = h.run(client.update_call(created.call->sid, {{"Status", "completed"}}));
    EXPECT_EQ(hung_up.outcome, RestOutcome::ok) << hung_up.detail;
    ASSERT_TRUE(h.sim().wait_for_finished(1, 10s));
    auto ended = h.run(client.fetch_call(created.call->sid));
    ASSERT_TRUE(ended.ok());
    EXPECT_EQ(ended.call->status, "completed");
    EXPECT_TRUE(ended.call->end_time);
    ASSERT_TRUE(ended.call->duration_s);
    EXPECT_GE(*ended.call->duration_s, 1);
}

// Answers the simulator does not give.

TEST(TwilioRest, NumbersInTwiliosMessagesAreMasked) {
    Harness h(kQuickFail);
    RestClient client(h.io(), h.fake_twilio_config());
    h.endpoints().answer_with(400, R"({"code": 21211, "message": "The 'To' number +15551234567 is not valid (+1 415-555 2671), call CA1234567890abcdef1234567890abcdef", "status": 400})");
    auto result = h.run(client.create_call(h.dial("+15551234567")));
    EXPECT_EQ(result.outcome, RestOutcome::rejected);
    EXPECT_EQ(result.error.code, 21211);
    for (const auto* text : {&result.error.message, &result.detail}) {
        EXPECT_EQ(text->find("5551234567"), std::string::npos) << *text;
        EXPECT_NE(text->find("+*******4567"), std::string::npos) << *text;
        EXPECT_NE(text->find("+* ***-*** 2671"), std::string::npos) << *text;
        EXPECT_NE(text->find("CA1234567890abcdef1234567890abcdef"), std::string::npos) << *text;
    }
    h.endpoints().answer_with(404, R"({"code": 20404, "message": "The requested resource /2010-04-01/Accounts/AC1/Calls.json?To=%2B15551234567 was not found", "status": 404})");
    auto listed = h.run(client.list_calls({.to = "+15551234567"}));
    EXPECT_EQ(listed.outcome, RestOutcome::rejected);
    EXPECT_NE(listed.detail.find("/2010-04-01/Accounts/AC1/Calls.json?To=%2B*******4567 was"), std::string::npos)
        << listed.detail;
}

TEST(TwilioRest, UnparsableSuccessIsUnknownNotOk) {
    Harness h(kQuickFail);
    RestClient client(h.io(), h.fake_twilio_config());
    h.endpoints().answer_with(201, "<html>created</html>");
    auto not_json = h.run(client.create_call(h.dial("+15550001111")));
    EXPECT_EQ(not_json.outcome, RestOutcome::unknown);
    EXPECT_TRUE(not_json.error.request_sent);
    EXPECT_EQ(not_json.error.http_status, 201u);
    h.endpoints().answer_with(201, R"({"status": "queued"})");
    EXPECT_EQ(h.run(client.create_call(h.dial("+15550001111"))).outcome, RestOutcome::unknown);
    // A next page elsewhere is not followed.
    h.endpoints().answer_with(200, R"({"calls": [], "next_page_uri": "/2010-04-01/Accounts/AC11111111111111111111111111111111/Calls.json?Page=1"})");
    EXPECT_EQ(h.run(client.list_calls({})).outcome, RestOutcome::unknown);
}

TEST(TwilioRest, DurationIsReadFromAStringANumberOrNull) {
    Harness h(kQuickFail);
    RestClient client(h.io(), h.fake_twilio_config());
    const std::string sid = "CA0123456789abcdef0123456789abcdef";
    auto with = [&](const std::string& duration) {
        h.endpoints().answer_with(200, R"({"sid": ")" + sid + R"(", "status": "completed", "answered_by": null,
            "start_time": "Tue, 31 Aug 2010 20:36:28 +0000", "end_time": "Tue, 31 Aug 2010 20:37:10 +0000",
            "duration": )" + duration + "}");
        auto result = h.run(client.fetch_call(sid));
        EXPECT_TRUE(result.ok()) << result.detail;
        return result.call.value_or(CallResource{});
    };
    auto call = with(R"("42")");
    EXPECT_EQ(call.duration_s, 42);
    EXPECT_EQ(call.answered_by, "");
    ASSERT_TRUE(call.start_time && call.end_time);
    EXPECT_EQ(*call.end_time - *call.start_time, 42s);
    EXPECT_EQ(with("42").duration_s, 42);
    EXPECT_EQ(with("null").duration_s, std::nullopt);
    EXPECT_EQ(with(R"("soon")").duration_s, std::nullopt);
}

TEST(TwilioRest, ThrottlingCarriesRetryAfterAndOther5xxAreUnknown) {
    Harness h(kQuickFail);
    RestClient client(h.io(), h.fake_twilio_config());
    h.endpoints().answer_with(429, R"({"code": 20429, "message": "Too Many Requests", "status": 429})",
                              {{"Retry-After", "7"}});
    auto throttled = h.run(client.create_call(h.dial("+15550001111")));
    EXPECT_EQ(throttled.outcome, RestOutcome::throttled);
    EXPECT_EQ(throttled.error.retry_after, 7s);
    h.endpoints().answer_with(503, R"({"code": 20503, "message": "Service Unavailable", "status": 503})");
    EXPECT_EQ(h.run(client.create_call(h.dial("+15550001111"))).outcome, RestOutcome::unknown);
    h.endpoints().answer_with(503, R"({"code": 20429, "message": "Too Many Requests", "status": 503})");
    EXPECT_EQ(h.run(client.create_call(h.dial("+15550001111"))).outcome, RestOutcome::throttled);
}

TEST(TwilioRest, BadConfigurationIsRefusedAtConstruction) {
    asio::io_context io;
    RestConfig config;
    config.account_sid = "AC123";
    EXPECT_THROW(RestClient(io, config), std::invalid_argument);
    config.account_sid = kAccount;
    config.api_base = "ftp://api.twilio.com";
    EXPECT_THROW(RestClient(io, config), std::invalid_argument);
    config.api_base = "https://api.twilio.com/2010-04-01";
    EXPECT_THROW(RestClient(io, config), std::invalid_argument);
    config.api_base = "https://api.twilio.com/";
    EXPECT_NO_THROW(RestClient(io, config));
}

}  // namespace
}  // namespace va::twilio
