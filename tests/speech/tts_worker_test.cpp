// Offline voices in worker processes: the same audio as in this process, texts spoken at once by
// several workers, a canceled text read to its end so the worker is ready again, and a worker
// that dies or cannot start is a failed synthesis, not a stuck one.
#include "speech/tts_worker.hpp"

#include <atomic>
#include <thread>

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <boost/asio/executor_work_guard.hpp>
#include <gtest/gtest.h>

#include "speech/render.hpp"
#include "speech/tts.hpp"
#include "support/tts_log.hpp"

namespace va::speech {
namespace {

using test::TtsLog;

std::vector<std::string> stub(const std::string& voice) { return {VA_TTS_WORKER_STUB, voice}; }

std::vector<std::int16_t> joined(const std::vector<std::vector<std::int16_t>>& chunks) {
    std::vector<std::int16_t> out;
    for (const auto& c : chunks) out.insert(out.end(), c.begin(), c.end());
    return out;
}

TEST(TtsWorkerProcess, SpeaksAsThisProcessWouldAndStartsAfreshWhenItDied) {
    TtsWorkerProcess worker(stub("flite:kal"));
    std::atomic<bool> canceled{false};
    std::vector<std::vector<std::int16_t>> chunks;
    auto keep = [&](std::vector<std::int16_t> c) { chunks.push_back(std::move(c)); };
    ASSERT_EQ(worker.speak("yes please", canceled, keep), "");
    EXPECT_EQ(joined(chunks), render_8k(*parse_voice("flite:kal"), "yes please"));
    const auto first = worker.pid();
    ASSERT_GT(first, 0);

    ::kill(first, SIGKILL);
    siginfo_t info{};
    ASSERT_EQ(::waitid(P_PID, static_cast<id_t>(first), &info, WEXITED | WNOWAIT), 0);  // dead, not yet reaped
    chunks.clear();
    EXPECT_NE(worker.speak("hello", canceled, keep), "");  // it was gone
    chunks.clear();
    ASSERT_EQ(worker.speak("hello", canceled, keep), "");  // a new one
    EXPECT_NE(worker.pid(), first);
    EXPECT_EQ(joined(chunks), render_8k(*parse_voice("flite:kal"), "hello"));
}

TEST(TtsWorkerProcess, ACanceledTextIsReadToItsEndAndTheWorkerSpeaksOn) {
    TtsWorkerProcess worker(stub("espeak:en-us"));
    std::atomic<bool> canceled{false};
    int handed = 0;
    const auto long_text = "This sentence goes on for a while, so that it comes in many chunks of audio.";
    ASSERT_EQ(worker.speak(long_text, canceled, [&](std::vector<std::int16_t>) {
        ++handed;
        canceled = true;  // after the first chunk
    }), "");
    EXPECT_EQ(handed, 1);
    canceled = false;
    std::size_t samples = 0;
    ASSERT_EQ(worker.speak("yes", canceled, [&](std::vector<std::int16_t> c) { samples += c.size(); }), "");
    EXPECT_GT(samples, 1000u);
    EXPECT_LT(samples, 12000u);  // "yes", not the rest of the long sentence
}

TEST(TtsWorkerProcess, AWorkerThatCannotStartOrFailsSaysWhy) {
    std::atomic<bool> canceled{false};
    TtsWorkerProcess missing({"/nonexistent/tts-worker"});
    EXPECT_NE(missing.speak("hello", canceled, [](std::vector<std::int16_t>) {}).find("/nonexistent/tts-worker"),
              std::string::npos);
    TtsWorkerProcess bad_voice(stub("espeak:no-such-voice"));
    EXPECT_NE(bad_voice.speak("hello", canceled, [](std::vector<std::int16_t>) {}).find("no-such-voice"),
              std::string::npos);
    // It reads the whole request (4 + 5 bytes), then quits without a word. (/bin/true could quit
    // before the request is written, which is "gone", not "died while speaking".)
    TtsWorkerProcess quits({"/bin/sh", "-c", "head -c 9 >/dev/null"});
    EXPECT_EQ(quits.speak("hello", canceled, [](std::vector<std::int16_t>) {}), "the TTS worker died while speaking");
}

TEST(TtsWorker, AnOversizedRequestEndsTheWorker) {
    int to[2], from[2];
    ASSERT_EQ(::pipe(to), 0);
    ASSERT_EQ(::pipe(from), 0);
    const std::uint32_t length = kMaxTextBytes + 1;
    ASSERT_EQ(::write(to[1], &length, sizeof length), static_cast<ssize_t>(sizeof length));
    EXPECT_EQ(run_tts_worker(*parse_voice("flite:kal"), to[0], from[1]), 2);
    ::close(to[1]);  // and a closed input is the normal end
    EXPECT_EQ(run_tts_worker(*parse_voice("flite:kal"), to[0], from[1]), 0);
    for (int fd : {to[0], from[0], from[1]}) ::close(fd);
}

class TtsWorkerPool : public ::testing::Test {
protected:
    TtsWorkerPool() : work_(boost::asio::make_work_guard(io_)), thread_([this] { io_.run(); }) {}
    ~TtsWorkerPool() override {
        work_.reset();
        thread_.join();
    }
    boost::asio::io_context io_;

private:
    boost::asio::executor_work_guard<boost::asio::io_context::executor_type> work_;
    std::thread thread_;
};

TEST_F(TtsWorkerPool, SpeaksSeveralTextsAtOnceEachInFull) {
    auto tts = make_offline_tts(*parse_voice("flite:kal"), {3, stub("flite:kal")});
    const std::vector<std::string> texts{"one", "two two", "three three three", "four four four four"};
    std::vector<TtsLog> logs(texts.size());
    for (std::size_t i = 0; i < texts.size(); ++i) logs[i].start(io_, *tts, texts[i]);
    for (std::size_t i = 0; i < texts.size(); ++i) {
        ASSERT_TRUE(logs[i].wait_done()) << texts[i];
        EXPECT_TRUE(logs[i].ok()) << texts[i];
        EXPECT_EQ(logs[i].audio(), render_8k(*parse_voice("flite:kal"), texts[i])) << texts[i];
    }
}

}  // namespace
}  // namespace va::speech
