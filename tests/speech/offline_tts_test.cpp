// The streaming offline TTS: espeak-ng's chunks arrive as they are synthesised, resampled to
// 8 kHz; a canceled synthesis stops early; a failure is an engine error, logged with its reason.
#include "speech/tts.hpp"

#include <thread>

#include <boost/asio/executor_work_guard.hpp>
#include <gtest/gtest.h>

#include "speech/render.hpp"
#include "support/log_capture.hpp"
#include "support/tts_log.hpp"

namespace va::speech {
namespace {

using test::TtsLog;

class OfflineTts : public ::testing::Test {
protected:
    OfflineTts() : work_(boost::asio::make_work_guard(io_)), thread_([this] { io_.run(); }) {}
    ~OfflineTts() override {
        work_.reset();
        thread_.join();
    }

    boost::asio::io_context io_;
    test::LogCapture logs_;

private:
    boost::asio::executor_work_guard<boost::asio::io_context::executor_type> work_;
    std::thread thread_;
};

std::size_t samples(const TtsLog& log) { return log.audio().size(); }

TEST_F(OfflineTts, EspeakStreamsChunksAsLongAsTheWholeClip) {
    auto voice = *parse_voice("espeak:en-us");
    auto tts = make_offline_tts(voice);
    EXPECT_EQ(tts->name(), "espeak:en-us");
    TtsLog log;
    const std::string text = "Hello, this is a reminder about your appointment tomorrow morning.";
    log.start(io_, *tts, text);
    ASSERT_TRUE(log.wait_done());
    EXPECT_TRUE(log.ok());
    EXPECT_GT(log.chunks().size(), 10u) << "espeak-ng hands out audio in chunks of about 48 ms";
    // The same words as a whole clip (espeak varies a little from run to run).
    const auto whole = render_8k(voice, text).size();
    EXPECT_NEAR(static_cast<double>(samples(log)), static_cast<double>(whole), 0.05 * static_cast<double>(whole));
}

TEST_F(OfflineTts, FliteGivesItsUtteranceAt8k) {
    auto tts = make_offline_tts(*parse_voice("flite:kal"));
    TtsLog log;
    log.start(io_, *tts, "hello world");
    ASSERT_TRUE(log.wait_done());
    EXPECT_TRUE(log.ok());
    EXPECT_GT(samples(log), 4000u);
}

TEST_F(OfflineTts, ACanceledSynthesisStopsEarly) {
    auto tts = make_offline_tts(*parse_voice("espeak:en-us"));
    TtsLog log;
    log.on_chunk([&] { log.cancel(); });  // after the first chunk
    log.start(io_, *tts, std::string(40, 'a') + " and a very long sentence that goes on and on for many words");
    ASSERT_TRUE(log.wait_done());
    EXPECT_TRUE(log.canceled());
    EXPECT_EQ(log.chunks().size(), 1u) << "nothing is handed over once the caller has gone";
    EXPECT_EQ(log.dones(), 1);
}

TEST_F(OfflineTts, AnUnknownVoiceFailsWithItsReasonInTheLog) {
    auto tts = make_offline_tts(*parse_voice("espeak:no-such-voice"));
    TtsLog log;
    log.start(io_, *tts, "hello");
    ASSERT_TRUE(log.wait_done());
    EXPECT_EQ(log.error(), engine::Errc::failed);
    EXPECT_TRUE(logs_.contains("no-such-voice")) << logs_.all();
    EXPECT_EQ(samples(log), 0u);
}

}  // namespace
}  // namespace va::speech
