#pragma once
// The deployment's voices: its own (--tts-voice), made at start-up, and the others prompts ask
// for, made on first use and kept for the life of the process.
#include <boost/asio/io_context.hpp>
#include <map>
#include <memory>
#include <mutex>
#include <string>

#include "app/agent_config.hpp"
#include "call/voices.hpp"

namespace va::app {

class VoiceLibrary final : public call::Voices {
public:
    // Throws std::invalid_argument naming what is wrong with `own`. `config` must outlive this.
    VoiceLibrary(const std::string& own, const AgentConfig& config, boost::asio::io_context& io);
    ~VoiceLibrary() override;

    speech::TextToSpeech& get(const std::string& spec) override;
    // "" when `spec` can be spoken here, else what is wrong. Makes and keeps the voice.
    std::string check(const std::string& spec);
    const std::string& own_spec() const { return own_spec_; }

private:
    static constexpr std::size_t kMaxVoices = 32;  // each is a thread or an HTTP client
    const AgentConfig& config_;
    boost::asio::io_context& io_;
    const std::string own_spec_;
    std::unique_ptr<speech::TextToSpeech> own_;
    std::mutex mutex_;
    std::map<std::string, std::unique_ptr<speech::TextToSpeech>> others_;
};

}  // namespace va::app
