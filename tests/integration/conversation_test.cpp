// A whole conversation with real processes and real audio: `voiceagent serve` (pocketsphinx,
// espeak) dials `voiceagent sim`; the simulated callee answers the greeting in a flite voice, the
// agent recognises it, asks the LLM (a local stand-in speaking OpenAI's streaming protocol) and
// speaks the answer; the answer calls end_call, and the call log has the whole conversation.
#include <gtest/gtest.h>

#include <cmath>
#include <csignal>
#include <fstream>
#include <sstream>

#include "dispatch_process.hpp"
#include "media/wav.hpp"
#include "support/deepgram_standin.hpp"
#include "support/openai_standin.hpp"
#include "support/recognizer.hpp"

namespace va::test {
namespace {

using namespace std::chrono_literals;
namespace json = boost::json;

constexpr const char* kGreeting = "hello this is the dental clinic calling about your appointment";
constexpr const char* kAnswer = "yes tomorrow works for me";
constexpr const char* kReply = "great you are booked for tomorrow goodbye";

std::vector<std::string> words_of(const std::string& text) {
    std::istringstream in(text);
    std::vector<std::string> out;
    for (std::string w; in >> w;) out.push_back(w);
    return out;
}

struct Conversation {
    TempDir dir;
    OpenAiStandin llm;
    std::unique_ptr<SimProcess> sim;
    std::unique_ptr<ServeProcess> serve;
    std::string scheduled_call_id;

    // `conversation`: the prompt's own conversation settings; `serve_args`, `serve_env`: more for
    // the server.
    explicit Conversation(const std::string& callee_script, const json::object& conversation = {},
                          const std::vector<std::string>& serve_args = {}, const std::vector<std::string>& serve_env = {}) {
        sim = std::make_unique<SimProcess>(
            dir,
            R"({"callsPerSecond": 100, "default": {"ringSeconds": 0.1, "hangupAfterSeconds": 40, "voice": "flite:rms",
                "script": )" + callee_script + "}}",
            std::vector<std::string>{"--reports", dir.file("")});
        std::vector<std::string> args{"--agent",     "conversation", "--llm-base-url",     llm.base_url(),
                                      "--llm-model", "stand-in",     "--stt-decoders",     "1",
                                      "--calls-per-second", "10"};
        args.insert(args.end(), serve_args.begin(), serve_args.end());
        serve = std::make_unique<ServeProcess>(dir, *sim, args, serve_env);
        unsigned status = 0;
        auto prompt = serve->api("POST", "/api/prompts",
                                 json::serialize(json::object{{"name", "Clinic"},
                                                              {"content", "You book dental appointments."},
                                                              {"introduction", kGreeting},
                                                              {"conversation", conversation}}),
                                 &status);
        if (status != 201) throw std::runtime_error("prompt: " + json::serialize(prompt));
        scheduled_call_id = serve->schedule_now({"+14155552671"}, std::string(prompt.at("id").as_string()));
    }

    bool completed(std::chrono::milliseconds timeout) {
        return eventually([&] { return serve->scheduled_call(scheduled_call_id)->at("status") == "completed"; }, timeout);
    }
    json::object log() {
        return serve->api("GET", "/api/call-logs?scheduledCallId=" + scheduled_call_id).at("items").at(0).as_object();
    }
    std::string sid() { return std::string(sim->calls_to("+14155552671").at(0).at("sid").as_string()); }
    // The simulator's report of the call (it writes the JSON, then the WAV, once the call is over).
    json::object report() {
        if (!eventually([&] { return std::filesystem::exists(dir.file(sid() + ".wav")); }, 10s)) {
            throw std::runtime_error("no report for " + sid());
        }
        std::ifstream in(dir.file(sid() + ".json"));
        std::stringstream text;
        text << in.rdbuf();
        return json::parse(text.str()).as_object();
    }
    // One side of the recording: 0 the callee, 1 the agent as the callee heard it.
    std::vector<std::int16_t> track(std::size_t channel) {
        auto wav = media::read_wav(dir.file(sid() + ".wav"));
        std::vector<std::int16_t> out;
        for (std::size_t i = channel; i < wav.samples.size(); i += 2) out.push_back(wav.samples[i]);
        return out;
    }
};

// Where the last speech in `pcm` ends (samples): the end of the last loud 20 ms window.
std::size_t end_of_speech(const std::vector<std::int16_t>& pcm) {
    std::size_t end = 0;
    for (std::size_t at = 0; at + 160 <= pcm.size(); at += 160) {
        double sum = 0;
        for (std::size_t i = at; i < at + 160; ++i) sum += double(pcm[i]) * pcm[i];
        if (std::sqrt(sum / 160) > 300) end = at + 160;
    }
    return end;
}

// The timeline's first event from `source` named `event` at or after `from_ms`; -1 if none.
long long first_event(const json::object& report, const std::string& source, const std::string& event,
                      long long from_ms = 0) {
    for (const auto& e : report.at("timeline").as_array()) {
        const auto& o = e.as_object();
        const auto t = o.at("tMs").to_number<long long>();
        if (t >= from_ms && o.at("source") == source.c_str() && o.at("event") == event.c_str()) return t;
    }
    return -1;
}

// Ms from the end of the callee's words to the first agent audio it heard after them; -1 if
// either is missing.
long long reply_gap_ms(const json::object& report) {
    const auto spoke = first_event(report, "callee", "stops speaking");
    const auto heard = spoke < 0 ? -1 : first_event(report, "callee", "hears agent", spoke);
    return heard < 0 ? -1 : heard - spoke;
}

TEST(Conversation, TheAgentHearsTheAnswerRepliesAndEndsTheCall) {
    Conversation call(std::string(R"([{"say": ")") + kAnswer + R"(", "afterAgentSilenceMs": 800}])");
    auto reply = StandinReply::words("Great, you are booked for tomorrow. Goodbye.");
    reply.tool_calls.push_back({"call_1", "end_call", {"{\"reason\":", "\"booked\"}"}});
    call.llm.enqueue(reply);
    ASSERT_TRUE(call.completed(60s));
    ASSERT_TRUE(call.llm.wait_for_requests(1, 1s));

    // The model got the prompt, the greeting and what pocketsphinx heard.
    const auto request = call.llm.requests().at(0).json.as_object();
    EXPECT_EQ(request.at("model"), "stand-in");
    const auto& messages = request.at("messages").as_array();
    EXPECT_EQ(messages.at(0).at("content"), "You book dental appointments.");
    const std::string heard(messages.back().at("content").as_string());
    EXPECT_EQ(messages.back().at("role"), "user");
    int known = 0;
    for (const auto& w : words_of(kAnswer)) known += heard.find(w) != std::string::npos;
    EXPECT_GE(known, 3) << "pocketsphinx heard: " << heard;

    // The callee heard the reply after its own turn, and the agent hung up (end_call), not the callee.
    const auto report = call.report();
    const auto gap = reply_gap_ms(report);
    ASSERT_GE(gap, 0);
    EXPECT_LT(gap, 3000) << "ms from the end of the callee's words to the agent's reply";
    EXPECT_EQ(first_event(report, "callee", "hangs up"), -1);
    // What the agent said after the callee's words, on the recording.
    const auto agent = call.track(1);
    const auto from = end_of_speech(call.track(0));
    ASSERT_GT(from, 0u);
    ASSERT_LT(from, agent.size());
    EXPECT_EQ(recognize_phrase(std::span(agent).subspan(from),
                               {kReply, "please hold while we connect your call", kGreeting}),
              kReply);

    // The call log: three turns, the answer's latency, and what spoke.
    const auto log = call.log();
    const auto& transcript = log.at("transcript").as_array();
    ASSERT_EQ(transcript.size(), 3u) << json::serialize(transcript);
    EXPECT_EQ(transcript.at(0).at("role"), "agent");
    EXPECT_EQ(transcript.at(1).at("role"), "callee");
    EXPECT_EQ(transcript.at(2).at("text"), "Great, you are booked for tomorrow. Goodbye.");
    EXPECT_EQ(transcript.at(2).at("interrupted"), false);
    const auto& latency = transcript.at(2).at("latency").as_object();
    for (const char* stage : {"sttFinalMs", "llmFirstTokenMs", "ttsFirstAudioMs", "voiceToVoiceMs"}) {
        ASSERT_TRUE(latency.at(stage).is_int64()) << stage;
        EXPECT_GE(latency.at(stage).as_int64(), 500) << stage << ": at least the end-of-turn silence";
        EXPECT_LT(latency.at(stage).as_int64(), 5000) << stage;
    }
    EXPECT_EQ(log.at("engines").at("llm"), "openai:stand-in");
    EXPECT_EQ(log.at("engines").at("stt"), "pocketsphinx:en-us");
}

// A slow model (its first words 2.5 s after the request) with the prompt's fillerAfterMs: the
// callee hears "Let me check." first, then the answer, and the transcript has both.
TEST(Conversation, ASlowModelIsCoveredByAShortAcknowledgement) {
    Conversation call(std::string(R"([{"say": ")") + kAnswer + R"(", "afterAgentSilenceMs": 800}])",
                      json::object{{"fillerAfterMs", 300}});
    auto reply = StandinReply::words("Great, you are booked for tomorrow. Goodbye.");
    reply.first_chunk_delay = 2500ms;
    reply.tool_calls.push_back({"call_1", "end_call", {"{\"reason\":", "\"booked\"}"}});
    call.llm.enqueue(reply);
    ASSERT_TRUE(call.completed(60s));
    const auto log = call.log();
    const auto& transcript = log.at("transcript").as_array();
    ASSERT_EQ(transcript.size(), 3u) << json::serialize(transcript);
    EXPECT_EQ(transcript.at(2).at("text"), "Let me check. Great, you are booked for tomorrow. Goodbye.");
    EXPECT_EQ(transcript.at(2).at("interrupted"), false);
    // The answer's own latency: the model's first token came after its delay.
    EXPECT_GE(transcript.at(2).at("latency").at("llmFirstTokenMs").as_int64(), 2500);
    // The callee heard the agent well before the model's first words.
    const auto gap = reply_gap_ms(call.report());
    ASSERT_GE(gap, 0);
    EXPECT_LT(gap, 2000) << "ms from the end of the callee's words to the acknowledgement";
}

TEST(Conversation, TheCalleeTalkingOverTheAgentCutsItOff) {
    Conversation call(std::string(R"([{"say": ")") + kAnswer +
                      R"(", "afterAgentSilenceMs": 800}, {"say": "sorry what was that", "afterAgentStartsMs": 1200}])");
    call.llm.enqueue(StandinReply::words(
        "Great, you are booked for tomorrow at ten in the morning with doctor Jones, and please remember to bring "
        "your insurance card and arrive fifteen minutes early so we can update your records."));
    call.llm.enqueue([] {
        auto r = StandinReply::words("I said you are booked for tomorrow. Goodbye.");
        r.tool_calls.push_back({"call_2", "end_call", {"{}"}});
        return r;
    }());
    ASSERT_TRUE(call.completed(60s));
    ASSERT_TRUE(call.llm.wait_for_requests(2, 1s));

    const auto report = call.report();
    const auto barge = first_event(report, "callee", "starts speaking", first_event(report, "callee", "stops speaking"));
    ASSERT_GT(barge, 0);
    const auto cleared = first_event(report, "agent", "clear", barge);
    ASSERT_GT(cleared, barge) << "the agent sent clear";
    EXPECT_LT(cleared - barge, 1500) << "ms from the callee talking over the agent to the clear";

    // The history the model saw next holds only what the callee heard of the long answer.
    const auto requests = call.llm.requests();
    const auto& messages = requests.at(1).json.at("messages").as_array();
    const auto& cut = messages.at(messages.size() - 2).as_object();
    EXPECT_EQ(cut.at("role"), "assistant");
    const std::string heard(cut.at("content").as_string());
    EXPECT_EQ(heard.rfind("Great, you are booked", 0), 0u) << heard;
    EXPECT_LT(heard.size(), 100u) << heard;

    const auto log = call.log();
    const auto& transcript = log.at("transcript").as_array();
    ASSERT_GE(transcript.size(), 4u);
    EXPECT_EQ(transcript.at(2).at("interrupted"), true);
}

TEST(Conversation, ThePromptsGrammarModelAndVoiceReachTheCall) {
    const std::string grammar = std::string("#JSGF V1.0;\ngrammar answer;\npublic <answer> = ") + kAnswer +
                                " | no tomorrow does not work | call me later;\n";
    Conversation call(std::string(R"([{"say": ")") + kAnswer + R"(", "afterAgentSilenceMs": 800}])",
                      json::object{{"llmModel", "per-prompt-model"}, {"sttGrammar", grammar}, {"ttsVoice", "espeak:en-us"}},
                      // Both voices speak through worker processes (`voiceagent tts-worker`).
                      {"--llm-models", "per-prompt-model,another-model", "--tts-workers", "2"});
    auto reply = StandinReply::words("Goodbye.");
    reply.tool_calls.push_back({"call_1", "end_call", {"{}"}});
    call.llm.enqueue(reply);
    ASSERT_TRUE(call.completed(60s));
    ASSERT_TRUE(call.llm.wait_for_requests(1, 1s));
    const auto request = call.llm.requests().at(0).json.as_object();
    EXPECT_EQ(request.at("model"), "per-prompt-model");
    EXPECT_EQ(request.at("max_tokens"), 300) << "each answer's cost is bounded by default";
    EXPECT_EQ(request.at("messages").as_array().back().at("content"), kAnswer) << "the grammar hears its phrase exactly";
    EXPECT_EQ(call.log().at("engines").at("stt"), "pocketsphinx:en-us+grammar");
    EXPECT_EQ(call.log().at("engines").at("llm"), "openai:per-prompt-model");
    EXPECT_EQ(call.log().at("engines").at("tts"), "espeak:en-us");

    // What this deployment cannot give is refused when the prompt is saved.
    const std::pair<std::string, std::string> refusals[] = {
        {R"({"sttGrammar":"#JSGF V1.0; grammar g; public <a> = yes | zyxwvut;"})", "conversation.sttGrammar"},
        {R"({"ttsVoice":"espeak:no-such-voice"})", "conversation.ttsVoice"},
        {R"({"ttsVoice":"elevenlabs:21m00Tcm4TlvDq8ikWAM"})", "conversation.ttsVoice"},  // no ELEVENLABS_API_KEY
        {R"({"stt":"deepgram"})", "conversation.stt"},                                  // no DEEPGRAM_API_KEY
        {R"({"llmModel":"the-priciest-model"})", "conversation.llmModel"},              // not in --llm-models
    };
    for (const auto& [settings, field] : refusals) {
        unsigned status = 0;
        auto refused = call.serve->api(
            "POST", "/api/prompts", R"({"name":"n","content":"c","introduction":"i","conversation":)" + settings + "}", &status);
        EXPECT_EQ(status, 422u) << settings;
        EXPECT_EQ(refused.at("error").at("field"), json::value(field)) << json::serialize(refused);
    }
}

TEST(Conversation, APromptThatAsksForDeepgramIsHeardThroughDeepgram) {
    // The deployment recognises with pocketsphinx; this prompt asks for Deepgram, here a local
    // stand-in of its live WebSocket API, which answers each Finalize with the callee's words.
    constexpr const char* kKey = "dg-secret-key-4242";
    DeepgramStandinScript script;
    script.on_finalize.push_back({kAnswer});
    DeepgramStandin deepgram(script);
    Conversation call(std::string(R"([{"say": ")") + kAnswer + R"(", "afterAgentSilenceMs": 800}])",
                      json::object{{"stt", "deepgram"}}, {"--deepgram-base-url", deepgram.base_url()},
                      {std::string("DEEPGRAM_API_KEY=") + kKey});
    auto reply = StandinReply::words("Great, see you tomorrow. Goodbye.");
    reply.tool_calls.push_back({"call_1", "end_call", {"{}"}});
    call.llm.enqueue(reply);
    ASSERT_TRUE(call.completed(60s));
    ASSERT_TRUE(call.llm.wait_for_requests(1, 1s));
    EXPECT_EQ(call.llm.requests().at(0).json.at("messages").as_array().back().at("content"), kAnswer);
    EXPECT_EQ(call.log().at("engines").at("stt"), "deepgram:nova-2-phonecall");

    // The call's audio went to Deepgram as μ-law with the key in the header, and the stream was
    // finalised at the end of the turn and closed with the call.
    ASSERT_TRUE(deepgram.wait([](const DeepgramStandinLog& log) { return log.disconnects >= 1; }));
    const auto log = deepgram.log();
    EXPECT_EQ(log.upgrades, 1u);
    EXPECT_EQ(log.authorization, std::string("Token ") + kKey);
    EXPECT_NE(log.target.find("encoding=mulaw"), std::string::npos) << log.target;
    EXPECT_GE(log.audio.size(), 8000u) << "at least a second of the callee's audio";
    EXPECT_GE(log.count("Finalize"), 1u);
    EXPECT_EQ(log.count("CloseStream"), 1u);
    call.serve->process().signal(SIGTERM);
    call.serve->process().wait();
    EXPECT_EQ(call.serve->process().read_all_stderr().find(kKey), std::string::npos) << "the key is never logged";
}

}  // namespace
}  // namespace va::test
