#pragma once
// Records what a ChatModel's callbacks report, from whichever thread calls them, so that a test
// can wait for "n text pieces" or "done" (with a generous bound, never a sleep) and then check
// the order, and that nothing came after on_done.
#include <chrono>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "llm/chat.hpp"

namespace va::llm::test {

class ChatLog : public std::enable_shared_from_this<ChatLog> {
public:
    static std::shared_ptr<ChatLog> make() { return std::make_shared<ChatLog>(); }

    // Callbacks that record into this log (they keep it alive).
    ChatCallbacks callbacks() {
        auto self = shared_from_this();
        ChatCallbacks out;
        out.on_text = [self](std::string delta) { self->add("text", std::move(delta)); };
        out.on_tool_call = [self](ToolCall call) {
            {
                std::lock_guard lock(self->mutex_);
                self->calls_.push_back(call);
            }
            self->add("tool", call.name + " " + call.arguments);
        };
        out.on_done = [self](std::string error) { self->add("done", std::move(error)); };
        return out;
    }

    bool wait_done(std::chrono::milliseconds bound = std::chrono::seconds(10)) {
        std::unique_lock lock(mutex_);
        return changed_.wait_for(lock, bound, [&] { return dones_ > 0; });
    }
    bool wait_texts(std::size_t n, std::chrono::milliseconds bound = std::chrono::seconds(10)) {
        std::unique_lock lock(mutex_);
        return changed_.wait_for(lock, bound, [&] { return texts_.size() >= n || dones_ > 0; }) && texts_.size() >= n;
    }

    std::vector<std::string> texts() const {
        std::lock_guard lock(mutex_);
        return texts_;
    }
    std::string joined() const {
        std::string out;
        for (const auto& t : texts()) out += t;
        return out;
    }
    std::vector<ToolCall> calls() const {
        std::lock_guard lock(mutex_);
        return calls_;
    }
    // "text:<delta>", "tool:<name> <arguments>", "done:<error>", in the order they came.
    std::vector<std::string> order() const {
        std::lock_guard lock(mutex_);
        return order_;
    }
    std::string error() const {
        std::lock_guard lock(mutex_);
        return error_;
    }
    int dones() const {
        std::lock_guard lock(mutex_);
        return dones_;
    }
    bool anything_after_done() const {
        std::lock_guard lock(mutex_);
        return after_done_;
    }
    std::vector<std::thread::id> threads() const {
        std::lock_guard lock(mutex_);
        return threads_;
    }

private:
    void add(const char* kind, std::string value) {
        {
            std::lock_guard lock(mutex_);
            if (dones_ > 0) after_done_ = true;
            threads_.push_back(std::this_thread::get_id());
            order_.push_back(std::string(kind) + ":" + value);
            if (std::string_view(kind) == "text") texts_.push_back(value);
            if (std::string_view(kind) == "done") {
                ++dones_;
                error_ = std::move(value);
            }
            changed_.notify_all();  // under the lock: the waiter may destroy us as soon as it wakes
        }
    }

    mutable std::mutex mutex_;
    std::condition_variable changed_;
    std::vector<std::string> texts_;
    std::vector<ToolCall> calls_;
    std::vector<std::string> order_;
    std::vector<std::thread::id> threads_;
    std::string error_;
    int dones_ = 0;
    bool after_done_ = false;
};

}  // namespace va::llm::test
