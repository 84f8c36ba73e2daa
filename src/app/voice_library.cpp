#include "app/voice_library.hpp"

#include <spdlog/spdlog.h>

#include <stdexcept>

namespace va::app {

namespace {

std::unique_ptr<speech::TextToSpeech> make_checked_voice(const std::string& spec, const AgentConfig& config) {
    if (auto offline = speech::parse_voice(spec)) {
        if (auto problem = speech::check_offline_voice(*offline)) throw std::invalid_argument(*problem);
    }
    return make_voice(spec, config);
}

}  // namespace

VoiceLibrary::VoiceLibrary(const std::string& own, const AgentConfig& config)
    : config_(config), own_spec_(own), own_(make_checked_voice(own, config)) {}

VoiceLibrary::~VoiceLibrary() = default;

std::optional<std::string> VoiceLibrary::check(const std::string& spec) {
    if (spec.empty() || spec == own_spec_) return std::nullopt;
    std::lock_guard lock(mutex_);
    if (others_.contains(spec)) return std::nullopt;
    if (auto refused = refused_.find(spec); refused != refused_.end()) return refused->second;
    if (others_.size() >= kMaxVoices) return "this deployment already speaks with " + std::to_string(kMaxVoices) + " voices";
    try {
        others_.emplace(spec, make_checked_voice(spec, config_));
    } catch (const std::exception& e) {
        if (refused_.size() < kMaxRefusals) refused_.emplace(spec, e.what());
        return e.what();
    }
    return std::nullopt;
}

std::size_t VoiceLibrary::warm(store::Store& store) {
    std::size_t asked = 0;
    store::PageRequest page{std::nullopt, 200};
    do {
        auto prompts = store.prompts().list(page);
        for (const auto& prompt : prompts.items) {
            const auto& spec = prompt.conversation.tts_voice;
            if (spec.empty()) continue;
            ++asked;
            if (auto problem = check(spec))
                spdlog::warn("prompt {}: voice {} cannot be used here ({}): its calls will speak with {}", prompt.id,
                             spec, *problem, own_spec_);
        }
        page.after = prompts.next;
    } while (page.after);
    return asked;
}

std::size_t VoiceLibrary::made() {
    std::lock_guard lock(mutex_);
    return others_.size();
}

speech::TextToSpeech& VoiceLibrary::get(const std::string& spec) {
    if (check(spec)) {
        spdlog::warn("voice {} cannot be used here any more: speaking with {}", spec, own_spec_);
        return *own_;
    }
    if (spec.empty() || spec == own_spec_) return *own_;
    std::lock_guard lock(mutex_);
    return *others_.at(spec);
}

}  // namespace va::app
