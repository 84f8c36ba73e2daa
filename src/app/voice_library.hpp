#pragma once
// The deployment's voices: its own (--tts-voice), made at start-up, and the others prompts ask
// for, made on first use and kept for the life of the process.
#include <map>
#include <memory>
#include <optional>
#include <mutex>
#include <string>

#include "app/agent_config.hpp"
#include "call/voices.hpp"
#include "store/store.hpp"

namespace va::app {

class VoiceLibrary final : public call::Voices {
public:
    // Throws std::invalid_argument naming what is wrong with `own`. `config` must outlive this.
    VoiceLibrary(const std::string& own, const AgentConfig& config);
    ~VoiceLibrary() override;

    speech::TextToSpeech& get(const std::string& spec) override;
    // What is wrong when `spec` cannot be spoken here. Makes and keeps the voice, and remembers a
    // refusal (a voice that cannot be made now will not be made later either).
    std::optional<std::string> check(const std::string& spec);
    // Makes every voice the stored prompts ask for, so that after a restart a call does not wait
    // on its network thread for its voice to be made (a call keeps its prompt's voice from when
    // it was scheduled; one whose prompt has changed voice since still makes it on first use).
    // Blocks on the store: call it before serving. Returns how many prompts ask for a voice.
    std::size_t warm(store::Store& store);
    const std::string& own_spec() const { return own_spec_; }
    // How many voices besides its own it has made so far.
    std::size_t made();

private:
    static constexpr std::size_t kMaxVoices = 32;  // each is a thread or an HTTP client
    static constexpr std::size_t kMaxRefusals = 64;  // beyond that, a refusal is worked out again
    const AgentConfig& config_;
    const std::string own_spec_;
    std::unique_ptr<speech::TextToSpeech> own_;
    std::mutex mutex_;
    std::map<std::string, std::unique_ptr<speech::TextToSpeech>> others_;
    std::map<std::string, std::string> refused_;  // spec → what is wrong with it
};

}  // namespace va::app
