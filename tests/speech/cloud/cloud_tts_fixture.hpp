#pragma once
// An io_context on a thread of its own for the TTS clients, the log, and signal helpers.
#include <cmath>
#include <cstdint>
#include <numbers>
#include <thread>
#include <vector>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <gtest/gtest.h>

#include "support/log_capture.hpp"

namespace va::test {

class CloudTtsTest : public ::testing::Test {
protected:
    CloudTtsTest() : work_(boost::asio::make_work_guard(io_)), thread_([this] { io_.run(); }) {}
    ~CloudTtsTest() override {
        work_.reset();
        thread_.join();
    }

    boost::asio::io_context io_;
    LogCapture logs_;  // what an operator reads when a provider fails

private:
    boost::asio::executor_work_guard<boost::asio::io_context::executor_type> work_;
    std::thread thread_;
};

inline std::vector<std::int16_t> sine(double hz, int rate, std::size_t samples, double amplitude = 10000) {
    std::vector<std::int16_t> out(samples);
    for (std::size_t i = 0; i < samples; ++i) {
        out[i] = static_cast<std::int16_t>(
            std::lround(amplitude * std::sin(2 * std::numbers::pi * hz * static_cast<double>(i) / rate)));
    }
    return out;
}

// Sign changes between samples [from, to).
inline std::size_t zero_crossings(const std::vector<std::int16_t>& pcm, std::size_t from, std::size_t to) {
    std::size_t n = 0;
    for (std::size_t i = from + 1; i < to && i < pcm.size(); ++i) {
        if ((pcm[i - 1] < 0) != (pcm[i] < 0)) ++n;
    }
    return n;
}

}  // namespace va::test
