// `voiceagent demo`: the whole product on one machine with nothing configured. The phone
// simulator plays Twilio and a patient who answers in a flite voice; `serve` runs in this process
// with SQLite, pocketsphinx and espeak; the demo schedules a call a few seconds ahead through the
// REST API, like any client, and narrates the call log as it fills.
#include "app/demo.hpp"

#include <cstdlib>
#include <filesystem>
#include <iomanip>
#include <iostream>
#include <thread>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/json.hpp>
#include <openssl/rand.h>
#include <spdlog/spdlog.h>

#include "core/metrics.hpp"
#include "core/time_format.hpp"
#include "net/http_client.hpp"
#include "sim/simulator.hpp"
#include "timing/time_source.hpp"

namespace va::app {

namespace {

namespace asio = boost::asio;
namespace json = boost::json;
using namespace std::chrono_literals;

// The simulator's account: any AC + 32 hex digits, shared by both sides.
constexpr const char* kAccount = "ACd0d0d0d0d0d0d0d0d0d0d0d0d0d0d0d0";
constexpr const char* kAuthToken = "demo-auth-token";
constexpr const char* kPatient = "+14155552671";
constexpr const char* kPatientName = "Maria";

constexpr const char* kPrompt =
    "You are the scheduling assistant of Bright Smile Dental. You call patients to book their yearly "
    "checkup with Doctor Okonkwo; offer tomorrow at ten. Be brief and friendly. Once the patient has confirmed, say goodbye "
    "and end the call.";
// {{name}}: each recipient's own, from the variables they were scheduled with.
constexpr const char* kIntroduction =
    "Hello {{name|there}}, this is Bright Smile Dental calling about your yearly checkup with Doctor Okonkwo.";

// The patient, in a voice speech recognisers understand: answers after the agent's turns, says
// "okay" while the agent asks (a backchannel: the agent goes on), and talks over its confirmation
// (an interruption: the agent stops and answers).
constexpr const char* kScenario = R"({
  "callsPerSecond": 10,
  "default": {
    "ringSeconds": 1.5, "outcome": "answered", "hangupAfterSeconds": 90, "voice": "flite:rms",
    "script": [
      {"say": "Hi, yes, speaking.", "afterAgentSilenceMs": 700},
      {"say": "Okay.", "afterAgentStartsMs": 1500, "lengthMs": 400},
      {"say": "Yes, tomorrow at ten works for me.", "afterAgentSilenceMs": 700},
      {"say": "Sorry, can I bring my son too?", "afterAgentStartsMs": 600}
    ]
  }
})";

// The demo's own API token, made afresh each run: its server is tokenless for nobody.
std::string random_token() {
    unsigned char bytes[32];
    if (RAND_bytes(bytes, sizeof bytes) != 1) throw std::runtime_error("no random bytes for an API token");
    std::string hex;
    for (unsigned char b : bytes) hex += "0123456789abcdef"[b >> 4], hex += "0123456789abcdef"[b & 15];
    return hex;
}

// One request to the embedded server, blocking (the demo is a client like any other).
json::value api(unsigned short port, const std::string& token, std::string method, std::string target,
                std::string body = "") {
    asio::io_context io;
    net::ClientResult result;
    net::ClientRequest request{std::move(method),
                               "http://127.0.0.1:" + std::to_string(port) + target,
                               {{"Content-Type", "application/json"}, {"Authorization", "Bearer " + token}},
                               std::move(body)};
    asio::co_spawn(io, net::http_request(io.get_executor(), std::move(request)),
                   [&result](std::exception_ptr error, net::ClientResult r) {
                       if (!error) result = std::move(r);
                   });
    io.run();
    if (!result.response) throw std::runtime_error("the server did not answer: " + result.error);
    if (result.response->status >= 300) {
        throw std::runtime_error("HTTP " + std::to_string(result.response->status) + ": " + result.response->body);
    }
    return result.response->body.empty() ? json::value(nullptr) : json::parse(result.response->body);
}

std::string text_of(const json::value& v) { return v.is_string() ? std::string(v.as_string()) : ""; }

std::string milliseconds(const json::object& latency, const char* stage) {
    const auto* v = latency.if_contains(stage);
    return v && v->is_int64() ? std::to_string(v->as_int64()) + " ms" : "-";
}

// Prints what happens to the call until it is over; returns its last call log (null if none).
json::value narrate(unsigned short port, const std::string& token, const std::string& call_id, std::ostream& out) {
    std::string last_status;
    std::size_t turns_shown = 0;
    json::value log;
    const auto deadline = timing::real_time().steady_now() + 3min;
    while (timing::real_time().steady_now() < deadline) {
        const auto call = api(port, token, "GET", "/api/scheduled-calls/" + call_id);
        const auto logs = api(port, token, "GET", "/api/call-logs?scheduledCallId=" + call_id).at("items").as_array();
        if (!logs.empty()) {
            log = logs.at(0);
            const auto& transcript = log.at("transcript").as_array();
            for (; turns_shown < transcript.size(); ++turns_shown) {
                const auto& turn = transcript.at(turns_shown);
                out << "  " << (turn.at("role") == "agent" ? "agent : " : "callee: ") << text_of(turn.at("text"))
                    << (turn.at("interrupted").as_bool() ? "  (cut off)" : "")
                    << (turn.at("backchannel").as_bool() ? "  (backchannel)" : "") << "\n";
            }
        }
        const auto status = text_of(call.at("recipients").at(0).at("status"));
        if (status != last_status) {
            out << "  [call] " << status << "\n";
            last_status = status;
        }
        const bool over = call.at("status") == "completed" && !log.is_null() && !log.at("streamEndedAt").is_null();
        if (over) return log;
        std::this_thread::sleep_for(250ms);  // polling another component's state, as a client would
    }
    out << "  the call did not finish within 3 minutes\n";
    return log;
}

void summarise(const json::value& log, const std::filesystem::path& dir, const std::string& db, std::ostream& out) {
    if (log.is_null()) return;
    const auto& engines = log.at("engines");
    if (engines.is_object()) {
        out << "\nEngines: LLM " << text_of(engines.at("llm")) << ", STT " << text_of(engines.at("stt")) << ", TTS "
            << text_of(engines.at("tts")) << "\n";
    }
    out << "\nLatency of each answer (from the end of the callee's speech; 600 ms of it is the end-of-turn pause):\n";
    out << "  stt final   llm first token   tts first audio   voice to voice\n";
    for (const auto& turn : log.at("transcript").as_array()) {
        const auto* latency = turn.as_object().if_contains("latency");
        if (!latency || !latency->is_object()) continue;
        const auto& l = latency->as_object();
        out << "  " << std::left << std::setw(12) << milliseconds(l, "sttFinalMs") << std::setw(18)
            << milliseconds(l, "llmFirstTokenMs") << std::setw(18) << milliseconds(l, "ttsFirstAudioMs")
            << milliseconds(l, "voiceToVoiceMs") << "\n";
    }
    const auto sid = text_of(log.at("callSid"));
    const auto wav = dir / (sid + ".wav");
    for (int i = 0; i < 40 && !std::filesystem::exists(wav); ++i) std::this_thread::sleep_for(100ms);
    out << "\nRecording (left: the callee, right: the agent as heard): " << wav.string() << "\n";
    out << "Call log: GET /api/call-logs/" << text_of(log.at("id")) << " (database " << redacted(db) << ")\n";
}

}  // namespace

int run_demo(const DemoConfig& config) {
    std::error_code ec;
    std::filesystem::path dir = config.dir;
    if (dir.empty()) {
        std::string pattern = (std::filesystem::temp_directory_path() / "voiceagent-demo-XXXXXX").string();
        if (!mkdtemp(pattern.data())) {
            std::cerr << "voiceagent demo: cannot create a directory in " << std::filesystem::temp_directory_path() << "\n";
            return 1;
        }
        dir = pattern;
    } else if (!std::filesystem::create_directories(dir, ec) && ec) {
        std::cerr << "voiceagent demo: --dir " << dir << ": " << ec.message() << "\n";
        return 2;
    }

    // The phone network.
    auto scenario = sim::parse_scenario(kScenario);
    asio::io_context sim_io;
    core::MetricsRegistry sim_metrics;
    std::unique_ptr<sim::Simulator> simulator;
    try {
        simulator = std::make_unique<sim::Simulator>(
            sim_io, sim::SimulatorOptions{kAccount, kAuthToken, std::get<sim::Scenario>(std::move(scenario)), {}, dir},
            sim_metrics);
    } catch (const std::exception& e) {
        std::cerr << "voiceagent demo: the phone simulator: " << e.what() << "\n";
        return 1;
    }
    const auto sim_port = simulator->listen({asio::ip::make_address("127.0.0.1"), 0}).port();
    std::thread sim_thread([&sim_io] { sim_io.run(); });

    ServeConfig serve_config = config.serve;
    serve_config.listen = "127.0.0.1:0";
    serve_config.store.db = config.db.empty() ? "sqlite:" + (dir / "demo.db").string() : config.db;
    const auto token = random_token();
    serve_config.api_tokens = {{token, api::kAllScopes}};
    auto& d = serve_config.dispatch;
    d.api_base = "http://127.0.0.1:" + std::to_string(sim_port);
    d.account_sid = kAccount;
    d.auth_token = kAuthToken;
    d.from_number = "+15005550006";
    d.public_url = "http://127.0.0.1:0";
    d.min_hours_between_calls = 0;  // the same simulated patient on every run (--dir reuses the database)
    serve_config.agent.kind = "conversation";

    std::cout << "voiceagent demo: a scheduled call to a simulated patient, on this machine only.\n"
              << "  Twilio: the built-in phone simulator; storage: " << redacted(serve_config.store.db) << "\n"
              << "  speech: pocketsphinx (listening) and " << serve_config.tts_voice << " (speaking)\n"
              << "  API: bearer token made for this run (no server here answers without one)\n";
    if (serve_config.agent.llm_base_url.empty()) {
        std::cout << "  LLM: none configured, so a SCRIPTED RESPONDER answers (not an AI); set LLM_BASE_URL "
                     "(and LLM_API_KEY, LLM_MODEL) for a real model\n";
    } else {
        std::cout << "  LLM: " << serve_config.agent.llm_model << " at " << serve_config.agent.llm_base_url << "\n";
    }

    int outcome = 1;
    std::thread narrator;
    const int served = serve(serve_config, {[&](unsigned short port, std::function<void()> stop) {
        narrator = std::thread([&outcome, &dir, &token, &serve_config, port, stop = std::move(stop)] {
            try {
                const auto prompt = api(port, token, "POST", "/api/prompts",
                                        json::serialize(json::object{{"name", "Checkup booking"},
                                                                     {"content", kPrompt},
                                                                     {"introduction", kIntroduction}}));
                const auto due = core::format_rfc3339(timing::real_time().now() + 3s);
                const auto call = api(port, token, "POST", "/api/scheduled-calls",
                                      json::serialize(json::object{{"recipients", json::array{json::object{
                                                                       {"phoneNumber", kPatient},
                                                                       {"variables", json::object{{"name", kPatientName}}}}}},
                                                                   {"promptId", prompt.at("id")},
                                                                   {"scheduledDateTime", due}}));
                std::cout << "\nScheduled a call to " << kPatientName << " at " << kPatient << " for " << due << " (in 3 s).\n";
                const auto log = narrate(port, token, text_of(call.at("id")), std::cout);
                summarise(log, dir, serve_config.store.db, std::cout);
                if (!log.is_null() && log.at("transcript").as_array().size() >= 3) outcome = 0;
            } catch (const std::exception& e) {
                std::cerr << "voiceagent demo: " << e.what() << "\n";
            }
            stop();
        });
    }});
    if (narrator.joinable()) narrator.join();
    simulator->shutdown();
    sim_thread.join();
    return served != 0 ? served : outcome;
}

}  // namespace va::app
