// The simulator end to end over real sockets: its REST API through a blocking client, its calls
// against a fake agent (voice webhook, Media Streams endpoint, status callbacks) that checks
// every signature. Calls run in real time, so scenarios keep them short.
#include "sim/simulator.hpp"

#include <filesystem>
#include <thread>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/json.hpp>
#include <gtest/gtest.h>

#include "core/metrics.hpp"
#include "sim/fake_agent.hpp"
#include "support/http_client.hpp"
#include "support/temp_dir.hpp"
#include "telephony/twilio/base64.hpp"
#include "telephony/twilio/dates.hpp"

namespace va::sim {
namespace {

namespace asio = boost::asio;
namespace json = boost::json;
using test::AgentBehaviour;
using test::FakeAgent;

const std::string kAccount = "AC0123456789abcdef0123456789abcdef";
const std::string kToken = "sim-secret-token";
const std::string kCalls = "/2010-04-01/Accounts/" + kAccount + "/Calls";

std::string basic(const std::string& user, const std::string& password) {
    auto text = user + ":" + password;
    return "Basic " + twilio::base64_encode({reinterpret_cast<const std::uint8_t*>(text.data()), text.size()});
}

Scenario scenario_of(std::string_view text) {
    auto parsed = parse_scenario(text);
    if (auto* e = std::get_if<ScenarioError>(&parsed)) throw std::runtime_error(e->message);
    return std::get<Scenario>(std::move(parsed));
}

class Harness {
public:
    explicit Harness(std::string_view scenario, AgentBehaviour behaviour = {}) {
        agent_ = std::make_unique<FakeAgent>(io_, kToken, std::move(behaviour));
        SimulatorOptions options{kAccount, kToken, scenario_of(scenario), dir_.path(), dir_.path() / "reports"};
        sim_ = std::make_unique<Simulator>(io_, std::move(options), metrics_);
        port_ = sim_->listen({asio::ip::make_address("127.0.0.1"), 0}).port();
        // One thread: the servers on io_ run their connections without strands (net::IoThreads).
        threads_.emplace_back([this] { io_.run(); });
    }
    ~Harness() {
        sim_->shutdown();
        sim_->wait_for_finished(sim_->calls().size(), std::chrono::seconds(10));
        agent_.reset();
        guard_.reset();
        io_.stop();
        for (auto& t : threads_) t.join();
    }

    va::test::HttpReply call_api(const std::string& method, const std::string& target, const twilio::Params& form = {},
                             const std::string& auth = basic(kAccount, kToken)) {
        va::test::HttpClient client(port_);
        return client.request(method, target, twilio::encode_form(form),
                              {{"Authorization", auth}, {"Content-Type", "application/x-www-form-urlencoded"}});
    }
    twilio::Params dial(const std::string& to, twilio::Params extra = {}) {
        twilio::Params form{{"To", to},
                            {"From", "+15005550006"},
                            {"Url", agent_->base_url() + "/voice?scheduled_call_id=sc1&attempt=a1"},
                            {"StatusCallback", agent_->base_url() + "/status?attempt=a1"}};
        for (auto& p : extra) form.push_back(p);
        return form;
    }
    // Creates a call and returns its JSON.
    json::object create(const std::string& to, twilio::Params extra = {}) {
        auto reply = call_api("POST", kCalls + ".json", dial(to, std::move(extra)));
        EXPECT_EQ(reply.status, 201u) << reply.body;
        return json::parse(reply.body).as_object();
    }
    json::object finished_report(const std::string& sid, std::size_t calls = 1) {
        EXPECT_TRUE(sim_->wait_for_finished(calls, std::chrono::seconds(30)));
        auto report = sim_->report(sid);
        EXPECT_TRUE(report.has_value());
        return report.value_or(json::object{});
    }

    FakeAgent& agent() { return *agent_; }
    Simulator& sim() { return *sim_; }
    const std::filesystem::path& dir() const { return dir_.path(); }
    unsigned short port() const { return port_; }

private:
    asio::io_context io_;
    asio::executor_work_guard<asio::io_context::executor_type> guard_{io_.get_executor()};
    core::MetricsRegistry metrics_;
    va::test::TempDir dir_;
    std::unique_ptr<FakeAgent> agent_;
    std::unique_ptr<Simulator> sim_;
    unsigned short port_ = 0;
    std::vector<std::thread> threads_;
};

std::string param(const twilio::Params& params, std::string_view name) {
    return std::string(twilio::find_param(params, name).value_or("<absent>"));
}

std::vector<std::string> timeline_events(const json::object& report, std::string_view source = {}) {
    std::vector<std::string> out;
    for (const auto& e : report.at("timeline").as_array()) {
        if (source.empty() || e.at("source").as_string() == source) out.emplace_back(e.at("event").as_string());
    }
    return out;
}

std::int64_t event_time(const json::object& report, std::string_view name) {
    for (const auto& e : report.at("timeline").as_array()) {
        if (e.at("event").as_string() == name) return e.at("tMs").to_number<std::int64_t>();
    }
    return -1;
}

bool contains(const std::vector<std::string>& v, std::string_view x) { return std::find(v.begin(), v.end(), x) != v.end(); }

const char* kQuickFail = R"({"callsPerSecond": 100, "default": {"outcome": "failed"}})";

TEST(SimRest, WrongCredentialsGetTwilios20003) {
    Harness h(kQuickFail);
    auto reply = h.call_api("POST", kCalls + ".json", h.dial("+15550001111"), basic(kAccount, "wrong"));
    EXPECT_EQ(reply.status, 401u);
    auto body = json::parse(reply.body).as_object();
    EXPECT_EQ(body.at("code").as_int64(), 20003);
    EXPECT_EQ(body.at("status").as_int64(), 401);
    EXPECT_EQ(body.at("more_info").as_string(), "https://www.twilio.com/docs/errors/20003");
    EXPECT_TRUE(body.at("message").is_string());
    EXPECT_TRUE(h.sim().calls().empty());
    EXPECT_EQ(h.call_api("GET", kCalls + ".json", {}, "Bearer x").status, 401u);
}

TEST(SimRest, CreateAnswers201InTwiliosShape) {
    Harness h(kQuickFail);
    auto call = h.create("+15550001111", {{"StatusCallbackEvent", "initiated"}, {"StatusCallbackEvent", "completed"}});
    auto sid = std::string(call.at("sid").as_string());
    EXPECT_EQ(sid.size(), 34u);
    EXPECT_TRUE(sid.starts_with("CA"));
    EXPECT_EQ(sid.find_first_not_of("0123456789abcdef", 2), std::string::npos);
    EXPECT_EQ(call.at("status").as_string(), "queued");
    EXPECT_EQ(call.at("account_sid").as_string(), kAccount);
    EXPECT_EQ(call.at("to").as_string(), "+15550001111");
    EXPECT_EQ(call.at("from").as_string(), "+15005550006");
    EXPECT_EQ(call.at("direction").as_string(), "outbound-api");
    EXPECT_EQ(call.at("api_version").as_string(), "2010-04-01");
    EXPECT_TRUE(call.at("duration").is_null());
    EXPECT_TRUE(call.at("start_time").is_null());
    EXPECT_TRUE(call.at("queue_time").is_string());
    EXPECT_TRUE(twilio::parse_rfc2822(call.at("date_created").as_string()).has_value());
    EXPECT_EQ(call.at("uri").as_string(), kCalls + "/" + sid + ".json");
    EXPECT_TRUE(call.at("subresource_uris").is_object());

    // Fetch gives the same call; an unknown sid or another account's path is Twilio's 404.
    auto fetched = h.call_api("GET", kCalls + "/" + sid + ".json");
    EXPECT_EQ(fetched.status, 200u);
    EXPECT_EQ(json::parse(fetched.body).at("sid").as_string(), sid);
    auto missing = h.call_api("GET", kCalls + "/CA00000000000000000000000000000000.json");
    EXPECT_EQ(missing.status, 404u);
    EXPECT_EQ(json::parse(missing.body).at("code").as_int64(), 20404);
    EXPECT_EQ(h.call_api("GET", "/2010-04-01/Accounts/AC11111111111111111111111111111111/Calls.json").status, 404u);
}

TEST(SimRest, ValidationErrorsUseTwiliosCodesAndPlaceNothing) {
    Harness h(R"({"geoBlockedPrefixes": ["+882"], "default": {"outcome": "failed"}})");
    auto code_of = [&](twilio::Params form) {
        auto reply = h.call_api("POST", kCalls + ".json", form);
        EXPECT_EQ(reply.status, 400u) << reply.body;
        return json::parse(reply.body).at("code").as_int64();
    };
    EXPECT_EQ(code_of({{"From", "+15005550006"}, {"Url", "http://x/"}}), 21201);
    EXPECT_EQ(code_of(h.dial("12345")), 21211);
    EXPECT_EQ(code_of(h.dial("+1555abc1234")), 21211);
    EXPECT_EQ(code_of(h.dial("+88212345678")), 21215);
    EXPECT_EQ(code_of({{"To", "+15550001111"}, {"Url", "http://x/"}}), 21213);
    EXPECT_EQ(code_of({{"To", "+15550001111"}, {"From", "+15005550006"}}), 21205);
    EXPECT_EQ(code_of(h.dial("+15550001111", {{"Timeout", "0"}})), 20001);
    EXPECT_EQ(code_of(h.dial("+15550001111", {{"StatusCallbackEvent", "hungup"}})), 21626);
    EXPECT_TRUE(h.sim().calls().empty());
}

TEST(SimRest, CallsAboveTheRateAreQueued) {
    Harness h(R"({"callsPerSecond": 4, "default": {"outcome": "failed"}})");
    std::vector<long long> queue;
    for (int i = 0; i < 3; ++i) queue.push_back(std::stoll(std::string(h.create("+15550001111").at("queue_time").as_string())));
    EXPECT_EQ(queue[0], 0);
    EXPECT_GT(queue[1], 150);  // 250 ms after the first, minus the time between the requests
    EXPECT_LE(queue[1], 250);
    EXPECT_GT(queue[2], 400);
    EXPECT_LE(queue[2], 500);
    ASSERT_TRUE(h.sim().wait_for_finished(3, std::chrono::seconds(10)));
    for (const auto& call : h.sim().calls()) EXPECT_EQ(call.status, "failed");
}

TEST(SimRest, ListFiltersAndPages) {
    Harness h(kQuickFail);
    h.create("+15550001111");
    h.create("+15550002222");
    h.create("+15550001111");
    ASSERT_TRUE(h.sim().wait_for_finished(3, std::chrono::seconds(10)));
    auto list = [&](const std::string& query) { return json::parse(h.call_api("GET", kCalls + ".json?" + query).body).as_object(); };

    auto by_to = list("To=%2B15550001111");
    EXPECT_EQ(by_to.at("calls").as_array().size(), 2u);
    EXPECT_EQ(list("Status=failed").at("calls").as_array().size(), 3u);
    EXPECT_EQ(list("Status=completed").at("calls").as_array().size(), 0u);
    EXPECT_EQ(list("StartTime%3E=2000-01-01").at("calls").as_array().size(), 3u);
    EXPECT_EQ(list("StartTime%3E=2999-01-01").at("calls").as_array().size(), 0u);

    auto page0 = list("PageSize=2");
    EXPECT_EQ(page0.at("calls").as_array().size(), 2u);
    EXPECT_EQ(page0.at("page").as_int64(), 0);
    ASSERT_TRUE(page0.at("next_page_uri").is_string());
    auto next = std::string(page0.at("next_page_uri").as_string());
    auto page1 = json::parse(h.call_api("GET", next).body).as_object();
    EXPECT_EQ(page1.at("calls").as_array().size(), 1u);
    EXPECT_TRUE(page1.at("next_page_uri").is_null());
    // Newest first, and no call on two pages.
    EXPECT_NE(page0.at("calls").as_array()[0].at("sid"), page1.at("calls").as_array()[0].at("sid"));

    EXPECT_EQ(h.call_api("GET", kCalls + ".json?PageSize=0").status, 400u);
    EXPECT_EQ(h.call_api("GET", kCalls + ".json?StartTime%3E=yesterday").status, 400u);
}

TEST(SimRest, FaultsTooManyRequestsAndServerErrors) {
    Harness h(R"({"callsPerSecond": 100, "default": {"outcome": "failed"}, "numbers": {
        "+15550000429": {"restFault": {"mode": "429", "count": 1}},
        "+15550000500": {"restFault": {"mode": "500"}},
        "+15550000501": {"restFault": {"mode": "500-placed"}}}})");
    auto first = h.call_api("POST", kCalls + ".json", h.dial("+15550000429"));
    EXPECT_EQ(first.status, 429u);
    EXPECT_EQ(json::parse(first.body).at("code").as_int64(), 20429);
    EXPECT_TRUE(h.sim().calls().empty());
    EXPECT_EQ(h.call_api("POST", kCalls + ".json", h.dial("+15550000429")).status, 201u);  // count: 1

    EXPECT_EQ(h.call_api("POST", kCalls + ".json", h.dial("+15550000500")).status, 500u);
    EXPECT_EQ(h.sim().calls().size(), 1u);  // nothing placed
    EXPECT_EQ(h.call_api("POST", kCalls + ".json", h.dial("+15550000501")).status, 500u);
    ASSERT_EQ(h.sim().calls().size(), 2u);  // placed all the same
    EXPECT_EQ(h.sim().calls().back().to, "+15550000501");
}

TEST(SimRest, FaultsDroppedAndDelayedAnswersStillPlaceTheCall) {
    Harness h(R"({"callsPerSecond": 100, "default": {"outcome": "failed"}, "numbers": {
        "+15550000001": {"restFault": {"mode": "drop"}},
        "+15550000002": {"restFault": {"mode": "delay", "delayMs": 300}}}})");
    va::test::HttpClient client(h.port());
    EXPECT_ANY_THROW(client.request("POST", kCalls + ".json", twilio::encode_form(h.dial("+15550000001")),
                                    {{"Authorization", basic(kAccount, kToken)}}));
    ASSERT_EQ(h.sim().calls().size(), 1u);

    auto started = std::chrono::steady_clock::now();
    auto delayed = h.call_api("POST", kCalls + ".json", h.dial("+15550000002"));
    EXPECT_EQ(delayed.status, 201u);
    EXPECT_GE(std::chrono::steady_clock::now() - started, std::chrono::milliseconds(300));
    EXPECT_EQ(h.sim().calls().size(), 2u);
}

const twilio::Params kAllEvents{{"StatusCallbackEvent", "initiated"},
                                {"StatusCallbackEvent", "ringing"},
                                {"StatusCallbackEvent", "answered"},
                                {"StatusCallbackEvent", "completed"}};

TEST(SimCall, AnsweredCallStreamsSignsAndReports) {
    Harness h(R"({"default": {"ringSeconds": 0.05, "voice": "flite:kal",
                  "script": [{"say": "yes", "afterAgentSilenceMs": 300}, {"press": "1", "immediately": true},
                             {"hangup": true}]}})");
    auto call = h.create("+15550001111", kAllEvents);
    auto sid = std::string(call.at("sid").as_string());
    auto report = h.finished_report(sid);
    ASSERT_TRUE(h.agent().wait([](const auto& log) { return log.status_callbacks.size() == 4 && log.stream_closed; }));
    auto log = h.agent().snapshot();
    EXPECT_EQ(log.bad_signatures, 0);

    ASSERT_EQ(log.voice_requests.size(), 1u);
    EXPECT_EQ(param(log.voice_requests[0], "CallSid"), sid);
    EXPECT_EQ(param(log.voice_requests[0], "CallStatus"), "in-progress");
    EXPECT_EQ(param(log.voice_requests[0], "Direction"), "outbound-api");
    EXPECT_EQ(param(log.voice_requests[0], "AccountSid"), kAccount);

    std::vector<std::string> statuses, sequence;
    for (const auto& cb : log.status_callbacks) {
        statuses.push_back(param(cb, "CallStatus"));
        sequence.push_back(param(cb, "SequenceNumber"));
        EXPECT_EQ(param(cb, "CallbackSource"), "call-progress-events");
        EXPECT_TRUE(twilio::parse_rfc2822(param(cb, "Timestamp")).has_value());
    }
    EXPECT_EQ(statuses, (std::vector<std::string>{"initiated", "ringing", "in-progress", "completed"}));
    EXPECT_EQ(sequence, (std::vector<std::string>{"0", "1", "2", "3"}));
    EXPECT_NE(param(log.status_callbacks[3], "CallDuration"), "<absent>");

    // connected, start, media..., the greeting's mark back once played, the callee's digit, stop.
    ASSERT_GE(log.stream_events.size(), 5u);
    EXPECT_EQ(log.stream_events[0], "connected");
    EXPECT_EQ(log.stream_events[1], "start");
    EXPECT_EQ(log.stream_events[2], "media");
    EXPECT_TRUE(contains(log.stream_events, "mark:greeting"));
    EXPECT_TRUE(contains(log.stream_events, "dtmf:1"));
    EXPECT_EQ(log.stream_events.back(), "stop");
    EXPECT_GT(log.speech_frames, 5);
    ASSERT_EQ(log.starts.size(), 1u);
    EXPECT_EQ(log.starts[0].call_sid, sid);
    EXPECT_EQ(log.starts[0].custom_parameters,
              (std::vector<std::pair<std::string, std::string>>{{"ScheduledCallId", "sc1"}, {"Token", "t&<>\"'"}}));

    // The greeting (400 ms) played in real time before its mark came back.
    EXPECT_GE(event_time(report, "mark echoed") - event_time(report, "stream connected"), 380);
    auto callee = timeline_events(report, "callee");
    EXPECT_TRUE(contains(callee, "hears agent"));
    EXPECT_TRUE(contains(callee, "starts speaking"));
    EXPECT_TRUE(contains(callee, "hangs up"));
    EXPECT_EQ(report.at("call").at("status").as_string(), "completed");
    EXPECT_GT(report.at("mediaFrames").at("sent").to_number<int>(), 30);
    EXPECT_TRUE(std::filesystem::exists(h.dir() / "reports" / (sid + ".json")));
    EXPECT_GT(std::filesystem::file_size(h.dir() / "reports" / (sid + ".wav")), 44u);
}

TEST(SimCall, TheLineCarriesNoiseAndEchoAndTheReportNamesEachUtterance) {
    Harness h(R"({"default": {"ringSeconds": 0.05, "voice": "flite:kal",
                  "line": {"noiseSnrDb": 20, "echoDb": -20, "echoDelayMs": [100, 100]},
                  "script": [{"say": "yes", "afterAgentSilenceMs": 200, "label": "short"}, {"hangup": true}]}})");
    auto sid = std::string(h.create("+15550001111").at("sid").as_string());
    auto report = h.finished_report(sid);
    EXPECT_EQ(report.at("echoDelayMs").to_number<int>(), 100);
    const json::object* said = nullptr;
    for (const auto& e : report.at("timeline").as_array()) {
        if (e.at("event").as_string() == "starts speaking") said = &e.as_object();
    }
    ASSERT_NE(said, nullptr) << json::serialize(report.at("timeline"));
    EXPECT_EQ(said->at("label").as_string(), "short");
    EXPECT_GT(said->at("voicedMs").to_number<int>(), 100);
    EXPECT_GE(said->at("leadMs").to_number<int>(), 0);
    // Line noise: every frame the agent got carries sound, also while the callee was silent.
    ASSERT_TRUE(h.agent().wait([](const auto& log) { return log.stream_closed; }));
    EXPECT_GE(h.agent().snapshot().speech_frames, report.at("mediaFrames").at("sent").to_number<int>() - 1);
}

TEST(SimCall, OutcomesEndWithThePreciseStatus) {
    Harness h(R"({"callsPerSecond": 100, "numbers": {
        "+15550000001": {"outcome": "busy", "ringSeconds": 0.1},
        "+15550000002": {"outcome": "no-answer"},
        "+15550000003": {"outcome": "failed"},
        "+15550000004": {"ringSeconds": 5}}})");
    std::map<std::string, std::string> expected{{"+15550000001", "busy"}, {"+15550000002", "no-answer"},
                                                {"+15550000003", "failed"}, {"+15550000004", "no-answer"}};
    for (const auto& [to, status] : expected) h.create(to, {{"Timeout", "1"}});
    ASSERT_TRUE(h.sim().wait_for_finished(4, std::chrono::seconds(20)));
    ASSERT_TRUE(h.agent().wait([](const auto& log) { return log.status_callbacks.size() == 4; }));
    auto log = h.agent().snapshot();
    for (const auto& cb : log.status_callbacks) EXPECT_EQ(param(cb, "CallStatus"), expected.at(param(cb, "To")));
    for (const auto& call : h.sim().calls()) {
        EXPECT_EQ(call.status, expected.at(call.to));
        EXPECT_FALSE(call.duration_s.has_value());
    }
    EXPECT_TRUE(log.voice_requests.empty());
}

TEST(SimCall, CallbackFaultsDropDuplicateReorder) {
    Harness h(R"({"callsPerSecond": 100, "default": {"ringSeconds": 0.05, "hangupAfterSeconds": 0.3}, "numbers": {
        "+15550000001": {"callbackFaults": {"drop": ["ringing"]}},
        "+15550000002": {"callbackFaults": {"duplicate": true}},
        "+15550000003": {"callbackFaults": {"reorder": true}}}})");
    for (auto to : {"+15550000001", "+15550000002", "+15550000003"}) h.create(to, kAllEvents);
    ASSERT_TRUE(h.sim().wait_for_finished(3, std::chrono::seconds(20)));
    auto log = h.agent().snapshot();
    std::map<std::string, std::vector<std::string>> seen;
    for (const auto& cb : log.status_callbacks) seen[param(cb, "To")].push_back(param(cb, "SequenceNumber"));
    EXPECT_EQ(seen["+15550000001"], (std::vector<std::string>{"0", "2", "3"}));  // 1 (ringing) never arrives
    EXPECT_EQ(seen["+15550000002"], (std::vector<std::string>{"0", "0", "1", "1", "2", "2", "3", "3"}));
    EXPECT_EQ(seen["+15550000003"], (std::vector<std::string>{"1", "0", "3", "2"}));
    EXPECT_EQ(log.bad_signatures, 0);
}

TEST(SimCall, BargeInClearReleasesMarksAndIsMeasured) {
    AgentBehaviour agent;
    agent.greeting_ms = 4000;
    agent.clear_on_speech = true;
    Harness h(R"({"default": {"ringSeconds": 0.05, "voice": "flite:kal",
                  "script": [{"say": "stop", "afterAgentStartsMs": 300}, {"silenceMs": 300}, {"hangup": true}]}})",
              agent);
    auto sid = std::string(h.create("+15550001111").at("sid").as_string());
    auto report = h.finished_report(sid);
    auto latency = report.at("latency").at("bargeInToClear").as_object();
    EXPECT_EQ(latency.at("count").to_number<int>(), 1);
    // The mark came back at the clear, long before the 4 s greeting could have played.
    auto mark_at = event_time(report, "mark echoed");
    ASSERT_GT(mark_at, 0);
    EXPECT_LT(mark_at - event_time(report, "stream connected"), 3000);
    EXPECT_TRUE(contains(timeline_events(report, "agent"), "clear"));
}

TEST(SimCall, MeasuresFromTheEndOfTheCalleesSpeechToTheAgentsAnswer) {
    AgentBehaviour agent;
    agent.greeting_ms = 200;
    agent.reply_ms = 300;
    Harness h(R"({"default": {"ringSeconds": 0.05, "voice": "flite:kal",
                  "script": [{"say": "yes", "afterAgentSilenceMs": 200}, {"silenceMs": 100},
                             {"say": "ok", "afterAgentSilenceMs": 200}, {"hangup": true}]}})",
              agent);
    auto sid = std::string(h.create("+15550001111").at("sid").as_string());
    auto report = h.finished_report(sid);
    auto latency = report.at("latency").at("calleeEndToAgentAudio").as_object();
    ASSERT_EQ(latency.at("count").to_number<int>(), 1) << json::serialize(report.at("timeline"));
    // The agent answers 200 ms of silence after the speech (plus the frames in flight).
    auto ms = latency.at("valuesMs").as_array()[0].to_number<std::int64_t>();
    EXPECT_GE(ms, 200);
    EXPECT_LT(ms, 1000);
}

TEST(SimCall, RestHangupAndRedirectToDial) {
    Harness h(R"({"callsPerSecond": 100, "default": {"ringSeconds": 0.05}})");
    auto hangup_sid = std::string(h.create("+15550000001").at("sid").as_string());
    auto dial_sid = std::string(h.create("+15550000002").at("sid").as_string());
    ASSERT_TRUE(h.agent().wait([](const auto& log) { return log.starts.size() == 2; }));

    auto hung = h.call_api("POST", kCalls + "/" + hangup_sid + ".json", {{"Status", "completed"}});
    EXPECT_EQ(hung.status, 200u);
    auto redirected = h.call_api("POST", kCalls + "/" + dial_sid + ".json",
                                 {{"Twiml", "<Response><Dial>+15550009999</Dial></Response>"}});
    EXPECT_EQ(redirected.status, 200u);
    ASSERT_TRUE(h.sim().wait_for_finished(2, std::chrono::seconds(20)));
    for (const auto& call : h.sim().calls()) EXPECT_EQ(call.status, "completed");
    auto report = *h.sim().report(dial_sid);
    EXPECT_EQ(report.at("transfer").at("number").as_string(), "+15550009999");
    ASSERT_TRUE(h.agent().wait([](const auto& log) {
        return std::count(log.stream_events.begin(), log.stream_events.end(), "stop") == 2;
    }));
    // An ended call cannot be redirected.
    auto late = h.call_api("POST", kCalls + "/" + dial_sid + ".json", {{"Url", "http://127.0.0.1:1/x"}});
    EXPECT_EQ(late.status, 400u);
    EXPECT_EQ(json::parse(late.body).at("code").as_int64(), 21220);
}

TEST(SimCall, TwimlSayPauseHangupAndUnsupportedVerbs) {
    AgentBehaviour agent;
    agent.twiml = R"(<Response><Say>hi</Say><Pause length="1"/><Gather/><Hangup/><Say>never</Say></Response>)";
    Harness h(R"({"default": {"ringSeconds": 0.05}})", agent);
    auto sid = std::string(h.create("+15550001111", {{"MachineDetection", "Enable"}}).at("sid").as_string());
    auto report = h.finished_report(sid);
    auto events = timeline_events(report);
    EXPECT_TRUE(contains(events, "say"));
    EXPECT_TRUE(contains(events, "pause"));
    EXPECT_TRUE(contains(events, "unsupported verb"));
    EXPECT_TRUE(contains(events, "hangup"));
    EXPECT_EQ(std::count(events.begin(), events.end(), "say"), 1);  // nothing runs after <Hangup>
    EXPECT_EQ(report.at("call").at("answered_by").as_string(), "human");
    EXPECT_EQ(param(h.agent().snapshot().voice_requests.at(0), "AnsweredBy"), "human");
}

TEST(SimCall, CalleeHangsUpAfterItsTimeAndTheStreamStops) {
    Harness h(R"({"default": {"ringSeconds": 0.05, "hangupAfterSeconds": 0.5}})");
    auto sid = std::string(h.create("+15550001111").at("sid").as_string());
    auto report = h.finished_report(sid);
    EXPECT_EQ(report.at("call").at("status").as_string(), "completed");
    EXPECT_EQ(report.at("call").at("duration").as_string(), "1");
    ASSERT_TRUE(h.agent().wait([](const auto& log) { return log.stream_closed; }));
    EXPECT_EQ(h.agent().snapshot().stream_events.back(), "stop");
}

}  // namespace
}  // namespace va::sim
