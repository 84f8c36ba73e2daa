#include "call/greeting_agent.hpp"

#include <spdlog/spdlog.h>

namespace va::call {

namespace {

constexpr UtteranceId kGreeting = 1;

class GreetingAgent final : public Agent {
public:
    GreetingAgent(const CallInfo& info, CallControl& control, GreetingCache& greetings, Voices& voices)
        : info_(info), control_(control), greetings_(greetings), voice_(voices.get(info.conversation.tts_voice)) {}

    void on_start() override {}
    boost::asio::awaitable<void> run() override {
        if (info_.greeting.empty()) co_return;
        auto audio = co_await greetings_.fetch(voice_, info_.greeting);
        if (!audio) co_return;  // logged by the cache; the callee hears silence until the call ends
        control_.play(kGreeting, **audio);
        control_.finish(kGreeting);
    }
    void on_audio(std::span<const std::int16_t>) override {}
    void on_dtmf(char) override {}
    void on_played(UtteranceId id, std::chrono::milliseconds heard, bool finished) override {
        if (id == kGreeting && finished) spdlog::info("call {}: greeting played ({} ms)", info_.call_sid, heard.count());
    }
    void on_shutdown() override { control_.hang_up("the server is shutting down"); }
    void on_end() override {}

private:
    CallInfo info_;
    CallControl& control_;
    GreetingCache& greetings_;
    speech::TextToSpeech& voice_;
};

}  // namespace

std::unique_ptr<Agent> make_greeting_agent(const CallInfo& info, CallControl& control, GreetingCache& greetings,
                                           Voices& voices) {
    return std::make_unique<GreetingAgent>(info, control, greetings, voices);
}

}  // namespace va::call
