#include "sim/simulator.hpp"

#include <array>

#include <random>

#include <boost/asio/post.hpp>
#include <spdlog/spdlog.h>

#include "sim/state.hpp"

namespace va::sim {

namespace asio = boost::asio;

std::string new_sid(std::string_view prefix) {
    thread_local std::mt19937_64 random{std::random_device{}()};
    static constexpr char kHex[] = "0123456789abcdef";
    std::string sid(prefix);
    for (int i = 0; i < 32; ++i) sid += kHex[random() & 15];
    return sid;
}

CallRecord Simulator::State::record(const std::string& sid) const {
    std::lock_guard lock(mutex);
    return records.at(sid);
}

void Simulator::State::update(const std::string& sid, const std::function<void(CallRecord&)>& change) {
    {
        std::lock_guard lock(mutex);
        change(records.at(sid));
    }
    changed.notify_all();
}

Simulator::Simulator(std::span<asio::io_context* const> network, SimulatorOptions options, core::MetricsRegistry& metrics)
    : state_(std::make_shared<State>(network, std::move(options), metrics)) {
    state_->utterances = render_utterances(state_->options.scenario, state_->options.scenario_dir);
    server_ = std::make_unique<net::HttpServer>(network, make_rest_api(state_), metrics);
}

Simulator::Simulator(asio::io_context& io, SimulatorOptions options, core::MetricsRegistry& metrics)
    : Simulator(std::span<asio::io_context* const>(std::array{&io}), std::move(options), metrics) {}

Simulator::~Simulator() { shutdown(); }

asio::ip::tcp::endpoint Simulator::listen(const asio::ip::tcp::endpoint& endpoint) {
    return server_->listen(endpoint);
}

void Simulator::shutdown() {
    if (state_->stopping.exchange(true)) return;
    server_->shutdown();
    std::lock_guard lock(state_->mutex);
    for (auto& [sid, call] : state_->live) {
        asio::post(call->strand, [call] {
            call->pending = Interrupt{Interrupt::Kind::hangup, {}, {}, {}};
            call->wake.cancel();
        });
    }
}

std::vector<CallRecord> Simulator::calls() const {
    std::lock_guard lock(state_->mutex);
    std::vector<CallRecord> out;
    for (const auto& sid : state_->order) out.push_back(state_->records.at(sid));
    return out;
}

std::vector<CreateRequest> Simulator::create_requests() const {
    std::lock_guard lock(state_->mutex);
    return state_->create_requests;
}

std::optional<boost::json::object> Simulator::report(const std::string& sid) const {
    std::lock_guard lock(state_->mutex);
    auto it = state_->reports.find(sid);
    if (it == state_->reports.end()) return std::nullopt;
    return it->second;
}

bool Simulator::wait_for_finished(std::size_t count, std::chrono::milliseconds timeout) const {
    std::unique_lock lock(state_->mutex);
    return state_->changed.wait_for(lock, timeout, [&] { return state_->reports.size() >= count; });
}

}  // namespace va::sim
