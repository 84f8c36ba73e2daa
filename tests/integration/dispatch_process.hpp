#pragma once
// The real binaries for dispatch tests: `voiceagent sim` as Twilio and `voiceagent serve` as a
// worker pointed at it, each on port 0, plus the API calls the tests make.
#include <cstdlib>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <boost/json.hpp>

#include "support/http_client.hpp"
#include "support/process.hpp"
#include "support/temp_dir.hpp"
#include "telephony/twilio/base64.hpp"

namespace va::test {

inline const std::string kSimAccount = "AC0123456789abcdef0123456789abcdef";
inline const std::string kSimToken = "integration-token";

inline std::string voiceagent_binary() {
    const char* path = std::getenv("VA_BINARY");
    return path ? path : "voiceagent";
}

// "listening on http://127.0.0.1:PORT" → PORT (0 when the line is something else).
inline unsigned short port_of(const std::string& line) {
    const std::string prefix = "listening on http://127.0.0.1:";
    if (line.rfind(prefix, 0) != 0) return 0;
    return static_cast<unsigned short>(std::stoi(line.substr(prefix.size())));
}

class SimProcess {
public:
    SimProcess(const TempDir& dir, const std::string& scenario_json, std::vector<std::string> extra_args = {});
    unsigned short port() const { return port_; }
    std::string base_url() const { return "http://127.0.0.1:" + std::to_string(port_); }
    // The simulator's call list for `to` (every page).
    std::vector<boost::json::object> calls_to(const std::string& to);
    std::vector<boost::json::object> calls();  // every call, up to 1000

private:
    std::vector<boost::json::object> list_calls(const std::string& filter);
    std::unique_ptr<Process> process_;
    unsigned short port_ = 0;
};

class ServeProcess {
public:
    // `extra_env`: "NAME=value" entries added to the environment (secrets such as DEEPGRAM_API_KEY).
    ServeProcess(const TempDir& dir, const SimProcess& sim, std::vector<std::string> extra_args = {},
                 std::vector<std::string> extra_env = {});
    unsigned short port() const { return port_; }
    Process& process() { return *process_; }
    boost::json::value api(const std::string& method, const std::string& target, const std::string& body = "",
                           unsigned* status = nullptr);
    // A scheduled call due now for `numbers` (with a new prompt unless one is given); returns its id.
    std::string schedule_now(const std::vector<std::string>& numbers, std::string prompt_id = "");
    std::optional<boost::json::object> scheduled_call(const std::string& id);

private:
    std::unique_ptr<Process> process_;
    unsigned short port_ = 0;
};

// Polls `done` every 20 ms until it holds or `timeout` passes (waiting on another process's state).
bool eventually(const std::function<bool()>& done, std::chrono::milliseconds timeout);

}  // namespace va::test
