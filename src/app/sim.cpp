// `voiceagent sim`: the Twilio-compatible phone simulator as a process of its own.
#include "app/sim.hpp"

#include <algorithm>
#include <iostream>
#include <thread>

#include <boost/asio/signal_set.hpp>
#include <spdlog/spdlog.h>

#include "app/listen_address.hpp"
#include "core/metrics.hpp"
#include "net/io_threads.hpp"
#include "sim/simulator.hpp"

namespace va::app {

namespace {
bool is_account_sid(const std::string& sid) {
    return sid.size() == 34 && sid.starts_with("AC") &&
           sid.find_first_not_of("0123456789abcdefABCDEF", 2) == std::string::npos;
}
}  // namespace

int run_sim(const SimConfig& config) {
    std::string error;
    auto endpoint = parse_listen_address(config.listen, error);
    if (!endpoint) {
        std::cerr << "voiceagent sim: --listen " << config.listen << ": " << error << "\n";
        return 2;
    }
    if (!is_account_sid(config.account_sid)) {
        std::cerr << "voiceagent sim: --account-sid must be AC followed by 32 hex digits\n";
        return 2;
    }
    if (config.auth_token.empty()) {
        std::cerr << "voiceagent sim: set TWILIO_AUTH_TOKEN or --auth-token-file\n";
        return 2;
    }
    sim::SimulatorOptions options{config.account_sid, config.auth_token, {}, {}, config.report_dir};
    if (!config.scenario.empty()) {
        auto loaded = sim::load_scenario(config.scenario);
        if (auto* e = std::get_if<sim::ScenarioError>(&loaded)) {
            std::cerr << "voiceagent sim: --scenario " << e->message << "\n";
            return 2;
        }
        options.scenario = std::get<sim::Scenario>(std::move(loaded));
        options.scenario_dir = std::filesystem::path(config.scenario).parent_path();
    }

    const unsigned cores = std::max(1u, std::thread::hardware_concurrency());
    net::IoThreads network(config.threads ? config.threads : cores);
    auto& io = network.main();
    core::MetricsRegistry metrics;
    std::unique_ptr<sim::Simulator> simulator;
    try {
        simulator = std::make_unique<sim::Simulator>(network.contexts(), std::move(options), metrics);
    } catch (const std::exception& e) {
        std::cerr << "voiceagent sim: --scenario " << config.scenario << ": " << e.what() << "\n";
        return 2;
    }
    boost::asio::ip::tcp::endpoint bound;
    try {
        bound = simulator->listen(*endpoint);
    } catch (const std::exception& e) {
        std::cerr << "voiceagent sim: cannot listen on " << config.listen << ": " << e.what() << "\n";
        return 1;
    }
    const bool v6 = bound.address().is_v6();
    std::cout << "listening on http://" << (v6 ? "[" : "") << bound.address().to_string() << (v6 ? "]" : "") << ":"
              << bound.port() << std::endl;
    spdlog::info("phone simulator for account {}...; Twilio API base http://{}:{}", config.account_sid.substr(0, 6),
                 bound.address().to_string(), bound.port());

    boost::asio::signal_set signals(io, SIGINT, SIGTERM);
    signals.async_wait([&](const boost::system::error_code& ec, int signal) {
        if (ec) return;
        spdlog::info("signal {}: hanging up live calls", signal);
        simulator->shutdown();
        network.finish();
    });
    network.run();
    spdlog::info("stopped");
    return 0;
}

}  // namespace va::app
