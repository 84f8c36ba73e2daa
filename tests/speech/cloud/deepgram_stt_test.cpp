// Deepgram live transcription through SttSession against a local stand-in of its WebSocket API:
// the upgrade (query, Authorization), the audio on the wire (μ-law, pre-roll first), finals
// joined from is_final results, partials, cancel, order, KeepAlive, and the failures (401, close,
// no answer, a session destroyed mid-utterance). Real loopback sockets; nothing sleeps.
#include "speech/cloud/deepgram_stt.hpp"

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "media/mulaw.hpp"
#include "support/deepgram_standin.hpp"
#include "speech/cloud/deepgram_wire.hpp"

namespace va::speech {
namespace {

using namespace std::chrono_literals;
using test::DeepgramStandin;
using test::DeepgramStandinLog;
using test::DeepgramStandinScript;
using ::testing::HasSubstr;
using ::testing::Not;

constexpr auto kPatience = 20s;  // generous: a loaded machine, a sanitizer build
constexpr const char* kKey = "dg-secret-key-0123456789";

struct Final {
    std::string text;
    std::string error;
};

// What a session reported, in order; waits without sleeping.
struct Recorder {
    std::mutex mutex;
    std::condition_variable changed;
    std::vector<Final> finals;
    std::vector<std::string> partials;

    SttCallbacks callbacks() {
        SttCallbacks out;
        out.on_partial = [this](std::string text) {
            std::lock_guard lock(mutex);
            partials.push_back(std::move(text));
            changed.notify_all();
        };
        out.on_final = [this](std::string text, std::string error) {
            std::lock_guard lock(mutex);
            finals.push_back({std::move(text), std::move(error)});
            changed.notify_all();
        };
        return out;
    }
    bool wait_finals(std::size_t n) {
        std::unique_lock lock(mutex);
        return changed.wait_for(lock, kPatience, [&] { return finals.size() >= n; });
    }
    bool wait_partials(std::size_t n) {
        std::unique_lock lock(mutex);
        return changed.wait_for(lock, kPatience, [&] { return partials.size() >= n; });
    }
    std::vector<Final> all_finals() {
        std::lock_guard lock(mutex);
        return finals;
    }
    std::size_t calls() {
        std::lock_guard lock(mutex);
        return finals.size() + partials.size();
    }
};

std::vector<std::int16_t> tone(std::size_t samples, int seed) {
    std::vector<std::int16_t> out(samples);
    for (std::size_t i = 0; i < samples; ++i)
        out[i] = static_cast<std::int16_t>(((static_cast<int>(i) * 37 + seed * 101) % 2000 - 1000) * 8);
    return out;
}

// The client's io_context on a thread of its own, and the provider pointed at a stand-in.
class DeepgramTest : public ::testing::Test {
protected:
    void start(DeepgramStandinScript script, DeepgramConfig config = {}) {
        standin_.emplace(std::move(script));
        config.base_url = standin_->base_url();
        config.api_key = kKey;
        stt_ = make_deepgram_stt(io_, config);
        thread_ = std::thread([this] { io_.run(); });
    }
    void TearDown() override {
        work_.reset();
        io_.stop();
        if (thread_.joinable()) thread_.join();
    }
    bool standin_wait(const std::function<bool(const DeepgramStandinLog&)>& done) {
        return standin_->wait(done, kPatience);
    }

    boost::asio::io_context io_;
    boost::asio::executor_work_guard<boost::asio::io_context::executor_type> work_{io_.get_executor()};
    std::optional<DeepgramStandin> standin_;
    std::unique_ptr<SpeechToText> stt_;
    std::thread thread_;
    Recorder recorder_;
};

TEST_F(DeepgramTest, UpgradeCarriesTheQueryAndTheKey) {
    DeepgramConfig config;
    config.model = "nova-2-phonecall";
    config.language = "en-US";
    start({}, config);
    EXPECT_EQ(stt_->name(), "deepgram:nova-2-phonecall");
    auto session = stt_->open(recorder_.callbacks());
    ASSERT_TRUE(standin_wait([](const auto& log) { return log.upgrades == 1; }));
    const auto log = standin_->log();
    EXPECT_EQ(log.target,
              "/v1/listen?encoding=mulaw&sample_rate=8000&channels=1&model=nova-2-phonecall&language=en-US"
              "&interim_results=true&punctuate=true&smart_format=true");
    EXPECT_EQ(log.authorization, std::string("Token ") + kKey);
}

TEST_F(DeepgramTest, AudioIsTheMulawOfWhatWasGivenPrerollFirst) {
    DeepgramStandinScript script;
    script.on_finalize = {{"hello"}};
    start(script);
    auto session = stt_->open(recorder_.callbacks());
    const auto preroll = tone(1600, 1);
    const auto a = tone(160, 2);
    const auto b = tone(320, 3);
    session->begin_utterance(preroll);
    session->audio(a);
    session->audio(b);
    session->end_utterance();
    ASSERT_TRUE(recorder_.wait_finals(1));
    std::vector<std::int16_t> all(preroll);
    all.insert(all.end(), a.begin(), a.end());
    all.insert(all.end(), b.begin(), b.end());
    const auto log = standin_->log();
    EXPECT_EQ(log.audio, media::encode_mulaw(all));
    EXPECT_EQ(log.count("Finalize"), 1u);
    EXPECT_EQ(recorder_.all_finals()[0].text, "hello");
    EXPECT_EQ(recorder_.all_finals()[0].error, "");
}

TEST_F(DeepgramTest, AudioOutsideAnUtteranceIsNotSent) {
    start({});
    auto session = stt_->open(recorder_.callbacks());
    session->audio(tone(800, 1));  // before any utterance: ignored
    session->begin_utterance(tone(160, 2));
    session->end_utterance();
    session->audio(tone(800, 3));  // after it: ignored
    ASSERT_TRUE(recorder_.wait_finals(1));
    EXPECT_EQ(standin_->log().audio, media::encode_mulaw(tone(160, 2)));
}

TEST_F(DeepgramTest, FinalJoinsTheIsFinalResultsUpToFromFinalize) {
    DeepgramStandinScript script;
    script.on_audio = {{"Hello there.", true}};
    script.on_finalize = {{"How are", "you?"}};
    start(script);
    auto session = stt_->open(recorder_.callbacks());
    session->begin_utterance(tone(1600, 1));
    // Wait for the endpointed final before flushing, as a real caller's pause would.
    ASSERT_TRUE(recorder_.wait_partials(1));
    session->end_utterance();
    ASSERT_TRUE(recorder_.wait_finals(1));
    const auto finals = recorder_.all_finals();
    ASSERT_EQ(finals.size(), 1u);
    EXPECT_EQ(finals[0].text, "Hello there. How are you?");
    EXPECT_EQ(finals[0].error, "");
}

TEST_F(DeepgramTest, PartialsAreTheFinalsSoFarPlusTheInterim) {
    DeepgramStandinScript script;
    script.on_audio = {{"hel", false}, {"hello", false}, {"hello world", true}, {"how", false}};
    script.on_finalize = {{"how are you"}};
    start(script);
    auto session = stt_->open(recorder_.callbacks());
    session->begin_utterance(tone(160, 1));
    session->audio(tone(160, 2));
    ASSERT_TRUE(recorder_.wait_partials(4));
    session->end_utterance();
    ASSERT_TRUE(recorder_.wait_finals(1));
    std::lock_guard lock(recorder_.mutex);
    EXPECT_EQ(recorder_.partials, (std::vector<std::string>{"hel", "hello", "hello world", "hello world how"}));
    EXPECT_EQ(recorder_.finals[0].text, "hello world how are you");
}

TEST_F(DeepgramTest, CancelFinalizesAndDiscardsTheResults) {
    DeepgramStandinScript script;
    script.on_finalize = {{"uh huh"}, {"yes please"}};
    start(script);
    auto session = stt_->open(recorder_.callbacks());
    session->begin_utterance(tone(800, 1));
    session->cancel_utterance();
    session->begin_utterance(tone(800, 2));
    session->end_utterance();
    ASSERT_TRUE(recorder_.wait_finals(1));
    ASSERT_TRUE(standin_wait([](const auto& log) { return log.count("Finalize") == 2; }));
    const auto finals = recorder_.all_finals();
    ASSERT_EQ(finals.size(), 1u);
    EXPECT_EQ(finals[0].text, "yes please");
}

TEST_F(DeepgramTest, UtterancesResolveInOrderWithOneFinalEach) {
    DeepgramStandinScript script;
    script.on_finalize = {{"first"}, {"second"}};
    start(script);
    auto session = stt_->open(recorder_.callbacks());
    session->begin_utterance(tone(800, 1));
    session->end_utterance();
    session->begin_utterance(tone(800, 2));
    session->end_utterance();
    session->end_utterance();  // outside an utterance: "" in its turn
    ASSERT_TRUE(recorder_.wait_finals(3));
    const auto finals = recorder_.all_finals();
    ASSERT_EQ(finals.size(), 3u);
    EXPECT_EQ(finals[0].text, "first");
    EXPECT_EQ(finals[1].text, "second");
    EXPECT_EQ(finals[2].text, "");
    for (const auto& f : finals) EXPECT_EQ(f.error, "");
}

TEST_F(DeepgramTest, KeepAliveGoesOutWhileNoAudioFlows) {
    DeepgramConfig config;
    config.keepalive_interval = 50ms;
    start({}, config);
    auto session = stt_->open(recorder_.callbacks());
    ASSERT_TRUE(standin_wait([](const auto& log) { return log.count("KeepAlive") >= 3; }));
    const auto log = standin_->log();
    EXPECT_TRUE(log.audio.empty());
    EXPECT_EQ(log.count("Finalize"), 0u);
}

TEST_F(DeepgramTest, RefusedUpgradeFailsEveryFinalWithoutTheKey) {
    DeepgramStandinScript script;
    script.refuse_status = 401;
    start(script);
    auto session = stt_->open(recorder_.callbacks());
    session->begin_utterance(tone(800, 1));
    session->end_utterance();
    session->begin_utterance(tone(800, 2));
    session->end_utterance();
    ASSERT_TRUE(recorder_.wait_finals(2));
    for (const auto& f : recorder_.all_finals()) {
        EXPECT_EQ(f.text, "");
        EXPECT_THAT(f.error, HasSubstr("deepgram: "));
        EXPECT_THAT(f.error, HasSubstr("401"));
        EXPECT_THAT(f.error, Not(HasSubstr(kKey)));
    }
}

TEST_F(DeepgramTest, ServerClosingFailsThePendingFinal) {
    DeepgramStandinScript script;
    script.close_on_finalize = true;
    start(script);
    auto session = stt_->open(recorder_.callbacks());
    session->begin_utterance(tone(800, 1));
    session->end_utterance();
    ASSERT_TRUE(recorder_.wait_finals(1));
    const auto final = recorder_.all_finals()[0];
    EXPECT_EQ(final.text, "");
    EXPECT_THAT(final.error, HasSubstr("deepgram: connection closed"));
    EXPECT_THAT(final.error, Not(HasSubstr(kKey)));
}

TEST_F(DeepgramTest, AnErrorMessageFailsThePendingFinalAndLaterOnes) {
    DeepgramStandinScript script;
    script.error_on_finalize = "audio could not be decoded";
    start(script);
    auto session = stt_->open(recorder_.callbacks());
    session->begin_utterance(tone(800, 1));
    session->end_utterance();
    ASSERT_TRUE(recorder_.wait_finals(1));
    session->begin_utterance(tone(800, 2));
    session->end_utterance();
    ASSERT_TRUE(recorder_.wait_finals(2));
    for (const auto& f : recorder_.all_finals()) {
        EXPECT_EQ(f.text, "");
        EXPECT_EQ(f.error, "deepgram: audio could not be decoded");
    }
    // The failed session's socket is dropped.
    ASSERT_TRUE(standin_wait([](const auto& log) { return log.disconnects == 1; }));
}

TEST_F(DeepgramTest, ServerClosingMidUtteranceFailsItsFinalAndLaterOnes) {
    DeepgramStandinScript script;
    script.close_after_audio_frames = 1;
    start(script);
    auto session = stt_->open(recorder_.callbacks());
    session->begin_utterance(tone(160, 1));
    ASSERT_TRUE(standin_wait([](const auto& log) { return log.disconnects == 1; }));
    session->audio(tone(160, 2));
    session->end_utterance();
    session->begin_utterance(tone(160, 3));
    session->end_utterance();
    ASSERT_TRUE(recorder_.wait_finals(2));
    for (const auto& f : recorder_.all_finals()) {
        EXPECT_EQ(f.text, "");
        EXPECT_THAT(f.error, HasSubstr("deepgram: "));
    }
}

TEST_F(DeepgramTest, NoAnswerToFinalizeTimesOutWithWhatWasGathered) {
    DeepgramStandinScript script;
    script.on_audio = {{"so far", true}};
    script.ignore_finalize = true;
    DeepgramConfig config;
    config.final_timeout = 200ms;
    start(script, config);
    auto session = stt_->open(recorder_.callbacks());
    session->begin_utterance(tone(160, 1));
    ASSERT_TRUE(recorder_.wait_partials(1));
    session->end_utterance();
    ASSERT_TRUE(recorder_.wait_finals(1));
    const auto final = recorder_.all_finals()[0];
    EXPECT_EQ(final.text, "so far");
    EXPECT_EQ(final.error, "");
}

TEST_F(DeepgramTest, NoAnswerAndNoWordsTimesOutWithAnError) {
    DeepgramStandinScript script;
    script.ignore_finalize = true;
    DeepgramConfig config;
    config.final_timeout = 200ms;
    start(script, config);
    auto session = stt_->open(recorder_.callbacks());
    session->begin_utterance(tone(160, 1));
    session->end_utterance();
    session->begin_utterance(tone(160, 2));
    session->end_utterance();
    ASSERT_TRUE(recorder_.wait_finals(2));
    for (const auto& f : recorder_.all_finals()) {
        EXPECT_EQ(f.text, "");
        EXPECT_EQ(f.error, "deepgram: no final result within 200 ms");
    }
}

TEST_F(DeepgramTest, DestroyingMidUtteranceClosesTheStreamWithNoCallback) {
    DeepgramStandinScript script;
    script.on_audio = {{"hello", false}};
    script.on_finalize = {{"hello"}};
    start(script);
    auto session = stt_->open(recorder_.callbacks());
    session->begin_utterance(tone(160, 1));
    ASSERT_TRUE(recorder_.wait_partials(1));
    session->audio(tone(160, 2));
    session->end_utterance();
    session.reset();
    const auto calls = recorder_.calls();  // the partial; no final can follow now
    ASSERT_TRUE(standin_wait([](const auto& log) { return log.count("CloseStream") == 1 && log.disconnects == 1; }));
    EXPECT_EQ(recorder_.calls(), calls);
    // A session destroyed before its socket is up still leaves quietly.
    auto second = stt_->open(recorder_.callbacks());
    second->begin_utterance(tone(160, 3));
    second->end_utterance();
    second.reset();
    ASSERT_TRUE(standin_wait([](const auto& log) { return log.disconnects == 2; }));
    EXPECT_EQ(recorder_.calls(), calls);
}

TEST(DeepgramConfigTest, RefusesAMissingKeyOrANonWebSocketUrl) {
    boost::asio::io_context io;
    DeepgramConfig config;
    EXPECT_THROW(make_deepgram_stt(io, config), std::invalid_argument);
    config.api_key = "k";
    config.base_url = "https://api.deepgram.com";
    EXPECT_THROW(make_deepgram_stt(io, config), std::invalid_argument);
    config.base_url = "wss://api.deepgram.com";
    EXPECT_NO_THROW(make_deepgram_stt(io, config));
}

TEST(DeepgramWireTest, ListenUrlEncodesItsParameters) {
    DeepgramConfig config;
    config.base_url = "wss://dg.example/";
    config.model = "nova-3";
    config.language = "en US&x";
    EXPECT_EQ(deepgram::listen_url(config),
              "wss://dg.example/v1/listen?encoding=mulaw&sample_rate=8000&channels=1&model=nova-3&language=en%20US%26x"
              "&interim_results=true&punctuate=true&smart_format=true");
}

TEST(DeepgramWireTest, ReadsResultsErrorsAndIgnoresTheRest) {
    using Kind = deepgram::ServerMessage::Kind;
    auto results = deepgram::parse_server_message(
        R"({"type":"Results","is_final":true,"speech_final":false,"from_finalize":true,)"
        R"("channel":{"alternatives":[{"transcript":"yes it is","confidence":0.98},{"transcript":"yes"}]}})");
    EXPECT_EQ(results.kind, Kind::results);
    EXPECT_EQ(results.transcript, "yes it is");
    EXPECT_TRUE(results.is_final);
    EXPECT_TRUE(results.from_finalize);
    auto interim = deepgram::parse_server_message(R"({"type":"Results","channel":{"alternatives":[]}})");
    EXPECT_EQ(interim.kind, Kind::results);
    EXPECT_EQ(interim.transcript, "");
    EXPECT_FALSE(interim.is_final);
    EXPECT_FALSE(interim.from_finalize);
    auto error = deepgram::parse_server_message(R"({"type":"Error","description":"bad audio","message":"x"})");
    EXPECT_EQ(error.kind, Kind::error);
    EXPECT_EQ(error.error, "bad audio");
    for (const char* other : {R"({"type":"Metadata"})", R"({"type":"SpeechStarted"})", R"({"type":"UtteranceEnd"})",
                              "not json", "[1,2]", R"({"type":7})", R"({"type":"Results","channel":5,"is_final":"yes"})"}) {
        auto message = deepgram::parse_server_message(other);
        EXPECT_NE(message.kind, Kind::error) << other;
        EXPECT_EQ(message.transcript, "") << other;
        EXPECT_FALSE(message.is_final) << other;
    }
}

}  // namespace
}  // namespace va::speech
