// The scale-out configuration, as docs/scale-out.md describes it: two `--role web` processes and
// one `--role dispatcher` share one store behind Debian's nginx (deploy/nginx as it is). The
// simulated Twilio reaches the webhooks and the streams only through nginx. One web process is
// killed mid-run: every call still ends with one dial, every call that had not been answered by
// then streams through the other, and the API keeps answering. On a SQLite file and on MongoDB.
#include <signal.h>

#include <fstream>
#include <set>

#include <boost/json.hpp>
#include <gtest/gtest.h>

#include "core/time_format.hpp"
#include "dispatch_process.hpp"
#include "nginx_process.hpp"
#include "support/mongo_server.hpp"
#include "timing/time_source.hpp"

namespace va::test {
namespace {

namespace json = boost::json;
using namespace std::chrono_literals;

const std::string kApiToken = "scale-out-0123456789abcdef0123456789abcdef";
constexpr int kCalls = 20;

// One `voiceagent serve --role ROLE` of the deployment: Twilio is the simulator, the public URL
// is nginx's, and nginx (on 127.0.0.1) is a trusted proxy.
std::unique_ptr<Process> start_role(const TempDir& dir, const SimProcess& sim, const NginxListener& nginx,
                                    const std::vector<std::string>& store, const std::string& role,
                                    unsigned short& port) {
    std::ofstream(dir.file("twilio-auth-token")) << kSimToken << "\n";
    std::vector<std::string> args{"serve", "--role", role, "--listen", "127.0.0.1:0", "--twilio-api-base", sim.base_url(),
                                  "--twilio-account-sid", kSimAccount, "--twilio-from", "+15005550006",
                                  "--twilio-auth-token-file", dir.file("twilio-auth-token"), "--public-url",
                                  "http://127.0.0.1:" + std::to_string(nginx.port()), "--trusted-proxies", "127.0.0.1",
                                  "--agent", "greeting", "--min-hours-between-calls-to-a-number", "0",
                                  // Two calls a second: the run lasts long enough to kill a web process in it.
                                  "--calls-per-second", "2", "--dispatch-sweep-seconds", "1",
                                  "--api-rate-limit", "1000"};  // the test polls
    args.insert(args.end(), store.begin(), store.end());
    auto process = std::make_unique<Process>(voiceagent_binary(), args, std::vector<std::string>{"VA_API_TOKENS=" + kApiToken});
    port = port_of(process->read_stdout_line());
    if (port == 0) throw std::runtime_error(role + " did not start: " + process->read_all_stderr());
    return process;
}

// The API, through nginx.
struct Api {
    unsigned short port;
    json::value call(const std::string& method, const std::string& target, const std::string& body, unsigned& status) {
        HttpClient client(port);
        auto reply = client.request(method, target, body,
                                    {{"Content-Type", "application/json"}, {"Authorization", "Bearer " + kApiToken}});
        status = reply.status;
        return reply.body.empty() || reply.body[0] != '{' ? json::value(reply.body) : json::parse(reply.body);
    }
    std::string schedule_now(const std::string& number, const std::string& prompt_id) {
        json::object body{{"toPhoneNumbers", json::array{json::value(number)}},
                          {"promptId", prompt_id},
                          {"scheduledDateTime", core::format_rfc3339(timing::RealTime{}.now())}};
        unsigned status = 0;
        auto created = call("POST", "/api/scheduled-calls", json::serialize(body), status);
        if (status != 201) throw std::runtime_error("schedule: " + json::serialize(created));
        return std::string(created.at("id").as_string());
    }
};

bool answered(const json::object& sim_call) {
    const auto status = sim_call.at("status").as_string();
    return status != "queued" && status != "initiated" && status != "ringing";
}

void run_scale_out(const std::vector<std::string>& store) {
    TempDir dir;
    SimProcess sim(dir, R"({"callsPerSecond": 100,
                            "default": {"ringSeconds": 0.5, "hangupAfterSeconds": 3}})");
    NginxListener listener;
    unsigned short web_ports[2] = {0, 0}, dispatcher_port = 0;
    auto web_a = start_role(dir, sim, listener, store, "web", web_ports[0]);
    auto web_b = start_role(dir, sim, listener, store, "web", web_ports[1]);
    NginxProcess nginx(dir, listener, {web_ports[0], web_ports[1]});
    auto dispatcher = start_role(dir, sim, listener, store, "dispatcher", dispatcher_port);

    Api api{listener.port()};
    unsigned status = 0;
    auto prompt = api.call("POST", "/api/prompts", R"({"name":"Reminder","content":"You remind people.","introduction":"Hello from the scale-out test."})",
                           status);
    ASSERT_EQ(status, 201u) << json::serialize(prompt) << nginx.error_log();
    const std::string prompt_id(prompt.at("id").as_string());
    std::vector<std::string> numbers, ids;
    for (int i = 0; i < kCalls; ++i) {
        numbers.push_back("+1415555" + std::to_string(4000 + i));
        ids.push_back(api.schedule_now(numbers.back(), prompt_id));
    }

    // Mid-run: some calls answered (streams on either web process), most not yet dialed.
    ASSERT_TRUE(eventually(
        [&] {
            auto calls = sim.calls();
            return std::count_if(calls.begin(), calls.end(), answered) >= 5;
        },
        60s));
    web_a->signal(SIGKILL);
    web_a->wait();
    std::set<std::string> answered_before;  // by number: these may have lost their stream
    for (const auto& c : sim.calls()) {
        if (answered(c)) answered_before.insert(std::string(c.at("to").as_string()));
    }
    ASSERT_LT(answered_before.size(), static_cast<std::size_t>(kCalls)) << "the kill came after the last answer";

    // The API answers through the other web process at once: reads, and a write.
    auto listed = api.call("GET", "/api/scheduled-calls?limit=1", "", status);
    EXPECT_EQ(status, 200u) << json::serialize(listed) << nginx.error_log();
    api.call("POST", "/api/prompts", R"({"name":"After","content":"c","introduction":"i"})", status);
    EXPECT_EQ(status, 201u) << nginx.error_log();

    json::value completed;
    ASSERT_TRUE(eventually(
        [&] {
            completed = api.call("GET", "/api/scheduled-calls?status=completed&limit=100", "", status);
            return status == 200 && completed.at("items").as_array().size() == ids.size();
        },
        90s))
        << status << " " << json::serialize(completed) << nginx.error_log();

    for (int i = 0; i < kCalls; ++i) {
        SCOPED_TRACE(numbers[i]);
        EXPECT_EQ(sim.calls_to(numbers[i]).size(), 1u) << "one dial per call";
        unsigned got = 0;
        auto call = api.call("GET", "/api/scheduled-calls/" + ids[i], "", got);
        EXPECT_EQ(call.at("recipients").at(0).at("status"), "completed") << json::serialize(call);
        if (answered_before.count(numbers[i])) continue;
        // Answered after the kill: its webhook and stream went to the surviving web process.
        auto logs = api.call("GET", "/api/call-logs?scheduledCallId=" + ids[i], "", got);
        ASSERT_EQ(logs.at("items").as_array().size(), 1u) << json::serialize(logs);
        const auto& log = logs.at("items").at(0);
        EXPECT_TRUE(log.at("streamSid").is_string()) << json::serialize(log);
        EXPECT_TRUE(log.at("streamEndedAt").is_string()) << json::serialize(log);
    }

    for (auto* process : {web_b.get(), dispatcher.get()}) {
        process->signal(SIGTERM);
        EXPECT_EQ(process->wait(), 0);
    }
}

TEST(ScaleOut, TwoWebProcessesAndADispatcherBehindNginxOnOneSqliteFile) {
    TempDir dir;
    run_scale_out({"--db", "sqlite:" + dir.file("shared.db")});
}

TEST(ScaleOut, TwoWebProcessesAndADispatcherBehindNginxOnMongoDb) {
    run_scale_out({"--db", MongoServer::shared().uri(MongoServer::fresh_database())});
}

}  // namespace
}  // namespace va::test
