// The streaming offline TTS: espeak-ng's chunks arrive as they are synthesised, resampled to
// 8 kHz; a canceled synthesis stops early; failures reach on_done.
#include "speech/tts.hpp"

#include <condition_variable>
#include <mutex>
#include <thread>

#include <gtest/gtest.h>

#include "speech/render.hpp"

namespace va::speech {
namespace {

struct Collected {
    std::mutex mutex;
    std::condition_variable cv;
    std::vector<std::size_t> chunks;  // sizes, in order
    std::size_t samples = 0;
    std::optional<std::string> done;
    std::thread::id audio_thread;

    TtsCallbacks callbacks() {
        return {[this](std::vector<std::int16_t> chunk) {
                    std::lock_guard lock(mutex);
                    chunks.push_back(chunk.size());
                    samples += chunk.size();
                    audio_thread = std::this_thread::get_id();
                },
                [this](std::string error) {
                    std::lock_guard lock(mutex);
                    done = std::move(error);
                    cv.notify_all();
                }};
    }
    std::string wait() {
        std::unique_lock lock(mutex);
        cv.wait(lock, [&] { return done.has_value(); });
        return *done;
    }
};

TEST(OfflineTts, EspeakStreamsChunksOnItsOwnThreadAsLongAsTheWholeClip) {
    auto voice = *parse_voice("espeak:en-us");
    auto tts = make_offline_tts(voice);
    EXPECT_EQ(tts->name(), "espeak:en-us");
    Collected c;
    const std::string text = "Hello, this is a reminder about your appointment tomorrow morning.";
    tts->speak(text, c.callbacks());
    EXPECT_EQ(c.wait(), "");
    EXPECT_GT(c.chunks.size(), 10u) << "espeak-ng hands out audio in chunks of about 48 ms";
    EXPECT_NE(c.audio_thread, std::this_thread::get_id());
    // The same words as a whole clip (espeak varies a little from run to run).
    const auto whole = render_8k(voice, text).size();
    EXPECT_NEAR(static_cast<double>(c.samples), static_cast<double>(whole), 0.05 * static_cast<double>(whole));
}

TEST(OfflineTts, FliteGivesItsUtteranceAt8k) {
    auto tts = make_offline_tts(*parse_voice("flite:kal"));
    Collected c;
    tts->speak("hello world", c.callbacks());
    EXPECT_EQ(c.wait(), "");
    EXPECT_GT(c.samples, 4000u);
}

TEST(OfflineTts, ACanceledSynthesisStopsEarly) {
    auto tts = make_offline_tts(*parse_voice("espeak:en-us"));
    Collected c;
    auto callbacks = c.callbacks();
    std::shared_ptr<TtsStream> stream;
    std::mutex stream_mutex;
    auto on_audio = callbacks.on_audio;
    callbacks.on_audio = [&, on_audio](std::vector<std::int16_t> chunk) {
        on_audio(std::move(chunk));
        std::lock_guard lock(stream_mutex);
        if (stream) stream->cancel();  // after the first chunk
    };
    {
        std::lock_guard lock(stream_mutex);
        stream = tts->speak(std::string(40, 'a') + " and a very long sentence that goes on and on for many words", callbacks);
    }
    EXPECT_EQ(c.wait(), "canceled");
    EXPECT_LE(c.chunks.size(), 2u);
}

TEST(OfflineTts, AnUnknownVoiceFailsThroughOnDone) {
    auto tts = make_offline_tts(*parse_voice("espeak:no-such-voice"));
    Collected c;
    tts->speak("hello", c.callbacks());
    EXPECT_NE(c.wait().find("no-such-voice"), std::string::npos);
    EXPECT_EQ(c.samples, 0u);
}

}  // namespace
}  // namespace va::speech
