// Deepgram live transcription through SttSession against a local stand-in of its WebSocket API:
// the upgrade (query, Authorization), the audio on the wire (μ-law, pre-roll first), finals
// joined from is_final results, partials (only when asked for), cancel, order, KeepAlive, and the
// failures (401, 503, close, no answer, a session destroyed mid-utterance) with their reasons in
// the log and never the key; and the stand-in's listening mode, whose words come as the audio
// holding them does (partials growing word by word). Real loopback sockets; the client's
// io_context on a thread of its own, the results awaited on the test's (support/stt_listener.hpp);
// nothing sleeps.
#include "speech/cloud/deepgram_stt.hpp"
#include "speech/cloud/deepgram_wire.hpp"

#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <span>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <spdlog/details/null_mutex.h>
#include <spdlog/sinks/base_sink.h>
#include <spdlog/spdlog.h>

#include "media/mulaw.hpp"
#include "speech/cloud/deepgram_wire.hpp"
#include "support/deepgram_standin.hpp"
#include "support/spoken_phrase.hpp"
#include "support/stt_listener.hpp"

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

using test::with_partials;

// A session whose results the test awaits.
struct Listener : test::SttListener {
    explicit Listener(SpeechToText& stt, SttOptions options = {}) : SttListener(stt, kPatience, std::move(options)) {}
    // The next partial's words; "(none)" when the next result is something else or none came.
    std::string partial() {
        const auto got = next();
        return got && *got && !(*got)->final ? (*got)->text : "(none)";
    }
    // The next final's error; a test failure when it did not fail.
    boost::system::error_code failure() {
        const auto got = final();
        if (got && !*got) return got->error();
        ADD_FAILURE() << "the final did not fail";
        return {};
    }
};

// What the client logs while the test runs (installed before its io_context's thread starts,
// removed after it stops), waited on without sleeping.
class LogCapture {
public:
    LogCapture() : sink_(std::make_shared<Sink>()), previous_(spdlog::default_logger()) {
        spdlog::set_default_logger(std::make_shared<spdlog::logger>("deepgram-test", sink_));
    }
    ~LogCapture() { spdlog::set_default_logger(previous_); }
    std::string text() const {
        std::lock_guard lock(sink_->mutex);
        return sink_->text;
    }
    bool wait_for(const std::string& words, std::chrono::milliseconds timeout) const {
        std::unique_lock lock(sink_->mutex);
        return sink_->changed.wait_for(lock, timeout, [&] { return sink_->text.find(words) != std::string::npos; });
    }

private:
    struct Sink final : spdlog::sinks::base_sink<spdlog::details::null_mutex> {
        void sink_it_(const spdlog::details::log_msg& message) override {
            std::lock_guard lock(mutex);
            text.append(message.payload.data(), message.payload.size()).append("\n");
            changed.notify_all();
        }
        void flush_() override {}
        mutable std::mutex mutex;
        std::condition_variable changed;
        std::string text;
    };
    std::shared_ptr<Sink> sink_;
    std::shared_ptr<spdlog::logger> previous_;
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

    LogCapture log_;
    boost::asio::io_context io_;
    boost::asio::executor_work_guard<boost::asio::io_context::executor_type> work_{io_.get_executor()};
    std::optional<DeepgramStandin> standin_;
    std::unique_ptr<SpeechToText> stt_;
    std::thread thread_;
};

TEST_F(DeepgramTest, UpgradeCarriesTheQueryAndTheKey) {
    DeepgramConfig config;
    config.model = "nova-2-phonecall";
    config.language = "en-US";
    start({}, config);
    EXPECT_EQ(stt_->name(), "deepgram:nova-2-phonecall");
    Listener session(*stt_);
    ASSERT_TRUE(standin_wait([](const auto& log) { return log.upgrades == 1; }));
    const auto log = standin_->log();
    EXPECT_EQ(log.target,
              "/v1/listen?encoding=mulaw&sample_rate=8000&channels=1&model=nova-2-phonecall&language=en-US"
              "&interim_results=true&punctuate=true&smart_format=true");
    EXPECT_EQ(log.authorization, std::string("Token ") + kKey);
}

// The call's names reach Deepgram as its vocabulary boost: phrases for Nova-3, words before it.
TEST_F(DeepgramTest, TheCallsNamesGoOutAsKeytermsOrKeywords) {
    DeepgramConfig config;
    config.model = "nova-3";
    start({}, config);
    Listener session(*stt_, {.context = "You book checkups for Bright Smile Dental.\nIs that with Doctor Okonkwo?"});
    ASSERT_TRUE(standin_wait([](const auto& log) { return log.upgrades == 1; }));
    EXPECT_TRUE(standin_->log().target.ends_with("&smart_format=true&keyterm=Bright%20Smile%20Dental&keyterm=Doctor%20Okonkwo"))
        << standin_->log().target;
}

TEST_F(DeepgramTest, AudioIsTheMulawOfWhatWasGivenPrerollFirst) {
    DeepgramStandinScript script;
    script.on_finalize = {{"hello"}};
    start(script);
    Listener session(*stt_);
    const auto preroll = tone(1600, 1);
    const auto a = tone(160, 2);
    const auto b = tone(320, 3);
    session->begin_utterance(preroll);
    session->audio(a);
    session->audio(b);
    session->end_utterance();
    EXPECT_EQ(session.words(), "hello");
    std::vector<std::int16_t> all(preroll);
    all.insert(all.end(), a.begin(), a.end());
    all.insert(all.end(), b.begin(), b.end());
    const auto log = standin_->log();
    EXPECT_EQ(log.audio, media::encode_mulaw(all));
    EXPECT_EQ(log.count("Finalize"), 1u);
}

TEST_F(DeepgramTest, AudioOutsideAnUtteranceIsNotSent) {
    start({});
    Listener session(*stt_);
    session->audio(tone(800, 1));  // before any utterance: ignored
    session->begin_utterance(tone(160, 2));
    session->end_utterance();
    session->audio(tone(800, 3));  // after it: ignored
    EXPECT_EQ(session.words(), "");
    EXPECT_EQ(standin_->log().audio, media::encode_mulaw(tone(160, 2)));
}

TEST_F(DeepgramTest, FinalJoinsTheIsFinalResultsUpToFromFinalize) {
    DeepgramStandinScript script;
    script.on_audio = {{"Hello there.", true}};
    script.on_finalize = {{"How are", "you?"}};
    start(script);
    Listener session(*stt_, with_partials());
    session->begin_utterance(tone(1600, 1));
    // Wait for the endpointed final before flushing, as a real caller's pause would.
    EXPECT_EQ(session.partial(), "Hello there.");
    session->end_utterance();
    EXPECT_EQ(session.words(), "Hello there. How are you?");
    EXPECT_TRUE(session.partials().empty());
}

TEST_F(DeepgramTest, PartialsAreTheFinalsSoFarPlusTheInterim) {
    DeepgramStandinScript script;
    script.on_audio = {{"hel", false}, {"hello", false}, {"hello world", true}, {"how", false}};
    script.on_finalize = {{"how are you"}};
    start(script);
    Listener session(*stt_, with_partials());
    session->begin_utterance(tone(160, 1));
    session->audio(tone(160, 2));
    // (Interim words are only for the utterance being spoken: they must come before its end.)
    std::vector<std::string> partials;
    for (int i = 0; i < 4; ++i) partials.push_back(session.partial());
    EXPECT_EQ(partials, (std::vector<std::string>{"hel", "hello", "hello world", "hello world how"}));
    session->end_utterance();
    EXPECT_EQ(session.words(), "hello world how are you");
}

TEST_F(DeepgramTest, NoPartialsUnlessAskedFor) {
    // The stand-in answers the utterance's audio and then closes: once the client has logged the
    // close, it has read the results before it, with the utterance open.
    DeepgramStandinScript script;
    script.on_audio = {{"hel", false}, {"hello", true}};
    script.close_after_audio_frames = 1;
    start(script);
    Listener session(*stt_);
    session->begin_utterance(tone(160, 1));
    ASSERT_TRUE(log_.wait_for("deepgram: connection closed", kPatience));
    EXPECT_TRUE(session.arrived().empty());
}

TEST_F(DeepgramTest, CancelFinalizesAndDiscardsTheResults) {
    DeepgramStandinScript script;
    script.on_finalize = {{"uh huh"}, {"yes please"}};
    start(script);
    Listener session(*stt_);
    session->begin_utterance(tone(800, 1));
    session->cancel_utterance();
    session->begin_utterance(tone(800, 2));
    session->end_utterance();
    EXPECT_EQ(session.words(), "yes please");
    ASSERT_TRUE(standin_wait([](const auto& log) { return log.count("Finalize") == 2; }));
    EXPECT_TRUE(session.arrived().empty());
}

TEST_F(DeepgramTest, UtterancesResolveInOrderWithOneFinalEach) {
    DeepgramStandinScript script;
    script.on_finalize = {{"first"}, {"second"}};
    start(script);
    Listener session(*stt_);
    session->begin_utterance(tone(800, 1));
    session->end_utterance();
    session->begin_utterance(tone(800, 2));
    session->end_utterance();
    session->end_utterance();  // outside an utterance: "" in its turn
    EXPECT_EQ(session.words(), "first");
    EXPECT_EQ(session.words(), "second");
    EXPECT_EQ(session.words(), "");
}

TEST_F(DeepgramTest, ACancelledWaitThrowsAndLosesNothing) {
    DeepgramStandinScript script;
    script.on_finalize = {{"hello"}};
    start(script);
    Listener session(*stt_);
    EXPECT_TRUE(session.cancelled_wait_aborts());
    session->begin_utterance(tone(160, 1));
    session->end_utterance();
    EXPECT_EQ(session.words(), "hello");
}

TEST_F(DeepgramTest, KeepAliveGoesOutWhileNoAudioFlows) {
    DeepgramConfig config;
    config.keepalive_interval = 50ms;
    start({}, config);
    Listener session(*stt_);
    ASSERT_TRUE(standin_wait([](const auto& log) { return log.count("KeepAlive") >= 3; }));
    const auto log = standin_->log();
    EXPECT_TRUE(log.audio.empty());
    EXPECT_EQ(log.count("Finalize"), 0u);
}

TEST_F(DeepgramTest, RefusedUpgradeFailsEveryFinalAndLogsWhyWithoutTheKey) {
    DeepgramStandinScript script;
    script.refuse_status = 401;
    start(script);
    Listener session(*stt_);
    session->begin_utterance(tone(800, 1));
    session->end_utterance();
    session->begin_utterance(tone(800, 2));
    session->end_utterance();
    EXPECT_EQ(session.failure(), engine::Errc::refused);
    EXPECT_EQ(session.failure(), engine::Errc::refused);
    EXPECT_THAT(log_.text(), HasSubstr("deepgram: upgrade refused (HTTP 401)"));
    EXPECT_THAT(log_.text(), Not(HasSubstr(kKey)));
}

TEST_F(DeepgramTest, AnUpgradeThatFailsOnTheServerSideIsUnreachable) {
    DeepgramStandinScript script;
    script.refuse_status = 503;
    start(script);
    Listener session(*stt_);
    session->begin_utterance(tone(800, 1));
    session->end_utterance();
    EXPECT_EQ(session.failure(), engine::Errc::unreachable);
    EXPECT_THAT(log_.text(), HasSubstr("deepgram: upgrade refused (HTTP 503)"));
}

TEST_F(DeepgramTest, ServerClosingFailsThePendingFinal) {
    DeepgramStandinScript script;
    script.close_on_finalize = true;
    start(script);
    Listener session(*stt_);
    session->begin_utterance(tone(800, 1));
    session->end_utterance();
    EXPECT_EQ(session.failure(), engine::Errc::failed);
    EXPECT_THAT(log_.text(), HasSubstr("deepgram: connection closed"));
    EXPECT_THAT(log_.text(), Not(HasSubstr(kKey)));
}

TEST_F(DeepgramTest, AnErrorMessageFailsThePendingFinalAndLaterOnes) {
    DeepgramStandinScript script;
    script.error_on_finalize = "audio could not be decoded";
    start(script);
    Listener session(*stt_);
    session->begin_utterance(tone(800, 1));
    session->end_utterance();
    EXPECT_EQ(session.failure(), engine::Errc::failed);
    session->begin_utterance(tone(800, 2));
    session->end_utterance();
    EXPECT_EQ(session.failure(), engine::Errc::failed);
    EXPECT_THAT(log_.text(), HasSubstr("deepgram: audio could not be decoded"));
    // The failed session's socket is dropped.
    ASSERT_TRUE(standin_wait([](const auto& log) { return log.disconnects == 1; }));
}

TEST_F(DeepgramTest, ServerClosingMidUtteranceFailsItsFinalAndLaterOnes) {
    DeepgramStandinScript script;
    script.close_after_audio_frames = 1;
    start(script);
    Listener session(*stt_);
    session->begin_utterance(tone(160, 1));
    ASSERT_TRUE(standin_wait([](const auto& log) { return log.disconnects == 1; }));
    session->audio(tone(160, 2));
    session->end_utterance();
    session->begin_utterance(tone(160, 3));
    session->end_utterance();
    EXPECT_EQ(session.failure(), engine::Errc::failed);
    EXPECT_EQ(session.failure(), engine::Errc::failed);
    EXPECT_THAT(log_.text(), HasSubstr("deepgram: connection closed"));
}

TEST_F(DeepgramTest, NoAnswerToFinalizeTimesOutWithWhatWasGathered) {
    DeepgramStandinScript script;
    script.on_audio = {{"so far", true}};
    script.ignore_finalize = true;
    DeepgramConfig config;
    config.final_timeout = 200ms;
    start(script, config);
    Listener session(*stt_, with_partials());
    session->begin_utterance(tone(160, 1));
    EXPECT_EQ(session.partial(), "so far");
    session->end_utterance();
    EXPECT_EQ(session.words(), "so far");
}

TEST_F(DeepgramTest, NoAnswerAndNoWordsTimesOutWithAnError) {
    DeepgramStandinScript script;
    script.ignore_finalize = true;
    DeepgramConfig config;
    config.final_timeout = 200ms;
    start(script, config);
    Listener session(*stt_);
    session->begin_utterance(tone(160, 1));
    session->end_utterance();
    session->begin_utterance(tone(160, 2));
    session->end_utterance();
    EXPECT_EQ(session.failure(), engine::Errc::failed);
    EXPECT_EQ(session.failure(), engine::Errc::failed);
    EXPECT_THAT(log_.text(), HasSubstr("deepgram: no final result within 200 ms"));
}

TEST_F(DeepgramTest, DestroyingMidUtteranceClosesTheStreamAndDeliversNothing) {
    DeepgramStandinScript script;
    script.on_audio = {{"hello", false}};
    script.on_finalize = {{"hello"}};
    start(script);
    Listener session(*stt_, with_partials());
    session->begin_utterance(tone(160, 1));
    EXPECT_EQ(session.partial(), "hello");
    session->audio(tone(160, 2));
    session->end_utterance();
    session.close();
    ASSERT_TRUE(standin_wait([](const auto& log) { return log.count("CloseStream") == 1 && log.disconnects == 1; }));
    EXPECT_EQ(session.late(), 0u);
    // A session destroyed before its socket is up still leaves quietly.
    Listener second(*stt_);
    second->begin_utterance(tone(160, 3));
    second->end_utterance();
    second.close();
    ASSERT_TRUE(standin_wait([](const auto& log) { return log.disconnects == 2; }));
    EXPECT_EQ(second.late(), 0u);
}

// An utterance as the VAD hands it over: the first 200 ms as the pre-roll, then 20 ms frames.
void say(Listener& session, const std::vector<std::int16_t>& audio) {
    constexpr std::size_t kPreroll = 1600;
    constexpr std::size_t kFrame = 160;
    session->begin_utterance(std::span(audio).first(std::min(kPreroll, audio.size())));
    for (std::size_t at = kPreroll; at < audio.size(); at += kFrame)
        session->audio(std::span(audio).subspan(at, std::min(kFrame, audio.size() - at)));
}

// A clip after `lead` samples of silence (frame-aligned, as the simulator plays it), then `tail`.
std::vector<std::int16_t> on_the_line(const std::vector<std::int16_t>& clip, std::size_t lead, std::size_t tail) {
    std::vector<std::int16_t> audio(lead, 0);
    audio.insert(audio.end(), clip.begin(), clip.end());
    audio.resize((audio.size() + 159) / 160 * 160 + tail, 0);
    return audio;
}

// Partials until the one that is `last` (or none comes, or far too many do).
std::vector<std::string> partials_until(Listener& session, const std::string& last) {
    std::vector<std::string> got;
    while (got.size() < 20) {
        got.push_back(session.partial());
        if (got.back() == last || got.back() == "(none)") break;
    }
    return got;
}

TEST_F(DeepgramTest, ListeningStandinSaysEachWordAsItIsHeard) {
    DeepgramStandinScript script;
    script.phrases = {test::spoken_phrase("wait actually tuesday does not work"), test::spoken_phrase("uh huh")};
    script.word_lag = 20ms;
    script.finalize_lag = 10ms;
    const auto wait = script.phrases[0].pcm;
    const auto uh_huh = script.phrases[1].pcm;
    start(script);
    Listener session(*stt_, with_partials());
    // Each word's interim once its end is heard; the last one's endpointed final ends the growth.
    // (Waited for before the utterance ends: a client drops the interims of an ended utterance.)
    say(session, on_the_line(wait, 800, 1600));
    EXPECT_EQ(partials_until(session, "wait actually tuesday does not work"),
              (std::vector<std::string>{"wait", "wait actually", "wait actually tuesday", "wait actually tuesday does",
                                        "wait actually tuesday does not", "wait actually tuesday does not work"}));
    session->end_utterance();
    EXPECT_EQ(session.words(), "wait actually tuesday does not work");
    EXPECT_TRUE(session.partials().empty());
    // The next utterance is spotted afresh.
    say(session, on_the_line(uh_huh, 1600, 800));
    EXPECT_EQ(partials_until(session, "uh huh"), (std::vector<std::string>{"uh", "uh huh"}));
    session->end_utterance();
    EXPECT_EQ(session.words(), "uh huh");
    const auto log = standin_->log();
    EXPECT_EQ(log.spotted, (std::vector<std::string>{"wait actually tuesday does not work", "uh huh"}));
    EXPECT_EQ(log.count("Finalize"), 2u);
}

TEST_F(DeepgramTest, ListeningStandinFinalizesWithTheWordsHeardSoFar) {
    // Results far later than the client waits: only the Finalize's answer, which drops them and
    // holds their words, can end the utterance in time.
    DeepgramStandinScript script;
    script.phrases = {test::spoken_phrase("wait actually tuesday does not work")};
    script.word_lag = 60s;
    script.finalize_lag = 10ms;
    const auto& phrase = script.phrases[0];
    auto audio = on_the_line(phrase.pcm, 800, 0);
    // Cut just after "tuesday" ends: the callee was cut off (a cancelled or a very long turn).
    audio.resize(800 + static_cast<std::size_t>(phrase.words[2].end.count()) * 8 + 80);
    start(script);
    Listener session(*stt_, with_partials());
    say(session, audio);
    session->end_utterance();
    EXPECT_EQ(session.words(), "wait actually tuesday");
    EXPECT_TRUE(session.partials().empty());
    // Nothing of it comes later: the next utterance hears nothing it knows.
    say(session, std::vector<std::int16_t>(3200, 0));
    session->end_utterance();
    EXPECT_EQ(session.words(), "");
    EXPECT_TRUE(session.arrived().empty());
}

TEST_F(DeepgramTest, ListeningStandinKeepsTheFaults) {
    DeepgramStandinScript script;
    script.phrases = {test::spoken_phrase("uh huh")};
    script.close_on_finalize = true;
    start(script);
    Listener session(*stt_);
    say(session, on_the_line(script.phrases[0].pcm, 800, 800));
    session->end_utterance();
    EXPECT_EQ(session.failure(), engine::Errc::failed);
    EXPECT_THAT(log_.text(), HasSubstr("deepgram: connection closed"));
    ASSERT_TRUE(standin_wait([](const auto& log) { return log.disconnects == 1; }));
    EXPECT_EQ(standin_->log().spotted, std::vector<std::string>{"uh huh"});
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

TEST(DeepgramWireTest, OlderModelsGetTheNamesWordsAsKeywordsEachOnce) {
    DeepgramConfig config;
    config.base_url = "wss://api.deepgram.com/";
    config.model = "nova-2-phonecall";
    EXPECT_EQ(deepgram::listen_url(config, {"Doctor Okonkwo", "Okonkwo's", "Doctor Adebayo"}),
              "wss://api.deepgram.com/v1/listen?encoding=mulaw&sample_rate=8000&channels=1&model=nova-2-phonecall"
              "&language=en-US&interim_results=true&punctuate=true&smart_format=true"
              "&keywords=Doctor&keywords=Okonkwo&keywords=Okonkwo%27s&keywords=Adebayo");
    config.model = "whisper-large";
    EXPECT_TRUE(deepgram::listen_url(config, {"Doctor Okonkwo"}).ends_with("&smart_format=true")) << "no boost to send";
}

TEST(DeepgramWireTest, KeyTermsAreTheTextsNamesNotItsSentenceStarts) {
    EXPECT_EQ(deepgram::key_terms("You book checkups for Bright Smile Dental. Doctor Okonkwo sees patients on "
                                  "Thursday, and I (Sam) answer.\nSure\nOkay, Thursday works"),
              (std::vector<std::string>{"Bright Smile Dental", "Doctor Okonkwo", "Thursday", "Sam"}));
    EXPECT_EQ(deepgram::key_terms("call The Very Long Name Of A Company Today"),
              (std::vector<std::string>{"The Very Long Name"}))
        << "a run is cut at kMaxTermWords words";
    EXPECT_TRUE(deepgram::key_terms("").empty());
    EXPECT_TRUE(deepgram::key_terms("  ... , !").empty());
    std::string many;
    for (int i = 0; i < 80; ++i) many += "see Name" + std::to_string(i) + " ";
    EXPECT_EQ(deepgram::key_terms(many).size(), deepgram::kMaxKeyTerms);
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
