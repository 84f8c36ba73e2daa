#pragma once
// One answer run the way a call runs it (a coroutine on a strand, with a cancellation signal), and
// what it handed over, so that a test can wait for "n text pieces" or "done" (with a generous
// bound, never a sleep) and then check the order, and that nothing came after the end.
#include <chrono>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include <boost/asio/io_context.hpp>

#include "llm/chat.hpp"
#include "support/awaited_run.hpp"

namespace va::llm::test {

class ChatLog : public std::enable_shared_from_this<ChatLog> {
public:
    static std::shared_ptr<ChatLog> make() { return std::make_shared<ChatLog>(); }

    // Asks `model` on a strand of `io` (which runs on another thread); the log stays alive until
    // the answer ends.
    void start(boost::asio::io_context& io, ChatModel& model, ChatRequest request) {
        auto self = shared_from_this();
        ChatSink sink{[self](std::string delta) {
                          self->add("text", delta);
                          if (self->on_text_) self->on_text_();
                      },
                      [self](ToolCall call) {
                          {
                              std::lock_guard lock(self->mutex_);
                              self->calls_.push_back(call);
                          }
                          self->add("tool", call.name + " " + call.arguments);
                      }};
        run_.start(io, model.answer(std::move(request), std::move(sink)),
                   [self](va::test::Ending<engine::Result<void>> ending) { self->finish(std::move(ending)); });
    }
    // The caller leaves, as a call does on barge-in: from the test thread, or from inside on_text.
    void cancel() { run_.cancel(); }
    // Called after each text piece is recorded, on the answer's strand; set before start().
    void on_text(std::function<void()> hook) { on_text_ = std::move(hook); }

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
    // "text:<delta>", "tool:<name> <arguments>", then "done:" (complete), "done:canceled" or
    // "done:<the engine error>", in the order they came.
    std::vector<std::string> order() const {
        std::lock_guard lock(mutex_);
        return order_;
    }
    bool ok() const {
        std::lock_guard lock(mutex_);
        return dones_ > 0 && !canceled_ && !error_;
    }
    boost::system::error_code error() const {
        std::lock_guard lock(mutex_);
        return error_;
    }
    bool canceled() const {
        std::lock_guard lock(mutex_);
        return canceled_;
    }
    int dones() const {
        std::lock_guard lock(mutex_);
        return dones_;
    }
    bool anything_after_done() const {
        std::lock_guard lock(mutex_);
        return after_done_;
    }

private:
    void add(const char* kind, std::string value) {
        std::lock_guard lock(mutex_);
        if (dones_ > 0) after_done_ = true;
        order_.push_back(std::string(kind) + ":" + value);
        if (std::string_view(kind) == "text") texts_.push_back(std::move(value));
        changed_.notify_all();  // under the lock: the waiter may destroy us as soon as it wakes
    }
    void finish(va::test::Ending<engine::Result<void>> ending) {
        std::lock_guard lock(mutex_);
        ++dones_;
        canceled_ = ending.canceled;
        std::string outcome = canceled_ ? "canceled" : ending.error ? "exception" : "";
        if (ending.result && !*ending.result) {
            error_ = ending.result->error();
            outcome = error_.message();
        }
        order_.push_back("done:" + outcome);
        changed_.notify_all();  // under the lock: the waiter may destroy us as soon as it wakes
    }

    va::test::AwaitedRun<engine::Result<void>> run_;
    std::function<void()> on_text_;
    mutable std::mutex mutex_;
    std::condition_variable changed_;
    std::vector<std::string> texts_;
    std::vector<ToolCall> calls_;
    std::vector<std::string> order_;
    boost::system::error_code error_;
    int dones_ = 0;
    bool canceled_ = false;
    bool after_done_ = false;
};

}  // namespace va::llm::test
