// The scripted model: one worker thread with a queue of answers, like the offline TTS.
#include "llm/scripted_chat.hpp"

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <deque>
#include <mutex>
#include <thread>

namespace va::llm {
namespace {

class ScriptedStream final : public ChatStream {
public:
    void cancel() override { canceled_.store(true); }
    bool canceled() const { return canceled_.load(); }

private:
    std::atomic<bool> canceled_{false};
};

// "Thanks. Is it" -> "Thanks. ", "Is ", "it": each word keeps the spaces that follow it.
std::vector<std::string> words(const std::string& text) {
    std::vector<std::string> out;
    std::size_t at = 0;
    while (at < text.size()) {
        auto end = text.find(' ', at);
        if (end == std::string::npos) {
            out.push_back(text.substr(at));
            break;
        }
        end = text.find_first_not_of(' ', end);
        if (end == std::string::npos) end = text.size();
        out.push_back(text.substr(at, end - at));
        at = end;
    }
    return out;
}

class ScriptedChat final : public ChatModel {
public:
    explicit ScriptedChat(std::vector<ScriptedReply> replies)
        : replies_(std::move(replies)), thread_([this] { work(); }) {}

    ~ScriptedChat() override {
        {
            std::lock_guard lock(mutex_);
            stopping_ = true;
        }
        wake_.notify_one();
        thread_.join();
    }

    std::shared_ptr<ChatStream> chat(ChatRequest request, ChatCallbacks callbacks) override {
        auto users = std::count_if(request.messages.begin(), request.messages.end(),
                                   [](const Message& m) { return m.role == "user"; });
        auto stream = std::make_shared<ScriptedStream>();
        {
            std::lock_guard lock(mutex_);
            jobs_.push_back({stream, static_cast<std::size_t>(std::max<std::ptrdiff_t>(users, 1) - 1),
                             std::move(callbacks)});
        }
        wake_.notify_one();
        return stream;
    }

    std::string name(const std::string&) const override { return "scripted"; }

private:
    struct Job {
        std::shared_ptr<ScriptedStream> stream;
        std::size_t turn = 0;
        ChatCallbacks callbacks;
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
            // Called off the lock, so a callback may chat() again or cancel().
            auto outcome = answer(job);
            if (job.callbacks.on_done) job.callbacks.on_done(std::move(outcome));
        }
    }

    std::string answer(Job& job) {
        if (replies_.empty()) return job.stream->canceled() ? "canceled" : "";
        const auto& reply = replies_[std::min(job.turn, replies_.size() - 1)];
        for (auto& word : words(reply.text)) {
            if (job.stream->canceled()) return "canceled";
            if (job.callbacks.on_text) job.callbacks.on_text(std::move(word));
        }
        if (job.stream->canceled()) return "canceled";
        if (reply.tool) {
            auto call = *reply.tool;
            if (call.id.empty()) call.id = "call_scripted_" + std::to_string(++calls_);
            if (call.arguments.empty()) call.arguments = "{}";
            if (job.callbacks.on_tool_call) job.callbacks.on_tool_call(std::move(call));
        }
        return job.stream->canceled() ? "canceled" : "";
    }

    const std::vector<ScriptedReply> replies_;
    std::size_t calls_ = 0;  // worker thread only
    std::mutex mutex_;
    std::condition_variable wake_;
    std::deque<Job> jobs_;
    bool stopping_ = false;
    std::thread thread_;  // last: starts once everything it uses exists
};

}  // namespace

std::unique_ptr<ChatModel> make_scripted_chat(std::vector<ScriptedReply> replies) {
    return std::make_unique<ScriptedChat>(std::move(replies));
}

std::vector<ScriptedReply> default_demo_script() {
    ToolCall end_call;
    end_call.id = "call_end";
    end_call.name = "end_call";
    end_call.arguments = "{}";
    return {
        {"Thanks. Is tomorrow at ten a good time for your appointment?", std::nullopt},
        {"Great, you are booked for tomorrow at ten.", std::nullopt},
        {"Thank you, goodbye.", end_call},
    };
}

}  // namespace va::llm
