#include "app/agent_config.hpp"

#include <spdlog/spdlog.h>

#include "call/greeting_agent.hpp"
#include "conversation/conversation.hpp"
#include "conversation/store_transcripts.hpp"
#include "conversation/twilio_actions.hpp"
#include "llm/openai_chat.hpp"
#include "llm/scripted_chat.hpp"
#include "speech/cloud/deepgram_stt.hpp"
#include "speech/cloud/elevenlabs_tts.hpp"
#include "speech/cloud/openai_tts.hpp"
#include "speech/pocketsphinx_stt.hpp"

namespace va::app {

std::unique_ptr<speech::TextToSpeech> make_voice(const std::string& spec, const AgentConfig& config,
                                                 boost::asio::io_context& io) {
    if (auto voice = speech::parse_voice(spec)) return speech::make_offline_tts(*voice);
    const auto colon = spec.find(':');
    const auto kind = spec.substr(0, colon), name = colon == std::string::npos ? "" : spec.substr(colon + 1);
    if (kind == "elevenlabs" && !name.empty()) {
        if (config.elevenlabs_api_key.empty()) throw std::invalid_argument("ELEVENLABS_API_KEY is not set");
        speech::ElevenLabsConfig c;
        c.base_url = config.elevenlabs_base_url;
        c.api_key = config.elevenlabs_api_key;
        c.voice_id = name;
        return speech::make_elevenlabs_tts(io, c);
    }
    if (kind == "openai" && !name.empty()) {
        speech::OpenAiTtsConfig c;
        c.base_url = config.openai_tts_base_url;
        c.api_key = config.openai_tts_api_key;
        c.model = config.openai_tts_model;
        c.voice = name;
        return speech::make_openai_tts(io, c);
    }
    throw std::invalid_argument("expected espeak:<voice>, flite:rms|awb|slt|kal, elevenlabs:<voice id> or openai:<voice>");
}

Agents::Agents(const AgentConfig& config, boost::asio::io_context& io, twilio::RestClient& rest, store::Store& store,
               boost::asio::thread_pool& store_pool, speech::TextToSpeech& tts, call::GreetingCache& greetings,
               core::Clock& clock, core::MetricsRegistry& metrics)
    : kind_(config.kind), greetings_(greetings) {
    if (kind_ == "greeting") return;
    if (kind_ != "conversation") throw std::invalid_argument("--agent must be conversation or greeting");
    if (config.stt == "deepgram") {
        if (config.deepgram_api_key.empty()) throw std::invalid_argument("--stt deepgram needs DEEPGRAM_API_KEY");
        speech::DeepgramConfig deepgram;
        deepgram.base_url = config.deepgram_base_url;
        deepgram.api_key = config.deepgram_api_key;
        deepgram.model = config.deepgram_model;
        stt_ = speech::make_deepgram_stt(io, deepgram);
    } else {
        speech::PocketsphinxConfig stt;
        stt.model_dir = config.stt_model;
        stt.decoders = config.stt_decoders;
        stt.second_pass = config.stt_second_pass;
        stt_ = speech::make_pocketsphinx_stt(stt);
    }
    if (config.llm_base_url.empty()) {
        llm_ = llm::make_scripted_chat(llm::default_demo_script());
    } else {
        llm::OpenAiConfig openai;
        openai.base_url = config.llm_base_url;
        openai.api_key = config.llm_api_key;
        openai.model = config.llm_model;
        openai.first_token_timeout = std::chrono::seconds(config.llm_timeout_seconds);
        llm_ = llm::make_openai_chat(io, openai);
    }
    actions_ = conversation::make_twilio_actions(io.get_executor(), rest);
    transcripts_ = conversation::make_store_transcripts(store, store_pool);
    context_ = std::make_unique<conversation::ConversationContext>(conversation::ConversationContext{
        *stt_, tts, *llm_, greetings, *actions_, *transcripts_, clock,
        [] { return std::chrono::steady_clock::now(); }, &metrics, config.settings});
}

Agents::~Agents() = default;

std::unique_ptr<call::Agent> Agents::make(const call::CallInfo& info, call::CallControl& control) {
    if (!context_) return call::make_greeting_agent(info, control, greetings_);
    return conversation::make_conversation(info, control, *context_);
}

std::string Agents::check_grammar(const std::string& grammar) const {
    return stt_ ? stt_->check_grammar(grammar) : std::string();
}

std::string Agents::describe() const {
    if (!context_) return "greeting only";
    return "conversation: LLM " + llm_->name() + ", STT " + stt_->name() + ", TTS " + context_->tts.name();
}

}  // namespace va::app
