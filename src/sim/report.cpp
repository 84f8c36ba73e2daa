#include "sim/report.hpp"

#include <algorithm>
#include <fstream>
#include <stdexcept>

#include <boost/json.hpp>

#include "media/mulaw.hpp"
#include "media/wav.hpp"
#include "timing/time_source.hpp"

namespace va::sim {

namespace json = boost::json;

std::int64_t CallReport::elapsed_ms() const {
    return std::chrono::duration_cast<std::chrono::milliseconds>(timing::real_time().steady_now() - origin_).count();
}

void CallReport::event(std::string_view source, std::string_view name, json::object detail) {
    json::object entry{{"tMs", elapsed_ms()}, {"source", source}, {"event", name}};
    for (auto& [k, v] : detail) entry[k] = std::move(v);
    timeline_.push_back(std::move(entry));
}

void CallReport::audio(std::span<const std::uint8_t> callee, std::span<const std::uint8_t> agent) {
    auto n = std::max(callee.size(), agent.size());
    callee_track_.insert(callee_track_.end(), callee.begin(), callee.end());
    callee_track_.resize(callee_track_.size() + n - callee.size(), media::kMulawSilence);
    agent_track_.insert(agent_track_.end(), agent.begin(), agent.end());
    agent_track_.resize(agent_track_.size() + n - agent.size(), media::kMulawSilence);
}

namespace {
json::object summary(const std::vector<std::int64_t>& values) {
    json::array all(values.begin(), values.end());
    json::object out{{"count", values.size()}, {"valuesMs", std::move(all)}};
    if (!values.empty()) {
        auto sorted = values;
        std::sort(sorted.begin(), sorted.end());
        out["minMs"] = sorted.front();
        out["medianMs"] = sorted[sorted.size() / 2];
        out["maxMs"] = sorted.back();
    }
    return out;
}
}  // namespace

json::object CallReport::to_json(json::object call) const {
    json::object out{
        {"call", std::move(call)},
        {"timeline", timeline_},
        {"latency",
         json::object{{"calleeEndToAgentAudio", summary(response_ms_)}, {"bargeInToClear", summary(barge_in_ms_)}}},
        {"mediaFrames", json::object{{"sent", frames_sent_}, {"received", frames_received_}}},
        {"audioSeconds", static_cast<double>(callee_track_.size()) / 8000.0},
    };
    for (const auto& [k, v] : extra_) out[k] = v;
    return out;
}

void CallReport::write(const std::filesystem::path& dir, const std::string& sid, json::object call) const {
    std::filesystem::create_directories(dir);
    {
        std::ofstream out(dir / (sid + ".json"), std::ios::binary);
        out << json::serialize(to_json(std::move(call))) << '\n';
        if (!out) throw std::runtime_error("cannot write " + (dir / (sid + ".json")).string());
    }
    media::PcmAudio wav;
    wav.sample_rate = 8000;
    wav.channels = 2;
    wav.samples.reserve(callee_track_.size() * 2);
    for (std::size_t i = 0; i < callee_track_.size(); ++i) {
        wav.samples.push_back(media::mulaw_decode(callee_track_[i]));
        wav.samples.push_back(media::mulaw_decode(agent_track_[i]));
    }
    media::write_wav(dir / (sid + ".wav"), wav);
}

}  // namespace va::sim
