#pragma once
// What the simulator writes per call: a JSON report (the call as Twilio saw it, a timeline of
// every event in both directions, measured latencies) and a stereo WAV (left: the callee, right:
// the agent as it played out of the buffer). Used on the call's strand only.
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <span>
#include <string>
#include <vector>

#include <boost/json/object.hpp>

#include "timing/time_source.hpp"

namespace va::sim {

class CallReport {
public:
    explicit CallReport(timing::SteadyTime origin = timing::real_time().steady_now()) : origin_(origin) {}

    // `source`: "sim" (the call itself), "callee", "agent" (a message from the agent's server),
    // "webhook", "callback".
    void event(std::string_view source, std::string_view name, boost::json::object detail = {});
    std::int64_t elapsed_ms() const;

    // One tick of both tracks (each padded to the same length with μ-law silence).
    void audio(std::span<const std::uint8_t> callee, std::span<const std::uint8_t> agent);

    void response_latency(std::int64_t ms) { response_ms_.push_back(ms); }
    void barge_in_latency(std::int64_t ms) { barge_in_ms_.push_back(ms); }
    void count_frame(bool inbound) { ++(inbound ? frames_sent_ : frames_received_); }
    void note(std::string_view key, boost::json::value value) { extra_[key] = std::move(value); }

    // `call`: the Twilio JSON of the call, included as is.
    boost::json::object to_json(boost::json::object call) const;
    // Writes <dir>/<sid>.json and <dir>/<sid>.wav; throws std::runtime_error on I/O failure.
    void write(const std::filesystem::path& dir, const std::string& sid, boost::json::object call) const;

    const std::vector<std::int64_t>& response_latencies() const { return response_ms_; }
    const std::vector<std::int64_t>& barge_in_latencies() const { return barge_in_ms_; }

private:
    timing::SteadyTime origin_;
    boost::json::array timeline_;
    boost::json::object extra_;
    std::vector<std::uint8_t> callee_track_;
    std::vector<std::uint8_t> agent_track_;
    std::vector<std::int64_t> response_ms_;
    std::vector<std::int64_t> barge_in_ms_;
    std::uint64_t frames_sent_ = 0;
    std::uint64_t frames_received_ = 0;
};

}  // namespace va::sim
