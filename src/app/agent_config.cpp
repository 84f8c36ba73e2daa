#include "app/agent_config.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <map>

#include "app/voice_library.hpp"

#include "call/greeting_agent.hpp"
#include "conversation/conversation.hpp"
#include "conversation/store_transcripts.hpp"
#include "app/twilio_actions.hpp"
#include "llm/openai_chat.hpp"
#include "llm/scripted_chat.hpp"
#include "speech/cloud/deepgram_stt.hpp"
#include "speech/cloud/elevenlabs_tts.hpp"
#include "speech/cloud/openai_tts.hpp"
#include "speech/pocketsphinx_stt.hpp"

namespace va::app {

namespace {
// A cloud voice's id goes into a URL (ElevenLabs: a path segment): no dots, so no "." or ".."
// segment, and nothing else a URL gives meaning to.
bool is_plain_voice_id(const std::string& id) {
    return !id.empty() && id.size() <= 64 && std::all_of(id.begin(), id.end(), [](unsigned char c) {
        return std::isalnum(c) || c == '-' || c == '_';
    });
}
}  // namespace

std::unique_ptr<speech::TextToSpeech> make_voice(const std::string& spec, const AgentConfig& config) {
    if (auto voice = speech::parse_voice(spec)) {
        speech::TtsWorkers workers{config.tts_workers, {}};
        if (workers.count > 0) workers.command = {"/proc/self/exe", "tts-worker", "--voice", speech::to_string(*voice)};
        return speech::make_offline_tts(*voice, std::move(workers));
    }
    const auto colon = spec.find(':');
    const auto kind = spec.substr(0, colon), name = colon == std::string::npos ? "" : spec.substr(colon + 1);
    if ((kind == "elevenlabs" || kind == "openai") && !name.empty() && !is_plain_voice_id(name)) {
        throw std::invalid_argument("a " + kind + " voice id is 1-64 letters, digits, '-' or '_'");
    }
    if (kind == "elevenlabs" && !name.empty()) {
        if (config.elevenlabs_api_key.empty()) throw std::invalid_argument("ELEVENLABS_API_KEY is not set");
        speech::ElevenLabsConfig c;
        c.base_url = config.elevenlabs_base_url;
        c.api_key = config.elevenlabs_api_key;
        c.voice_id = name;
        return speech::make_elevenlabs_tts(c);
    }
    if (kind == "openai" && !name.empty()) {
        speech::OpenAiTtsConfig c;
        c.base_url = config.openai_tts_base_url;
        c.api_key = config.openai_tts_api_key;
        c.model = config.openai_tts_model;
        c.voice = name;
        return speech::make_openai_tts(c);
    }
    throw std::invalid_argument("expected espeak:<voice>, flite:rms|awb|slt|kal, elevenlabs:<voice id> or openai:<voice>");
}

// The deployment's recognisers: its own (--stt) and the other when it can be had here
// (pocketsphinx when its model is installed, Deepgram when DEEPGRAM_API_KEY is set).
class Agents::RecognizerSet final : public conversation::Recognizers {
public:
    RecognizerSet(const AgentConfig& config, boost::asio::io_context& io) : own_(config.stt) {
        if (own_ != "pocketsphinx" && own_ != "deepgram") throw std::invalid_argument("--stt must be pocketsphinx or deepgram");
        engines_[own_] = make(own_, config, io);
        const std::string other = own_ == "deepgram" ? "pocketsphinx" : "deepgram";
        const bool available = other == "deepgram" ? !config.deepgram_api_key.empty() : std::filesystem::exists(config.stt_model);
        if (!available) return;
        try {
            engines_[other] = make(other, config, io);
        } catch (const std::exception& e) {
            spdlog::warn("{} is not available to prompts: {}", other, e.what());
        }
    }

    speech::SpeechToText& get(const std::string& name) override {
        auto it = engines_.find(name);
        return it == engines_.end() ? *engines_.at(own_) : *it->second;
    }
    bool has(const std::string& name) const { return engines_.contains(name); }
    std::string names() const {
        std::string out;
        for (const auto& [name, engine] : engines_) out += (out.empty() ? "" : ", ") + name;
        return out;
    }
    const speech::SpeechToText& own() const { return *engines_.at(own_); }

private:
    static std::unique_ptr<speech::SpeechToText> make(const std::string& name, const AgentConfig& config,
                                                      boost::asio::io_context& io) {
        if (name == "deepgram") {
            if (config.deepgram_api_key.empty()) throw std::invalid_argument("--stt deepgram needs DEEPGRAM_API_KEY");
            speech::DeepgramConfig deepgram;
            deepgram.base_url = config.deepgram_base_url;
            deepgram.api_key = config.deepgram_api_key;
            deepgram.model = config.deepgram_model;
            return speech::make_deepgram_stt(io, deepgram);
        }
        speech::PocketsphinxConfig stt;
        stt.model_dir = config.stt_model;
        stt.decoders = config.stt_decoders;
        stt.second_pass = config.stt_second_pass;
        return speech::make_pocketsphinx_stt(stt);
    }

    std::string own_;
    std::map<std::string, std::unique_ptr<speech::SpeechToText>> engines_;
};

Agents::Agents(const AgentConfig& config, boost::asio::io_context& io, twilio::RestClient& rest, store::Store& store,
               boost::asio::thread_pool& store_pool, VoiceLibrary& voices, call::GreetingCache& greetings,
               timing::TimeSource& time, core::MetricsRegistry& metrics)
    : kind_(config.kind),
      llm_model_(config.llm_model),
      llm_models_(config.llm_models),
      voices_(voices),
      greetings_(greetings) {
    if (kind_ == "greeting") return;
    if (kind_ != "conversation") throw std::invalid_argument("--agent must be conversation or greeting");
    recognizers_ = std::make_unique<RecognizerSet>(config, io);
    if (config.llm_base_url.empty()) {
        llm_ = llm::make_scripted_chat(llm::default_demo_script());
    } else {
        llm::OpenAiConfig openai;
        openai.base_url = config.llm_base_url;
        openai.api_key = config.llm_api_key;
        openai.model = config.llm_model;
        openai.first_token_timeout = std::chrono::seconds(config.llm_timeout_seconds);
        openai.max_tokens = config.llm_max_tokens;
        llm_ = llm::make_openai_chat(openai);
    }
    actions_ = make_twilio_actions(rest, std::chrono::seconds(config.max_transfer_seconds));
    transcripts_ = conversation::make_store_transcripts(store, store_pool);
    context_ = std::make_unique<conversation::ConversationContext>(conversation::ConversationContext{
        *recognizers_, voices, *llm_, greetings, *actions_, *transcripts_, time, &metrics, config.settings});
}

Agents::~Agents() = default;

std::unique_ptr<call::Agent> Agents::make(const call::CallInfo& info, call::CallControl& control) {
    if (!context_) return call::make_greeting_agent(info, control, greetings_, voices_);
    if (!may_use_model(info.conversation.llm_model)) {
        // Saved before the allow-list changed: the call goes on, with the deployment's model.
        spdlog::warn("call {}: the prompt's LLM model {} is not in --llm-models: using {}", info.call_sid,
                     info.conversation.llm_model, llm_model_);
        auto allowed = info;
        allowed.conversation.llm_model.clear();
        return conversation::make_conversation(allowed, control, *context_);
    }
    return conversation::make_conversation(info, control, *context_);
}

bool Agents::may_use_model(const std::string& model) const {
    return model.empty() || model == llm_model_ || llm_models_.empty() ||
           std::find(llm_models_.begin(), llm_models_.end(), model) != llm_models_.end();
}

std::optional<SettingsProblem> Agents::check(const store::ConversationOverrides& settings) const {
    if (auto problem = voices_.check(settings.tts_voice)) return SettingsProblem{"conversation.ttsVoice", *problem};
    if (!may_use_model(settings.llm_model)) {
        std::string allowed = llm_model_;
        for (const auto& m : llm_models_) allowed += ", " + m;
        return SettingsProblem{"conversation.llmModel",
                               "\"" + settings.llm_model + "\" is not a model this deployment allows (" + allowed + ")"};
    }
    if (!recognizers_) return std::nullopt;  // the greeting agent listens to nothing
    if (!settings.stt.empty() && !recognizers_->has(settings.stt))
        return SettingsProblem{"conversation.stt", "\"" + settings.stt + "\" is not a recogniser here (this deployment has " +
                                                       recognizers_->names() + ")"};
    if (settings.stt_grammar.empty()) return std::nullopt;
    if (auto problem = recognizers_->get(settings.stt).check_grammar(settings.stt_grammar))
        return SettingsProblem{"conversation.sttGrammar", *problem};
    return std::nullopt;
}

std::string Agents::describe() const {
    if (!context_) return "greeting only";
    return "conversation: LLM " + llm_->name() + ", STT " + recognizers_->own().name() + " (prompts may choose " +
           recognizers_->names() + "), TTS " + voices_.own_spec();
}

}  // namespace va::app
