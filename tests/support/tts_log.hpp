#pragma once
// One synthesis run the way a call runs it (a coroutine on an io_context, with a cancellation
// signal), and what it handed over, waited on from the test thread (no sleeps).
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <mutex>
#include <string>
#include <vector>

#include <boost/asio/io_context.hpp>

#include "speech/tts.hpp"
#include "support/awaited_run.hpp"

namespace va::test {

class TtsLog {
public:
    // Starts `text` on a strand of `io`; the io_context runs on another thread.
    void start(boost::asio::io_context& io, speech::TextToSpeech& tts, std::string text) {
        run_.start(io, tts.synthesize(std::move(text), [this](std::vector<std::int16_t> chunk) { record(std::move(chunk)); }),
                   [this](Ending<engine::Result<void>> ending) { finish(std::move(ending)); });
    }
    // The caller leaves, as a call does on barge-in: from the test thread, or from on_chunk's hook.
    void cancel() { run_.cancel(); }
    // Called after each chunk is recorded, on the synthesis's strand; set before start().
    void on_chunk(std::function<void()> hook) { on_chunk_ = std::move(hook); }

    bool wait_done(std::chrono::milliseconds timeout = std::chrono::seconds(10)) {
        std::unique_lock lock(mutex_);
        return changed_.wait_for(lock, timeout, [&] { return dones_ > 0; });
    }
    bool wait_chunks(std::size_t n, std::chrono::milliseconds timeout = std::chrono::seconds(10)) {
        std::unique_lock lock(mutex_);
        return changed_.wait_for(lock, timeout, [&] { return chunks_.size() >= n; });
    }
    bool wait_samples(std::size_t n, std::chrono::milliseconds timeout = std::chrono::seconds(10)) {
        std::unique_lock lock(mutex_);
        return changed_.wait_for(lock, timeout, [&] {
            std::size_t total = 0;
            for (const auto& chunk : chunks_) total += chunk.size();
            return total >= n;
        });
    }
    std::vector<std::vector<std::int16_t>> chunks() const {
        std::lock_guard lock(mutex_);
        return chunks_;
    }
    std::vector<std::int16_t> audio() const {
        std::vector<std::int16_t> out;
        for (const auto& chunk : chunks()) out.insert(out.end(), chunk.begin(), chunk.end());
        return out;
    }
    // Spoken in full.
    bool ok() const {
        std::lock_guard lock(mutex_);
        return dones_ > 0 && !canceled_ && !error_;
    }
    // What the engine answered when it could not ("" when it did, or was cancelled).
    boost::system::error_code error() const {
        std::lock_guard lock(mutex_);
        return error_;
    }
    // Ended by the caller's cancellation (operation_aborted came out of synthesize).
    bool canceled() const {
        std::lock_guard lock(mutex_);
        return canceled_;
    }
    int dones() const {
        std::lock_guard lock(mutex_);
        return dones_;
    }
    bool done() const { return dones() > 0; }
    bool anything_after_done() const {
        std::lock_guard lock(mutex_);
        return after_done_;
    }

private:
    void record(std::vector<std::int16_t> chunk) {
        {
            std::lock_guard lock(mutex_);
            if (dones_ > 0) after_done_ = true;
            chunks_.push_back(std::move(chunk));
            changed_.notify_all();  // under the lock: the waiter may destroy us as soon as it wakes
        }
        if (on_chunk_) on_chunk_();
    }
    void finish(Ending<engine::Result<void>> ending) {
        std::lock_guard lock(mutex_);
        ++dones_;
        canceled_ = ending.canceled;
        if (ending.result && !*ending.result) error_ = ending.result->error();
        changed_.notify_all();  // under the lock: the waiter may destroy us as soon as it wakes
    }

    AwaitedRun<engine::Result<void>> run_;
    mutable std::mutex mutex_;
    std::condition_variable changed_;
    std::vector<std::vector<std::int16_t>> chunks_;
    std::function<void()> on_chunk_;
    boost::system::error_code error_;
    int dones_ = 0;
    bool canceled_ = false;
    bool after_done_ = false;
};

}  // namespace va::test
