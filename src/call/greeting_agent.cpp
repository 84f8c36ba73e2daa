#include "call/greeting_agent.hpp"

#include <spdlog/spdlog.h>

namespace va::call {

namespace {

constexpr UtteranceId kGreeting = 1;

class GreetingAgent final : public Agent {
public:
    GreetingAgent(const CallInfo& info, CallControl& control, GreetingCache& greetings, Voices& voices,
                  bool hang_up_after)
        : info_(info),
          control_(control),
          greetings_(greetings),
          voice_(voices.get(info.conversation.tts_voice)),
          hang_up_after_(hang_up_after) {}

    void on_start() override {}
    boost::asio::awaitable<void> run() override {
        if (info_.greeting.empty()) co_return;
        auto audio = co_await greetings_.fetch(voice_, info_.greeting);
        if (!audio) {  // logged by the cache; the callee hears silence until the call ends
            if (hang_up_after_) control_.hang_up("nothing to say");
            co_return;
        }
        control_.play(kGreeting, *audio);
        control_.finish(kGreeting);
    }
    void on_audio(std::span<const std::int16_t>) override {}
    void on_dtmf(char) override {}
    void on_played(UtteranceId id, std::chrono::milliseconds heard, bool finished) override {
        if (id != kGreeting || !finished) return;
        spdlog::info("call {}: greeting played ({} ms)", info_.call_sid, heard.count());
        if (hang_up_after_) control_.hang_up("said goodbye");
    }
    void on_shutdown() override { control_.hang_up("the server is shutting down"); }
    void on_end() override {}

private:
    CallInfo info_;
    CallControl& control_;
    GreetingCache& greetings_;
    speech::TextToSpeech& voice_;
    bool hang_up_after_;
};

}  // namespace

std::unique_ptr<Agent> make_greeting_agent(const CallInfo& info, CallControl& control, GreetingCache& greetings,
                                           Voices& voices) {
    return std::make_unique<GreetingAgent>(info, control, greetings, voices, false);
}

std::unique_ptr<Agent> make_farewell_agent(const CallInfo& info, std::string line, CallControl& control,
                                           GreetingCache& greetings, Voices& voices) {
    auto said = info;
    said.greeting = std::move(line);
    return std::make_unique<GreetingAgent>(said, control, greetings, voices, true);
}

}  // namespace va::call
