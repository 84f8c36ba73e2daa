#pragma once
// Stand-ins for the conversation tests. Engines answer when the test says so, the call control
// plays like Twilio as far as the agent can tell (marks, clear), and the call's executor is an
// io_context the test runs until idle after each step, so each step is exact and single-threaded.
#include <chrono>
#include <cmath>
#include <deque>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include <boost/asio/io_context.hpp>

#include "../support/simulated_run.hpp"
#include "call/agent.hpp"
#include "conversation/ports.hpp"
#include "engine/inbox.hpp"

namespace va::conversation::test {

// ---- the call ----
class FakeControl final : public call::CallControl {
public:
    struct Utterance {
        std::size_t bytes = 0;
        bool finished = false;
        std::chrono::milliseconds heard{0};
        bool cut = false;
        bool reported_end = false;
    };

    void play(call::UtteranceId id, std::span<const std::uint8_t> mulaw) override {
        if (utterances[id].cut) return;
        utterances[id].bytes += mulaw.size();
        order.push_back(id);
    }
    void finish(call::UtteranceId id) override { utterances[id].finished = true; }
    void interrupt() override {
        ++interrupts;
        held = false;
        // As the session does: what was heard of each utterance still playing, by the clock.
        for (auto& [id, u] : utterances) {
            if (u.cut || (u.finished && u.heard.count() * 8 >= static_cast<long long>(u.bytes))) continue;
            u.cut = true;
            if (agent) agent->on_played(id, u.heard, false);
        }
    }
    void hold(bool on) override {
        if (on) ++holds;
        held = on;
    }
    void hang_up(std::string reason) override { hang_ups.push_back(std::move(reason)); }
    boost::asio::any_io_executor executor() override { return io.get_executor(); }

    // Runs what is ready on the call's executor (the engines' answers, the agent's coroutines),
    // until nothing is.
    void settle() { va::test::settle(io); }
    // Twilio plays `ms` more of every utterance in order, echoing marks; nothing while the agent's
    // audio is held (as if Twilio had played out its lead already).
    void hear(std::chrono::milliseconds ms) {
        if (held) return;
        for (auto& [id, u] : utterances) {
            if (u.cut) continue;
            const std::chrono::milliseconds length(static_cast<long long>(u.bytes / 8));
            if (u.heard >= length && !(u.finished && !u.reported_end)) continue;
            const auto step = std::min(ms, length - u.heard);
            u.heard += step;
            ms -= step;
            const bool end = u.finished && u.heard >= length;
            if (end) u.reported_end = true;
            agent->on_played(id, u.heard, end);
            settle();
            if (ms.count() <= 0) return;
        }
    }
    // Twilio plays everything sent so far.
    void hear_all() { hear(std::chrono::hours(1)); }
    std::chrono::milliseconds audio_of(call::UtteranceId id) const {
        auto it = utterances.find(id);
        return std::chrono::milliseconds(it == utterances.end() ? 0 : static_cast<long long>(it->second.bytes / 8));
    }

    boost::asio::io_context io;  // the call's executor
    call::Agent* agent = nullptr;
    std::map<call::UtteranceId, Utterance> utterances;
    std::vector<call::UtteranceId> order;
    int interrupts = 0;
    int holds = 0;
    bool held = false;  // the agent's audio is held back (hold(true))
    std::vector<std::string> hang_ups;
};

// ---- speech to text ----
class FakeStt final : public speech::SpeechToText {
public:
    struct Log {
        int begun = 0, ended = 0, canceled = 0;
        std::size_t samples = 0;
        std::vector<std::vector<std::int16_t>> prerolls;  // what each utterance began with
    };
    // What the next utterances say, in order; an entry that fails fails that one.
    struct Result {
        std::string text;
        bool fails = false;
    };

    std::unique_ptr<speech::SttSession> open(boost::asio::any_io_executor executor, speech::SttOptions options) override {
        grammars.push_back(options.grammar);
        contexts.push_back(options.context);
        partials_asked = options.partials;
        return std::make_unique<Session>(*this, std::move(executor));
    }
    // Interim words of the open utterance, now (as a streaming recogniser sends them).
    void interim(std::string text) {
        if (live_) live_->inbox.sender()(speech::Heard{std::move(text), /*final=*/false});
    }
    std::string name() const override { return label; }
    std::size_t words_to_take_floor() const override { return floor_words; }

    std::string label = "fake-stt";
    std::size_t floor_words = 1;
    Log log;
    std::deque<Result> results;
    std::vector<std::string> grammars;  // of each session opened
    std::vector<std::string> contexts;  // of each session opened
    bool partials_asked = false;

private:
    // Answers each end_utterance() at once, through an inbox as the engines do.
    struct Session final : speech::SttSession {
        Session(FakeStt& owner, boost::asio::any_io_executor executor) : stt(owner), inbox(std::move(executor)) {
            stt.live_ = this;
        }
        ~Session() override {
            if (stt.live_ == this) stt.live_ = nullptr;
        }
        void begin_utterance(std::span<const std::int16_t> preroll) override {
            ++stt.log.begun;
            stt.log.samples += preroll.size();
            stt.log.prerolls.emplace_back(preroll.begin(), preroll.end());
        }
        void audio(std::span<const std::int16_t> pcm) override { stt.log.samples += pcm.size(); }
        void end_utterance() override {
            ++stt.log.ended;
            Result r = stt.results.empty() ? Result{} : stt.results.front();
            if (!stt.results.empty()) stt.results.pop_front();
            auto send = inbox.sender();
            if (r.fails) {
                send(engine::Errc::failed);
            } else {
                send(speech::Heard{r.text});
            }
        }
        void cancel_utterance() override { ++stt.log.canceled; }
        boost::asio::awaitable<engine::Result<speech::Heard>> next() override { return inbox.receive(); }
        FakeStt& stt;
        engine::Inbox<engine::Result<speech::Heard>> inbox;
    };
    Session* live_ = nullptr;
};

// ---- the model ----
// Marks a fake engine's job canceled when its caller leaves before it is done.
template <class Job>
struct MarkCanceledUnlessDone {
    Job& job;
    ~MarkCanceledUnlessDone() {
        if (!job.done) job.canceled = true;
    }
};

class FakeLlm final : public llm::ChatModel {
public:
    struct Answer {
        std::vector<std::string> deltas;
        std::vector<llm::ToolCall> tools;
        std::string error;  // not empty: the answer fails
        bool hold = false;  // deliver nothing until release()
    };
    struct Call {
        llm::ChatRequest request;
        bool canceled = false;
        bool done = false;
        std::function<void(std::optional<std::string>)> held;  // text, or nullopt to release
        // While held: a piece of text now, ahead of the answer's (run the call's executor after).
        void say(std::string text) { held(std::move(text)); }
        void release() { held(std::nullopt); }
    };

    boost::asio::awaitable<engine::Result<void>> answer(llm::ChatRequest request, llm::ChatSink sink) override {
        auto call = std::make_shared<Call>();
        call->request = std::move(request);
        calls.push_back(call);
        MarkCanceledUnlessDone<Call> mark{*call};
        Answer answer = answers.empty() ? Answer{} : answers.front();
        if (!answers.empty()) answers.pop_front();
        if (answer.hold) {
            engine::Inbox<std::optional<std::string>> held(co_await boost::asio::this_coro::executor);
            call->held = held.sender();
            for (;;) {
                auto text = co_await held.receive();
                if (!text) break;
                sink.on_text(std::move(*text));
            }
        }
        for (const auto& d : answer.deltas) sink.on_text(d);
        for (const auto& t : answer.tools) sink.on_tool_call(t);
        call->done = true;
        if (!answer.error.empty()) co_return engine::Result<void>(engine::Errc::failed);
        co_return engine::Result<void>{};
    }
    std::string name(const std::string& model) const override { return model.empty() ? "fake-llm" : "fake-llm:" + model; }

    // The newest request's messages as "role: content" lines.
    std::vector<std::string> history(std::size_t call = SIZE_MAX) const {
        std::vector<std::string> out;
        for (const auto& m : calls.at(call == SIZE_MAX ? calls.size() - 1 : call)->request.messages) {
            if (m.role != "system") out.push_back(m.role + ": " + m.content);
        }
        return out;
    }

    std::deque<Answer> answers;
    std::vector<std::shared_ptr<Call>> calls;
};

// ---- text to speech ----
// 50 ms of a tone per character, delivered at once, or held until release() when `hold` is set.
class FakeTts final : public speech::TextToSpeech {
public:
    struct Job {
        std::string text;
        bool canceled = false;
        bool done = false;
        std::function<void(bool)> release;  // while held
    };

    boost::asio::awaitable<engine::Result<void>> synthesize(std::string text, speech::AudioSink on_audio) override {
        auto job = std::make_shared<Job>();
        job->text = std::move(text);
        jobs.push_back(job);
        MarkCanceledUnlessDone<Job> mark{*job};
        if (hold) {
            engine::Inbox<bool> released(co_await boost::asio::this_coro::executor);
            job->release = released.sender();
            co_await released.receive();
        }
        job->done = true;
        if (fail_next > 0) {
            --fail_next;
            co_return engine::Result<void>(engine::Errc::failed);
        }
        const std::size_t total = job->text.size() * 400;
        for (std::size_t at = 0; at < total; at += 800) {
            std::vector<std::int16_t> chunk(std::min<std::size_t>(800, total - at));
            for (std::size_t i = 0; i < chunk.size(); ++i)
                chunk[i] = static_cast<std::int16_t>(6000 * std::sin(0.3 * static_cast<double>(at + i)));
            on_audio(std::move(chunk));
        }
        co_return engine::Result<void>{};
    }
    std::string name() const override { return label; }
    std::string label = "fake-tts";

    // A held synthesis goes on (run the call's executor after).
    void release(Job& job) {
        if (job.release && !job.done) job.release(true);
    }
    void release_all() {
        for (auto& job : jobs) release(*job);
    }
    std::vector<std::string> texts() const {
        std::vector<std::string> out;
        for (const auto& j : jobs) out.push_back(j->text);
        return out;
    }

    bool hold = false;
    int fail_next = 0;
    std::vector<std::shared_ptr<Job>> jobs;
};

// ---- Twilio's REST API and the call log ----
class FakeActions final : public CallActions {
public:
    boost::asio::awaitable<engine::Result<void>> complete(std::string call_sid) override {
        completed.push_back(call_sid);
        co_return outcome();
    }
    boost::asio::awaitable<engine::Result<void>> transfer(std::string call_sid, std::string number) override {
        transfers.push_back(call_sid + " -> " + number);
        co_return outcome();
    }
    std::vector<std::string> completed, transfers;
    bool fail = false;  // Twilio refuses

private:
    engine::Result<void> outcome() const {
        return fail ? engine::Result<void>(engine::Errc::refused) : engine::Result<void>{};
    }
};

// Recognisers or voices by name (a prompt's choice), falling back to the deployment's own.
template <class Port, class Engine>
class FakeChoice final : public Port {
public:
    explicit FakeChoice(Engine& own) : own_(own) {}
    Engine& get(const std::string& name) override {
        auto it = others.find(name);
        return it == others.end() ? own_ : *it->second;
    }
    std::map<std::string, Engine*> others;

private:
    Engine& own_;
};
using FakeRecognizers = FakeChoice<Recognizers, speech::SpeechToText>;
using FakeVoices = FakeChoice<call::Voices, speech::TextToSpeech>;

class FakeSink final : public TranscriptSink {
public:
    void save(ConversationRecord record) override { records.push_back(std::move(record)); }
    const std::vector<store::TranscriptTurn>& transcript() const { return records.back().transcript; }
    std::vector<ConversationRecord> records;
};

}  // namespace va::conversation::test
