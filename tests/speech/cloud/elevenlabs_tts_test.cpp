// The ElevenLabs client against a local stand-in of its streaming endpoint.
#include "speech/cloud/elevenlabs_tts.hpp"

#include <boost/json/parse.hpp>
#include <gtest/gtest.h>

#include "media/mulaw.hpp"
#include "speech/cloud/cloud_tts_fixture.hpp"
#include "support/tts_log.hpp"
#include "speech/cloud/tts_standins.hpp"

namespace va::speech {
namespace {

using namespace std::chrono_literals;
using test::ElevenLabsStandin;
using test::TtsLog;

constexpr const char* kKey = "sk_el_test_0123456789";

class ElevenLabsTtsTest : public test::CloudTtsTest {
protected:
    std::unique_ptr<TextToSpeech> tts(std::chrono::milliseconds first_audio = 5000ms,
                                      std::chrono::milliseconds total = 30000ms) {
        ElevenLabsConfig config;
        config.base_url = standin_.base_url();
        config.api_key = kKey;
        config.voice_id = "voice123";
        config.first_audio_timeout = first_audio;
        config.total_timeout = total;
        return make_elevenlabs_tts(config);
    }

    ElevenLabsStandin standin_;
};

std::vector<std::uint8_t> mulaw_sine(std::size_t samples) {
    auto pcm = test::sine(440, 8000, samples);
    return media::encode_mulaw(pcm);
}

TEST_F(ElevenLabsTtsTest, SendsTheDocumentedRequest) {
    standin_.server().enqueue(ElevenLabsStandin::audio(mulaw_sine(800), 400));
    auto t = tts();
    TtsLog log;
    log.start(io_, *t, "Hello there.");
    ASSERT_TRUE(log.wait_done());
    EXPECT_TRUE(log.ok());
    ASSERT_EQ(standin_.server().requests().size(), 1u);
    auto r = standin_.server().requests()[0];
    EXPECT_EQ(r.method, "POST");
    EXPECT_EQ(r.path, "/v1/text-to-speech/voice123/stream");
    EXPECT_EQ(r.query, "output_format=ulaw_8000");
    EXPECT_EQ(r.header("xi-api-key"), kKey);
    EXPECT_EQ(r.header("content-type"), "application/json");
    EXPECT_FALSE(r.has_header("authorization"));
    EXPECT_EQ(boost::json::parse(r.body), boost::json::parse(R"({"text":"Hello there.","model_id":"eleven_flash_v2_5"})"))
        << r.body;
    EXPECT_EQ(t->name(), "elevenlabs:voice123");
}

TEST_F(ElevenLabsTtsTest, AudioArrivesInChunksBeforeTheEndAndDecodesExactly) {
    auto mulaw = mulaw_sine(4000);  // 0.5 s
    auto reply = ElevenLabsStandin::audio(mulaw, 1000);
    reply.hold_after = 1;
    standin_.server().enqueue(reply);
    auto t = tts();
    TtsLog log;
    log.start(io_, *t, "Streaming words.");
    ASSERT_TRUE(log.wait_samples(1000));  // the first 1000 bytes, in one read or more
    EXPECT_FALSE(log.done());             // the stand-in still holds the rest
    EXPECT_GE(log.chunks().size(), 2u);   // 1000 samples never fit one chunk
    EXPECT_EQ(log.audio().size(), 1000u);
    standin_.server().release();
    ASSERT_TRUE(log.wait_done());
    EXPECT_TRUE(log.ok());
    EXPECT_EQ(log.audio(), media::decode_mulaw(mulaw));
    EXPECT_GE(log.chunks().size(), 5u);
    for (const auto& chunk : log.chunks()) {
        EXPECT_GT(chunk.size(), 0u);
        EXPECT_LE(chunk.size(), 800u);  // at most 100 ms each
    }
    EXPECT_EQ(log.dones(), 1);
    EXPECT_FALSE(log.anything_after_done());
}

TEST_F(ElevenLabsTtsTest, AnErrorReportsTheDetailWithoutTheKey) {
    standin_.server().enqueue(
        ElevenLabsStandin::error(401, "invalid_api_key", std::string("Invalid API key: ") + kKey));
    auto t = tts();
    TtsLog log;
    log.start(io_, *t, "Hi.");
    ASSERT_TRUE(log.wait_done());
    EXPECT_EQ(log.error(), engine::Errc::refused);
    EXPECT_TRUE(logs_.contains("(elevenlabs:voice123) failed: HTTP 401: Invalid API key: [redacted]")) << logs_.all();
    EXPECT_EQ(logs_.all().find(kKey), std::string::npos);
    EXPECT_TRUE(log.chunks().empty());
}

TEST_F(ElevenLabsTtsTest, ADetailStringAndANonJsonBodyAreReported) {
    standin_.server().enqueue(test::ScriptedReply::whole(422, "application/json", R"({"detail":"text is too long"})"));
    standin_.server().enqueue(test::ScriptedReply::whole(502, "text/html", "<html>bad gateway</html>"));
    auto t = tts();
    TtsLog first;
    first.start(io_, *t, "One.");
    ASSERT_TRUE(first.wait_done());
    EXPECT_EQ(first.error(), engine::Errc::refused);
    EXPECT_TRUE(logs_.contains("HTTP 422: text is too long")) << logs_.all();
    TtsLog second;
    second.start(io_, *t, "Two.");
    ASSERT_TRUE(second.wait_done());
    EXPECT_EQ(second.error(), engine::Errc::failed) << "a 5xx is the provider failing, not refusing";
    EXPECT_TRUE(logs_.contains("failed: HTTP 502")) << logs_.all();
}

TEST_F(ElevenLabsTtsTest, AConnectionDroppedMidStreamIsAnError) {
    auto reply = ElevenLabsStandin::audio(mulaw_sine(2400), 800);
    reply.drop_after = 1;
    standin_.server().enqueue(reply);
    auto t = tts();
    TtsLog log;
    log.start(io_, *t, "Cut short.");
    ASSERT_TRUE(log.wait_done());
    EXPECT_EQ(log.audio().size(), 800u);
    EXPECT_EQ(log.error(), engine::Errc::failed);
    EXPECT_TRUE(logs_.contains("receive: ")) << logs_.all();
    EXPECT_FALSE(logs_.contains("timeout")) << logs_.all();
}

TEST_F(ElevenLabsTtsTest, TimesOutWithoutFirstAudio) {
    test::ScriptedReply reply;
    reply.never_answer = true;
    standin_.server().enqueue(reply);
    auto t = tts(200ms);
    TtsLog log;
    auto began = std::chrono::steady_clock::now();
    log.start(io_, *t, "Anyone?");
    ASSERT_TRUE(log.wait_done());
    EXPECT_GE(std::chrono::steady_clock::now() - began, 190ms);
    EXPECT_EQ(log.error(), engine::Errc::failed);
    EXPECT_TRUE(logs_.contains("timeout: no audio within 200 ms")) << logs_.all();
    EXPECT_TRUE(standin_.server().wait_for_disconnects(1));  // the client hung up
}

TEST_F(ElevenLabsTtsTest, TheTotalDeadlineHoldsAfterTheFirstAudio) {
    auto reply = ElevenLabsStandin::audio(mulaw_sine(1600), 800);
    reply.stall_after = 1;
    standin_.server().enqueue(reply);
    auto t = tts(5000ms, 300ms);
    TtsLog log;
    log.start(io_, *t, "Slow.");
    ASSERT_TRUE(log.wait_done());
    EXPECT_EQ(log.audio().size(), 800u);
    EXPECT_EQ(log.error(), engine::Errc::failed);
    EXPECT_TRUE(logs_.contains("timeout: speech not complete within 300 ms")) << logs_.all();
}

TEST_F(ElevenLabsTtsTest, CancelMidStreamEndsOnceAndHangsUp) {
    auto reply = ElevenLabsStandin::audio(mulaw_sine(2400), 800);
    reply.stall_after = 1;
    standin_.server().enqueue(reply);
    auto t = tts();
    TtsLog log;
    log.start(io_, *t, "Interrupted.");
    ASSERT_TRUE(log.wait_chunks(1));
    log.cancel();
    log.cancel();
    ASSERT_TRUE(log.wait_done());
    EXPECT_TRUE(log.canceled());
    EXPECT_TRUE(standin_.server().wait_for_disconnects(1));  // promptly: the stand-in would wait forever
    EXPECT_EQ(log.dones(), 1);
    EXPECT_FALSE(log.anything_after_done());
    log.cancel();
    EXPECT_EQ(log.dones(), 1);
}

TEST_F(ElevenLabsTtsTest, CancelFromTheAudioCallbackStopsTheNextChunk) {
    standin_.server().enqueue(ElevenLabsStandin::audio(mulaw_sine(2400), 2400));  // one piece, three chunks
    auto t = tts();
    TtsLog log;
    log.on_chunk([&] { log.cancel(); });
    log.start(io_, *t, "Stop me.");
    ASSERT_TRUE(log.wait_done());
    EXPECT_TRUE(log.canceled());
    EXPECT_EQ(log.chunks().size(), 1u);
    EXPECT_EQ(log.dones(), 1);
}

TEST_F(ElevenLabsTtsTest, EmptyTextEndsWithoutARequest) {
    auto t = tts();
    TtsLog empty;
    empty.start(io_, *t, "");
    ASSERT_TRUE(empty.wait_done());
    EXPECT_TRUE(empty.ok());
    TtsLog blank;
    blank.start(io_, *t, "  \n");
    ASSERT_TRUE(blank.wait_done());
    EXPECT_TRUE(blank.ok());
    EXPECT_TRUE(empty.chunks().empty());
    EXPECT_TRUE(standin_.server().requests().empty());
}

TEST(ElevenLabsTtsConfig, RefusesABadBaseUrlOrNoVoice) {
    ElevenLabsConfig config;
    config.api_key = kKey;
    config.voice_id = "v";
    config.base_url = std::string("ftp://") + kKey + "@example.com";
    try {
        make_elevenlabs_tts(config);
        ADD_FAILURE() << "no exception";
    } catch (const std::invalid_argument& e) {
        EXPECT_EQ(std::string(e.what()).find(kKey), std::string::npos) << e.what();
    }
    config.base_url = "https://api.elevenlabs.io";
    config.voice_id = "";
    EXPECT_THROW(make_elevenlabs_tts(config), std::invalid_argument);
    config.voice_id = "a b/c";
    EXPECT_EQ(make_elevenlabs_tts(config)->name(), "elevenlabs:a b/c");
}

}  // namespace
}  // namespace va::speech
