// The whole path to the first words, with real processes: `voiceagent serve` dials through
// `voiceagent sim`; the simulated callee answers, Twilio's (the simulator's) webhook gets our
// TwiML, the Media Stream starts, and the callee hears the introduction. Checked on the
// simulator's recording of what the callee heard: by energy and timing, and by pocketsphinx
// restricted to a grammar of the greeting and two distractors.
#include <chrono>
#include <cmath>
#include <csignal>
#include <fstream>
#include <optional>

#include <gtest/gtest.h>

#include "dispatch_process.hpp"
#include "media/wav.hpp"
#include "support/recognizer.hpp"

namespace va::test {
namespace {

using namespace std::chrono_literals;

constexpr const char* kGreeting = "hello this is the dental clinic calling about your appointment";

// Start and end (ms) of the agent's speech in a recording: the first and last 20 ms window whose
// RMS is well above the line's silence.
std::pair<int, int> speech_span(const std::vector<std::int16_t>& pcm) {
    int first = -1, last = -1;
    for (std::size_t at = 0; at + 160 <= pcm.size(); at += 160) {
        double sum = 0;
        for (std::size_t i = at; i < at + 160; ++i) sum += double(pcm[i]) * pcm[i];
        if (std::sqrt(sum / 160) > 300) {
            const int ms = static_cast<int>(at / 8);
            if (first < 0) first = ms;
            last = ms + 20;
        }
    }
    return {first, last};
}

TEST(Greeting, TheCalleeHearsTheIntroductionAsSoonAsTheStreamStarts) {
    TempDir dir;
    SimProcess sim(dir, R"({"callsPerSecond": 100, "default": {"ringSeconds": 0.1, "hangupAfterSeconds": 6}})",
                   {"--reports", dir.file("")});
    ServeProcess serve(dir, sim, {"--calls-per-second", "10"});
    unsigned status = 0;
    auto prompt = serve.api("POST", "/api/prompts",
                            boost::json::serialize(boost::json::object{{"name", "Clinic"},
                                                                       {"content", "You confirm appointments."},
                                                                       {"introduction", kGreeting}}),
                            &status);
    ASSERT_EQ(status, 201u);
    auto id = serve.schedule_now({"+14155552671"}, std::string(prompt.at("id").as_string()));
    ASSERT_TRUE(eventually([&] { return serve.scheduled_call(id)->at("status") == "completed"; }, 30s));

    auto calls = sim.calls_to("+14155552671");
    ASSERT_EQ(calls.size(), 1u);
    const std::string sid(calls[0].at("sid").as_string());
    ASSERT_TRUE(eventually([&] { return std::filesystem::exists(dir.file(sid + ".wav")); }, 10s));
    auto wav = media::read_wav(dir.file(sid + ".wav"));
    ASSERT_EQ(wav.channels, 2);
    std::vector<std::int16_t> heard;  // right channel: the agent as it played to the callee
    for (std::size_t i = 1; i < wav.samples.size(); i += 2) heard.push_back(wav.samples[i]);

    auto [start, end] = speech_span(heard);
    ASSERT_GE(start, 0) << "the callee heard nothing";
    EXPECT_LT(start, 400) << "ms from the stream's start to the first words";
    EXPECT_GT(end - start, 2000) << "the whole sentence (about 3.5 s in espeak)";
    EXPECT_LT(end - start, 6000);

    EXPECT_EQ(recognize_phrase(heard, {kGreeting, "please hold while we connect your call",
                                       "thank you for calling goodbye"}),
              kGreeting);

    auto logs = serve.api("GET", "/api/call-logs?scheduledCallId=" + id);
    const auto& log = logs.at("items").as_array().at(0);
    EXPECT_TRUE(log.at("streamSid").is_string());
    EXPECT_GT(log.at("streamDurationMs").to_number<int>(), 4000);
}

TEST(Greeting, SigtermHangsUpALiveCallRecordsItsEndAndExits) {
    TempDir dir;
    SimProcess sim(dir, R"({"callsPerSecond": 100, "default": {"ringSeconds": 0.1, "hangupAfterSeconds": 120}})");
    std::optional<ServeProcess> serve;
    serve.emplace(dir, sim, std::vector<std::string>{"--calls-per-second", "10", "--shutdown-grace-seconds", "5"});
    const auto id = serve->schedule_now({"+14155552671"});
    auto stream_started = [&] {
        const auto items = serve->api("GET", "/api/call-logs?scheduledCallId=" + id).at("items").as_array();
        return !items.empty() && items.at(0).at("streamSid").is_string();
    };
    ASSERT_TRUE(eventually(stream_started, 30s));

    const auto signalled = std::chrono::steady_clock::now();
    serve->process().signal(SIGTERM);
    EXPECT_EQ(serve->process().wait(), 0);
    EXPECT_LT(std::chrono::steady_clock::now() - signalled, 30s) << "the callee would have stayed 120 s";
    auto hung_up = [&] { return sim.calls_to("+14155552671").at(0).at("status") == "completed"; };
    EXPECT_TRUE(eventually(hung_up, 10s));

    // The stream's end was recorded before the process exited: another process reads it.
    serve.reset();
    ServeProcess reader(dir, sim);
    const auto log = reader.api("GET", "/api/call-logs?scheduledCallId=" + id).at("items").at(0);
    EXPECT_TRUE(log.at("streamEndedAt").is_string()) << boost::json::serialize(log);
}

}  // namespace
}  // namespace va::test

namespace va::test {
namespace {

TEST(Greeting, APromptsIntroductionCanBeHeardAsTheWavTheCallsPlay) {
    TempDir dir;
    SimProcess sim(dir, R"({"default": {}})");
    ServeProcess serve(dir, sim);
    unsigned status = 0;
    auto prompt = serve.api("POST", "/api/prompts",
                            boost::json::serialize(boost::json::object{
                                {"name", "Clinic"}, {"content", "You confirm appointments."}, {"introduction", kGreeting}}),
                            &status);
    ASSERT_EQ(status, 201u);
    HttpClient client(serve.port());
    auto reply = client.request("GET", "/api/prompts/" + std::string(prompt.at("id").as_string()) + "/introduction.wav");
    ASSERT_EQ(reply.status, 200u) << reply.body;
    EXPECT_EQ(reply.headers["content-type"], "audio/wav");
    std::ofstream(dir.file("introduction.wav"), std::ios::binary) << reply.body;
    auto wav = media::read_wav(dir.file("introduction.wav"));
    EXPECT_EQ(wav.sample_rate, 8000);
    EXPECT_EQ(wav.channels, 1);
    auto [start, end] = speech_span(wav.samples);
    EXPECT_GT(end - start, 2000) << "the whole sentence (about 3.5 s in espeak)";
}

}  // namespace
}  // namespace va::test
