// The offline engines behind speech::TextToSpeech: one synthesis thread, resampled to 8 kHz as
// the engine produces audio, or a thread per worker process (tts_worker.hpp), each driving its
// own. Each synthesis reaches its caller through an inbox (engine/inbox.hpp), so no thread ever
// touches the caller, and a caller that has gone only leaves a flag behind.
#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <deque>
#include <mutex>
#include <optional>
#include <thread>

#include <spdlog/spdlog.h>

#include "engine/inbox.hpp"
#include "media/resampler.hpp"
#include "speech/engines.hpp"
#include "speech/tts.hpp"
#include "speech/tts_worker.hpp"

namespace va::speech {
namespace {

constexpr int kOutRate = 8000;
constexpr int kResamplerQuality = 5;  // FACTS.md: 3-5 ms of delay, >= 47 dB in band

// What the synthesis thread hands back: chunks, then the outcome.
struct Synthesised {
    std::vector<std::int16_t> chunk;
    std::optional<std::string> done;  // set last: "" when spoken in full, else what failed
};

class OfflineTts final : public TextToSpeech {
public:
    OfflineTts(Voice voice, TtsWorkers workers) : voice_(std::move(voice)), workers_(std::move(workers)) {
        const unsigned threads = std::max(1u, workers_.count);
        for (unsigned i = 0; i < threads; ++i) threads_.emplace_back([this] { work(); });
    }
    ~OfflineTts() override {
        {
            std::lock_guard lock(mutex_);
            stopping_ = true;
        }
        wake_.notify_all();
        for (auto& thread : threads_) thread.join();
    }

    boost::asio::awaitable<engine::Result<void>> synthesize(std::string text, AudioSink on_audio) override {
        engine::Inbox<Synthesised> inbox(co_await boost::asio::this_coro::executor);
        auto canceled = std::make_shared<std::atomic<bool>>(false);
        struct CancelOnExit {
            std::atomic<bool>& canceled;
            ~CancelOnExit() { canceled.store(true); }  // done or gone: the thread skips the rest
        } cancel_on_exit{*canceled};
        {
            std::lock_guard lock(mutex_);
            jobs_.push_back({canceled, std::move(text), inbox.sender()});
        }
        wake_.notify_one();
        for (;;) {
            auto event = co_await inbox.receive();
            if (!event.done) {
                on_audio(std::move(event.chunk));
                continue;
            }
            if (event.done->empty()) co_return engine::Result<void>{};
            spdlog::warn("speech synthesis ({}) failed: {}", name(), *event.done);
            co_return engine::Result<void>(engine::Errc::failed);
        }
    }

    std::string name() const override { return to_string(voice_); }

private:
    struct Job {
        std::shared_ptr<std::atomic<bool>> canceled;
        std::string text;
        std::function<void(Synthesised)> send;
    };

    void work() {
        std::optional<TtsWorkerProcess> process;  // none: synthesise in this process
        if (workers_.count > 0) {
            process.emplace(workers_.command);
            if (auto failed = process->start(); !failed.empty()) spdlog::warn("speech synthesis ({}): {}", name(), failed);
        }
        for (;;) {
            Job job;
            {
                std::unique_lock lock(mutex_);
                wake_.wait(lock, [&] { return stopping_ || !jobs_.empty(); });
                if (jobs_.empty()) return;  // stopping, with the queue drained
                job = std::move(jobs_.front());
                jobs_.pop_front();
            }
            auto outcome = process ? process->speak(job.text, *job.canceled,
                                                    [&](std::vector<std::int16_t> chunk) { job.send({std::move(chunk), std::nullopt}); })
                                   : run(*job.canceled, job.text, job.send);
            if (!job.canceled->load()) job.send({{}, std::move(outcome)});
        }
    }

    // "" when spoken in full (or abandoned), else what failed.
    std::string run(const std::atomic<bool>& canceled, const std::string& text,
                    const std::function<void(Synthesised)>& send) {
        if (canceled.load()) return "";
        auto hand_over = [&](std::vector<std::int16_t> chunk) { send({std::move(chunk), std::nullopt}); };
        std::optional<media::Resampler> resampler;
        try {
            synthesize_native(voice_, text, [&](std::span<const std::int16_t> chunk, int rate) {
                if (canceled.load()) return false;
                if (rate == kOutRate) {
                    hand_over(std::vector<std::int16_t>(chunk.begin(), chunk.end()));
                    return true;
                }
                if (!resampler) resampler.emplace(rate, kOutRate, kResamplerQuality);
                if (auto out = resampler->process(chunk); !out.empty()) hand_over(std::move(out));
                return true;
            });
            if (resampler && !canceled.load()) {
                if (auto tail = resampler->flush(); !tail.empty()) hand_over(std::move(tail));
            }
            return "";
        } catch (const std::exception& e) {
            return e.what();
        }
    }

    Voice voice_;
    TtsWorkers workers_;
    std::mutex mutex_;
    std::condition_variable wake_;
    std::deque<Job> jobs_;
    bool stopping_ = false;
    std::vector<std::thread> threads_;  // last: they start once everything they use exists
};

}  // namespace

std::unique_ptr<TextToSpeech> make_offline_tts(const Voice& voice, TtsWorkers workers) {
    return std::make_unique<OfflineTts>(voice, std::move(workers));
}

}  // namespace va::speech
