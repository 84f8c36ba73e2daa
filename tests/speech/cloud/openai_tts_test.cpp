// The OpenAI speech client against a local stand-in of POST /v1/audio/speech (24 kHz PCM).
#include "speech/cloud/openai_tts.hpp"

#include <cmath>

#include <boost/json/parse.hpp>
#include <gtest/gtest.h>

#include "speech/cloud/cloud_tts_fixture.hpp"
#include "support/tts_log.hpp"
#include "speech/cloud/tts_standins.hpp"

namespace va::speech {
namespace {

using namespace std::chrono_literals;
using test::OpenAiSpeechStandin;
using test::TtsLog;

constexpr const char* kKey = "sk-test-openai-tts-0123456789";

class OpenAiTtsTest : public test::CloudTtsTest {
protected:
    std::unique_ptr<TextToSpeech> tts(std::string key = kKey, std::chrono::milliseconds first_audio = 5000ms,
                                      std::chrono::milliseconds total = 30000ms) {
        OpenAiTtsConfig config;
        config.base_url = standin_.base_url() + "/";
        config.api_key = std::move(key);
        config.first_audio_timeout = first_audio;
        config.total_timeout = total;
        return make_openai_tts(config);
    }

    OpenAiSpeechStandin standin_;
};

TEST_F(OpenAiTtsTest, SendsTheDocumentedRequest) {
    standin_.server().enqueue(OpenAiSpeechStandin::audio(test::sine(440, 24000, 2400), 1000));
    auto t = tts();
    TtsLog log;
    log.start(io_, *t, "Hello there.");
    ASSERT_TRUE(log.wait_done());
    EXPECT_TRUE(log.ok());
    ASSERT_EQ(standin_.server().requests().size(), 1u);
    auto r = standin_.server().requests()[0];
    EXPECT_EQ(r.method, "POST");
    EXPECT_EQ(r.target, "/v1/audio/speech");
    EXPECT_EQ(r.header("authorization"), std::string("Bearer ") + kKey);
    EXPECT_EQ(r.header("content-type"), "application/json");
    EXPECT_EQ(boost::json::parse(r.body),
              boost::json::parse(
                  R"({"model":"gpt-4o-mini-tts","input":"Hello there.","voice":"alloy","response_format":"pcm"})"))
        << r.body;
    EXPECT_EQ(t->name(), "openai:alloy");
}

TEST_F(OpenAiTtsTest, OmitsAuthorizationWithoutAKey) {
    standin_.server().enqueue(OpenAiSpeechStandin::audio(test::sine(440, 24000, 240), 480));
    auto t = tts("");
    TtsLog log;
    log.start(io_, *t, "Hi.");
    ASSERT_TRUE(log.wait_done());
    EXPECT_TRUE(log.ok());
    ASSERT_EQ(standin_.server().requests().size(), 1u);
    EXPECT_FALSE(standin_.server().requests()[0].has_header("authorization"));
}

// A 24 kHz sine in odd-sized pieces (samples split across them) comes out as an 8 kHz sine of
// the same frequency and length, chunk by chunk while the stand-in still holds the rest.
TEST_F(OpenAiTtsTest, A24kHzSineComesOutAsAn8kHzSineWhileItStreams) {
    constexpr double kHz = 440;
    auto input = test::sine(kHz, 24000, 24000);  // 1 s
    auto reply = OpenAiSpeechStandin::audio(input, 4801);
    reply.hold_after = 2;
    standin_.server().enqueue(reply);
    auto t = tts();
    TtsLog log;
    log.start(io_, *t, "A long sentence.");
    ASSERT_TRUE(log.wait_samples(2 * 4801 / 2 / 3 - 100));  // most of the first two pieces
    EXPECT_FALSE(log.done());  // the stand-in still holds the rest
    EXPECT_GE(log.chunks().size(), 2u);
    standin_.server().release();
    ASSERT_TRUE(log.wait_done());
    EXPECT_TRUE(log.ok());
    auto out = log.audio();
    EXPECT_NEAR(static_cast<double>(out.size()), 8000.0, 160.0);
    for (const auto& chunk : log.chunks()) EXPECT_LE(chunk.size(), 800u);
    EXPECT_GE(log.chunks().size(), 10u);
    // Frequency from zero crossings over the middle 0.8 s: 2 per period.
    auto crossings = test::zero_crossings(out, 800, 7200);
    EXPECT_NEAR(static_cast<double>(crossings) / 2.0 / 0.8, kHz, 5.0);
    // Amplitude kept: RMS of a 10000 sine is ~7071.
    double sum = 0;
    for (std::size_t i = 800; i < 7200; ++i) sum += static_cast<double>(out[i]) * out[i];
    EXPECT_NEAR(std::sqrt(sum / 6400.0), 7071.0, 350.0);
    // And it lines up in time with the input: no filter delay at the front.
    auto expected = test::sine(kHz, 8000, 8000);
    double error = 0;
    for (std::size_t i = 800; i < 7200; ++i) error += std::abs(static_cast<double>(out[i]) - expected[i]);
    EXPECT_LT(error / 6400.0, 500.0);
}

TEST_F(OpenAiTtsTest, AnErrorReportsTheMessageWithoutTheKey) {
    standin_.server().enqueue(OpenAiSpeechStandin::error(
        401, std::string("Incorrect API key provided: ") + kKey + ". You can find your API key in your account."));
    auto t = tts();
    TtsLog log;
    log.start(io_, *t, "Hi.");
    ASSERT_TRUE(log.wait_done());
    EXPECT_EQ(log.error(), engine::Errc::refused);
    EXPECT_TRUE(logs_.contains("(openai:alloy) failed: HTTP 401: Incorrect API key provided: [redacted]. You can find your "
                               "API key in your account."))
        << logs_.all();
    EXPECT_EQ(logs_.all().find(kKey), std::string::npos);
    EXPECT_TRUE(log.chunks().empty());
}

TEST_F(OpenAiTtsTest, AConnectionDroppedMidStreamIsAnError) {
    auto reply = OpenAiSpeechStandin::audio(test::sine(440, 24000, 24000), 4800);
    reply.drop_after = 2;
    standin_.server().enqueue(reply);
    auto t = tts();
    TtsLog log;
    log.start(io_, *t, "Cut short.");
    ASSERT_TRUE(log.wait_done());
    EXPECT_FALSE(log.chunks().empty());
    EXPECT_EQ(log.error(), engine::Errc::failed);
    EXPECT_TRUE(logs_.contains("receive: ")) << logs_.all();
    EXPECT_FALSE(logs_.contains("timeout")) << logs_.all();
}

TEST_F(OpenAiTtsTest, TimesOutWithoutFirstAudio) {
    test::ScriptedReply reply;
    reply.never_answer = true;
    standin_.server().enqueue(reply);
    auto t = tts(kKey, 200ms);
    TtsLog log;
    log.start(io_, *t, "Anyone?");
    ASSERT_TRUE(log.wait_done());
    EXPECT_EQ(log.error(), engine::Errc::failed);
    EXPECT_TRUE(logs_.contains("timeout: no audio within 200 ms")) << logs_.all();
    EXPECT_TRUE(standin_.server().wait_for_disconnects(1));
}

TEST_F(OpenAiTtsTest, CancelMidStreamEndsOnceAndHangsUp) {
    auto reply = OpenAiSpeechStandin::audio(test::sine(440, 24000, 24000), 4800);
    reply.stall_after = 1;
    standin_.server().enqueue(reply);
    auto t = tts();
    TtsLog log;
    log.start(io_, *t, "Interrupted.");
    ASSERT_TRUE(log.wait_chunks(1));
    log.cancel();
    ASSERT_TRUE(log.wait_done());
    EXPECT_TRUE(log.canceled());
    EXPECT_TRUE(standin_.server().wait_for_disconnects(1));
    EXPECT_EQ(log.dones(), 1);
    EXPECT_FALSE(log.anything_after_done());
}

TEST_F(OpenAiTtsTest, EmptyTextEndsWithoutARequest) {
    auto t = tts();
    TtsLog log;
    log.start(io_, *t, "");
    ASSERT_TRUE(log.wait_done());
    EXPECT_TRUE(log.ok());
    EXPECT_TRUE(log.chunks().empty());
    EXPECT_TRUE(standin_.server().requests().empty());
}

TEST(OpenAiTtsConfig, RefusesABaseUrlThatIsNotHttp) {
    OpenAiTtsConfig config;
    config.api_key = kKey;
    config.base_url = std::string("localhost/") + kKey;
    try {
        make_openai_tts(config);
        ADD_FAILURE() << "no exception";
    } catch (const std::invalid_argument& e) {
        EXPECT_EQ(std::string(e.what()).find(kKey), std::string::npos) << e.what();
    }
    config.base_url = "https://api.openai.com/v1";
    config.voice = "nova";
    EXPECT_EQ(make_openai_tts(config)->name(), "openai:nova");
}

}  // namespace
}  // namespace va::speech
