#pragma once
// Internal to sim/: what the REST API, the call runners and the media sessions share.
#include <atomic>
#include <condition_variable>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <span>
#include <string>
#include <unordered_map>
#include <vector>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/json/object.hpp>

#include "net/server.hpp"
#include "sim/call.hpp"
#include "sim/pacer.hpp"
#include "sim/report.hpp"
#include "sim/simulator.hpp"
#include "sim/utterances.hpp"
#include "telephony/twilio/form.hpp"
#include "telephony/twilio/twiml.hpp"
#include "timing/time_source.hpp"

namespace va::sim {


// Asked of a call through the REST API.
struct Interrupt {
    enum class Kind { hangup, cancel, redirect };
    Kind kind = Kind::hangup;
    std::string url;
    std::string method = "POST";
    std::string twiml;
};

struct PendingCallback {
    std::string event;
    twilio::Params params;
};

// A call that has not finished yet. Everything but `sid` is used on `strand` only: an
// io_context run by one thread.
struct LiveCall {
    LiveCall(boost::asio::any_io_executor executor, std::string call_sid, const NumberScenario& s)
        : strand(std::move(executor)), wake(timing::real_time(), strand), sid(std::move(call_sid)), scenario(s) {}

    boost::asio::any_io_executor strand;
    timing::Timer wake;  // every wait of the call; canceled to deliver an interrupt
    const std::string sid;
    const NumberScenario& scenario;
    std::optional<Interrupt> pending;
    std::optional<timing::SteadyTime> end_deadline;  // callee hang-up or TimeLimit
    CallReport report;

    // Status callbacks, delivered in order by one sender coroutine.
    std::uint64_t next_sequence = 0;
    std::deque<PendingCallback> outbox;
    std::optional<PendingCallback> held;  // reorder fault: waits for the next callback
    bool sending = false;
    bool ended = false;  // the call has its final status; the report goes out once the outbox is empty
};

struct Simulator::State {
    State(std::span<boost::asio::io_context* const> contexts, SimulatorOptions o, core::MetricsRegistry& m)
        : network(contexts.begin(), contexts.end()), options(std::move(o)), metrics(m),
          pacer(options.scenario.calls_per_second) {}

    // Each run by one thread; calls take them in turn.
    const std::vector<boost::asio::io_context*> network;
    std::atomic<std::size_t> next_context{0};
    boost::asio::io_context& context_for_call() { return *network[next_context++ % network.size()]; }
    const SimulatorOptions options;
    core::MetricsRegistry& metrics;
    // Every scripted utterance, by audio_key(); read-only after construction.
    Utterances utterances;

    mutable std::mutex mutex;
    mutable std::condition_variable changed;
    std::vector<std::string> order;  // sids, oldest first
    std::unordered_map<std::string, CallRecord> records;
    std::unordered_map<std::string, std::shared_ptr<LiveCall>> live;
    std::unordered_map<std::string, boost::json::object> reports;
    std::map<std::string, int, std::less<>> rest_faults_used;  // by number
    std::vector<CreateRequest> create_requests;
    const timing::SteadyTime started = timing::real_time().steady_now();  // restFault.forMs counts from here
    Pacer pacer;
    std::atomic<bool> stopping{false};

    // Now on the simulated Twilio's clock (scenario.clock_offset from the machine's).
    core::TimePoint twilio_now() const { return timing::RealTime{}.now() + options.scenario.clock_offset; }

    CallRecord record(const std::string& sid) const;
    void update(const std::string& sid, const std::function<void(CallRecord&)>& change);
};

// call_runner.cpp: the life of one call, from the queue to its final status.
boost::asio::awaitable<void> run_call(std::shared_ptr<Simulator::State> state, std::shared_ptr<LiveCall> call);

// Waits until `until` (or the call's end deadline); false when interrupted or past the deadline.
boost::asio::awaitable<bool> wait_until(LiveCall& call, timing::SteadyTime until);

// callbacks.cpp: queues the status callback for `event` if the call asked for it (on the strand).
void queue_status_callback(const std::shared_ptr<Simulator::State>& state, const std::shared_ptr<LiveCall>& call,
                           std::string event);
// Called on the strand once the call has its final status: reports when callbacks are done.
void finish_when_delivered(const std::shared_ptr<Simulator::State>& state, const std::shared_ptr<LiveCall>& call);

// media_session.cpp: one <Connect><Stream>.
enum class StreamEnd {
    agent_closed,  // the agent's server closed the socket: the TwiML after <Connect> runs
    hangup,        // the callee hung up, or the call was ended through the REST API
    interrupted,   // an interrupt (redirect) is pending
    failed,        // could not connect
};
boost::asio::awaitable<StreamEnd> run_media_stream(std::shared_ptr<Simulator::State> state,
                                                   std::shared_ptr<LiveCall> call, twilio::ConnectStream stream);

// rest_api.cpp
net::Handler make_rest_api(std::shared_ptr<Simulator::State> state);

// A Twilio-style sid: prefix + 32 hex digits.
std::string new_sid(std::string_view prefix);

}  // namespace va::sim
