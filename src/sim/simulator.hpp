#pragma once
// The phone simulator: a Twilio-compatible REST Calls API whose calls ring, get answered by a
// scripted callee, fetch TwiML from the voice webhook, stream audio over Media Streams, and send
// signed status callbacks, as the scenario says. Usable as a process (`voiceagent sim`),
// embedded (`voiceagent demo`) and as a library in tests.
#include <chrono>
#include <cstddef>
#include <filesystem>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/json/object.hpp>

#include "sim/call.hpp"
#include "sim/scenario.hpp"

namespace va::core {
class MetricsRegistry;
}
namespace va::net {
class HttpServer;
}

namespace va::sim {

struct SimulatorOptions {
    std::string account_sid;
    std::string auth_token;
    Scenario scenario;
    std::filesystem::path scenario_dir;  // relative WAV paths in the scenario start here
    std::filesystem::path report_dir;    // per-call <sid>.json and <sid>.wav; empty = keep in memory only
};

class Simulator {
public:
    // Renders every scripted utterance up front; throws std::runtime_error when a voice or WAV
    // file cannot be loaded (so a bad scenario fails at start, not in the middle of a call).
    // Each io_context is run by one thread (net::IoThreads); the API's connections and the calls
    // are spread over them.
    Simulator(std::span<boost::asio::io_context* const> network, SimulatorOptions options, core::MetricsRegistry& metrics);
    Simulator(boost::asio::io_context& io, SimulatorOptions options, core::MetricsRegistry& metrics);
    ~Simulator();
    Simulator(const Simulator&) = delete;
    Simulator& operator=(const Simulator&) = delete;

    boost::asio::ip::tcp::endpoint listen(const boost::asio::ip::tcp::endpoint& endpoint);
    // Stops the REST API and hangs up every live call. Thread-safe.
    void shutdown();

    // Thread-safe views, for tests and the demo.
    std::vector<CallRecord> calls() const;
    std::vector<CreateRequest> create_requests() const;
    // The report of a call that has ended and sent all its callbacks.
    std::optional<boost::json::object> report(const std::string& sid) const;
    // Blocks until at least `count` calls have ended (and sent their callbacks), or the timeout.
    bool wait_for_finished(std::size_t count, std::chrono::milliseconds timeout) const;

    struct State;

private:
    std::shared_ptr<State> state_;
    std::unique_ptr<net::HttpServer> server_;  // its handler holds state_, so it lives out here
};

}  // namespace va::sim
