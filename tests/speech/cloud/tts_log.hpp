#pragma once
// What a TtsStream's callbacks saw, waited on from the test thread (no sleeps).
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <mutex>
#include <string>
#include <vector>

#include "speech/tts.hpp"

namespace va::test {

class TtsLog {
public:
    speech::TtsCallbacks callbacks() {
        speech::TtsCallbacks out;
        out.on_audio = [this](std::vector<std::int16_t> chunk) {
            std::function<void()> hook;
            {
                std::lock_guard lock(mutex_);
                if (dones_ > 0) after_done_ = true;
                chunks_.push_back(std::move(chunk));
                hook = on_chunk_;
                changed_.notify_all();  // under the lock: the waiter may destroy us as soon as it wakes
            }
            if (hook) hook();
        };
        out.on_done = [this](std::string error) {
            {
                std::lock_guard lock(mutex_);
                error_ = std::move(error);
                ++dones_;
                chunks_at_done_ = chunks_.size();
                changed_.notify_all();  // under the lock: the waiter may destroy us as soon as it wakes
            }
        };
        return out;
    }
    // Called after each chunk is recorded, on the provider's thread; set before speak().
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
    std::string error() const {
        std::lock_guard lock(mutex_);
        return error_;
    }
    int dones() const {
        std::lock_guard lock(mutex_);
        return dones_;
    }
    bool done() const { return dones() > 0; }
    bool anything_after_done() const {
        std::lock_guard lock(mutex_);
        return after_done_ || chunks_.size() != chunks_at_done_;
    }

private:
    mutable std::mutex mutex_;
    std::condition_variable changed_;
    std::vector<std::vector<std::int16_t>> chunks_;
    std::function<void()> on_chunk_;
    std::string error_;
    int dones_ = 0;
    std::size_t chunks_at_done_ = 0;
    bool after_done_ = false;
};

}  // namespace va::test
