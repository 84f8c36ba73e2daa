#pragma once
// What the process logs while a test runs, so that a test can check what an operator would read
// (a provider's error, and that no secret is in it). One at a time: it becomes the default
// logger's only sink for its lifetime, and puts the previous sinks back after.
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include <spdlog/sinks/base_sink.h>
#include <spdlog/spdlog.h>

namespace va::test {

class LogCapture {
public:
    LogCapture() : sink_(std::make_shared<Sink>()) {
        auto logger = spdlog::default_logger();
        saved_ = logger->sinks();
        logger->sinks() = {sink_};
    }
    ~LogCapture() { spdlog::default_logger()->sinks() = saved_; }
    LogCapture(const LogCapture&) = delete;
    LogCapture& operator=(const LogCapture&) = delete;

    std::vector<std::string> lines() const {
        std::lock_guard lock(sink_->lines_mutex);
        return sink_->lines;
    }
    bool contains(const std::string& text) const {
        for (const auto& line : lines()) {
            if (line.find(text) != std::string::npos) return true;
        }
        return false;
    }
    std::string all() const {
        std::string out;
        for (const auto& line : lines()) out += line + "\n";
        return out;
    }

private:
    struct Sink final : spdlog::sinks::base_sink<std::mutex> {
        void sink_it_(const spdlog::details::log_msg& message) override {
            std::lock_guard lock(lines_mutex);
            lines.emplace_back(message.payload.data(), message.payload.size());
        }
        void flush_() override {}
        mutable std::mutex lines_mutex;
        std::vector<std::string> lines;
    };

    std::shared_ptr<Sink> sink_;
    std::vector<spdlog::sink_ptr> saved_;
};

}  // namespace va::test
