#include "call/greeting_agent.hpp"

#include <spdlog/spdlog.h>

namespace va::call {

namespace {

constexpr UtteranceId kGreeting = 1;

class GreetingAgent final : public Agent {
public:
    GreetingAgent(const CallInfo& info, CallControl& control, GreetingCache& greetings, Voices& voices)
        : info_(info), control_(control), greetings_(greetings), voice_(voices.get(info.conversation.tts_voice)) {}

    void on_start() override {
        if (info_.greeting.empty()) return;
        // The cache answers on the TTS thread (or at once); the audio is played on our strand.
        greetings_.get(voice_, info_.greeting,
                       [post = control_.poster(), this](GreetingCache::Audio audio, const std::string& error) {
                           post([this, audio = std::move(audio), error] { speak(audio, error); });
                       });
    }
    void on_audio(std::span<const std::int16_t>) override {}
    void on_dtmf(char) override {}
    void on_played(UtteranceId id, std::chrono::milliseconds heard, bool finished) override {
        if (id == kGreeting && finished) spdlog::info("call {}: greeting played ({} ms)", info_.call_sid, heard.count());
    }
    void on_end() override {}

private:
    void speak(const GreetingCache::Audio& audio, const std::string& error) {
        if (!audio) {
            spdlog::error("call {}: the greeting cannot be synthesised: {}", info_.call_sid, error);
            return;
        }
        control_.play(kGreeting, *audio);
        control_.finish(kGreeting);
    }

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
