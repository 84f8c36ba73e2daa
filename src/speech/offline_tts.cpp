// The offline engines behind speech::TextToSpeech: one synthesis thread, resampled to 8 kHz as
// the engine produces audio.
#include <atomic>
#include <condition_variable>
#include <deque>
#include <mutex>
#include <optional>
#include <thread>

#include "media/resampler.hpp"
#include "speech/engines.hpp"
#include "speech/tts.hpp"

namespace va::speech {
namespace {

constexpr int kOutRate = 8000;
constexpr int kResamplerQuality = 5;  // FACTS.md: 3-5 ms of delay, >= 47 dB in band

class OfflineStream final : public TtsStream {
public:
    void cancel() override { canceled_.store(true); }
    bool canceled() const { return canceled_.load(); }

private:
    std::atomic<bool> canceled_{false};
};

class OfflineTts final : public TextToSpeech {
public:
    explicit OfflineTts(Voice voice) : voice_(std::move(voice)), thread_([this] { work(); }) {}
    ~OfflineTts() override {
        {
            std::lock_guard lock(mutex_);
            stopping_ = true;
        }
        wake_.notify_one();
        thread_.join();
    }

    std::shared_ptr<TtsStream> speak(std::string text, TtsCallbacks callbacks) override {
        auto stream = std::make_shared<OfflineStream>();
        {
            std::lock_guard lock(mutex_);
            jobs_.push_back({stream, std::move(text), std::move(callbacks)});
        }
        wake_.notify_one();
        return stream;
    }

    std::string name() const override { return to_string(voice_); }

private:
    struct Job {
        std::shared_ptr<OfflineStream> stream;
        std::string text;
        TtsCallbacks callbacks;
    };

    void work() {
        for (;;) {
            Job job;
            {
                std::unique_lock lock(mutex_);
                wake_.wait(lock, [&] { return stopping_ || !jobs_.empty(); });
                if (jobs_.empty()) return;  // stopping, with the queue drained
                job = std::move(jobs_.front());
                jobs_.pop_front();
            }
            job.callbacks.on_done(run(*job.stream, job.text, job.callbacks));
        }
    }

    std::string run(const OfflineStream& stream, const std::string& text, const TtsCallbacks& callbacks) {
        if (stream.canceled()) return "canceled";
        std::optional<media::Resampler> resampler;
        try {
            synthesize_native(voice_, text, [&](std::span<const std::int16_t> chunk, int rate) {
                if (stream.canceled()) return false;
                if (rate == kOutRate) {
                    callbacks.on_audio(std::vector<std::int16_t>(chunk.begin(), chunk.end()));
                    return true;
                }
                if (!resampler) resampler.emplace(rate, kOutRate, kResamplerQuality);
                if (auto out = resampler->process(chunk); !out.empty()) callbacks.on_audio(std::move(out));
                return true;
            });
            if (stream.canceled()) return "canceled";
            if (resampler) {
                if (auto tail = resampler->flush(); !tail.empty()) callbacks.on_audio(std::move(tail));
            }
            return "";
        } catch (const std::exception& e) {
            return e.what();
        }
    }

    Voice voice_;
    std::mutex mutex_;
    std::condition_variable wake_;
    std::deque<Job> jobs_;
    bool stopping_ = false;
    std::thread thread_;  // last: starts once everything it uses exists
};

}  // namespace

std::unique_ptr<TextToSpeech> make_offline_tts(const Voice& voice) { return std::make_unique<OfflineTts>(voice); }

}  // namespace va::speech
