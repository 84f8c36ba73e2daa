#include "dispatch_process.hpp"

#include <algorithm>
#include <fstream>
#include <stdexcept>
#include <thread>

#include "core/clock.hpp"
#include "core/time_format.hpp"
#include "timing/time_source.hpp"

namespace va::test {

namespace json = boost::json;

namespace {
std::string basic_auth() {
    auto text = kSimAccount + ":" + kSimToken;
    return "Basic " + twilio::base64_encode({reinterpret_cast<const std::uint8_t*>(text.data()), text.size()});
}
}  // namespace

SimProcess::SimProcess(const TempDir& dir, const std::string& scenario_json, std::vector<std::string> extra_args) {
    std::ofstream(dir.file("scenario.json")) << scenario_json;
    std::vector<std::string> args{"sim",          "--listen",          "127.0.0.1:0",
                                  "--account-sid", kSimAccount,        "--scenario",
                                  dir.file("scenario.json")};
    args.insert(args.end(), extra_args.begin(), extra_args.end());
    process_ = std::make_unique<Process>(voiceagent_binary(), args, std::vector<std::string>{"TWILIO_AUTH_TOKEN=" + kSimToken});
    port_ = port_of(process_->read_stdout_line());
    if (port_ == 0) throw std::runtime_error("the simulator did not start: " + process_->read_all_stderr());
}

std::vector<json::object> SimProcess::calls_to(const std::string& to) { return list_calls("&To=%2B" + to.substr(1)); }

std::vector<json::object> SimProcess::calls() { return list_calls(""); }

std::vector<json::object> SimProcess::list_calls(const std::string& filter) {
    HttpClient client(port_);
    std::vector<json::object> out;
    std::string target = "/2010-04-01/Accounts/" + kSimAccount + "/Calls.json?PageSize=1000" + filter;
    auto reply = client.request("GET", target, "", {{"Authorization", basic_auth()}});
    if (reply.status != 200) throw std::runtime_error("sim list: " + reply.body);
    auto page = json::parse(reply.body);
    for (const auto& c : page.at("calls").as_array()) out.push_back(c.as_object());
    return out;
}

ServeProcess::ServeProcess(const TempDir& dir, const SimProcess& sim, std::vector<std::string> extra_args,
                           std::vector<std::string> extra_env) {
    std::vector<std::string> args{"serve",
                                  "--listen",
                                  "127.0.0.1:0",
                                  "--twilio-api-base",
                                  sim.base_url(),
                                  "--twilio-account-sid",
                                  kSimAccount,
                                  "--twilio-from",
                                  "+15005550006"};
    // Its own port unless the test names another process's (a dispatcher for a web process).
    if (std::find(extra_args.begin(), extra_args.end(), "--public-url") == extra_args.end()) {
        args.insert(args.end(), {"--public-url", "http://127.0.0.1:0"});
    }
    // A SQLite file in `dir` unless the test names a store.
    if (std::find(extra_args.begin(), extra_args.end(), "--db") == extra_args.end()) {
        args.insert(args.end(), {"--db", "sqlite:" + dir.file("va.db")});
    }
    // Dispatch tests need no conversation: skip loading the speech recogniser unless asked.
    if (std::find(extra_args.begin(), extra_args.end(), "--agent") == extra_args.end()) {
        args.insert(args.end(), {"--agent", "greeting"});
    }
    // These tests call the simulator's few numbers again and again, from one scheduled call after
    // another: the cooldown between calls to a number is off unless a test sets it.
    if (std::find(extra_args.begin(), extra_args.end(), "--min-hours-between-calls-to-a-number") == extra_args.end()) {
        args.insert(args.end(), {"--min-hours-between-calls-to-a-number", "0"});
    }
    args.insert(args.end(), extra_args.begin(), extra_args.end());
    // The AuthToken from a file, as a deployment gives it (never a flag).
    std::ofstream(dir.file("twilio-auth-token")) << kSimToken << "\n";
    args.insert(args.end(), {"--twilio-auth-token-file", dir.file("twilio-auth-token")});
    process_ = std::make_unique<Process>(voiceagent_binary(), args, extra_env);
    port_ = port_of(process_->read_stdout_line());
    if (port_ == 0) throw std::runtime_error("serve did not start: " + process_->read_all_stderr());
}

json::value ServeProcess::api(const std::string& method, const std::string& target, const std::string& body,
                              unsigned* status) {
    HttpClient client(port_);
    auto reply = client.request(method, target, body, {{"Content-Type", "application/json"}});
    if (status) *status = reply.status;
    return reply.body.empty() ? json::value() : json::parse(reply.body);
}

std::string ServeProcess::schedule_now(const std::vector<std::string>& numbers, std::string prompt_id) {
    unsigned status = 0;
    if (prompt_id.empty()) {
        auto prompt = api("POST", "/api/prompts",
                          R"({"name":"Reminder","content":"You remind people.","introduction":"Hello!"})", &status);
        if (status != 201) throw std::runtime_error("create prompt: " + json::serialize(prompt));
        prompt_id = std::string(prompt.at("id").as_string());
    }
    json::object body{{"toPhoneNumbers", json::array(numbers.begin(), numbers.end())},
                      {"promptId", prompt_id},
                      {"scheduledDateTime", core::format_rfc3339(timing::RealTime{}.now())}};
    auto created = api("POST", "/api/scheduled-calls", json::serialize(body), &status);
    if (status != 201) throw std::runtime_error("schedule: " + json::serialize(created));
    return std::string(created.at("id").as_string());
}

std::optional<json::object> ServeProcess::scheduled_call(const std::string& id) {
    unsigned status = 0;
    auto call = api("GET", "/api/scheduled-calls/" + id, "", &status);
    if (status != 200) return std::nullopt;
    return call.as_object();
}

bool eventually(const std::function<bool()>& done, std::chrono::milliseconds timeout) {
    auto deadline = std::chrono::steady_clock::now() + timeout;
    while (!done()) {
        if (std::chrono::steady_clock::now() >= deadline) return false;
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    return true;
}

}  // namespace va::test
