#include "app/agent_config.hpp"

#include <spdlog/spdlog.h>

#include "call/greeting_agent.hpp"
#include "conversation/conversation.hpp"
#include "conversation/store_transcripts.hpp"
#include "conversation/twilio_actions.hpp"
#include "llm/openai_chat.hpp"
#include "llm/scripted_chat.hpp"
#include "speech/pocketsphinx_stt.hpp"

namespace va::app {

Agents::Agents(const AgentConfig& config, boost::asio::io_context& io, twilio::RestClient& rest, store::Store& store,
               boost::asio::thread_pool& store_pool, speech::TextToSpeech& tts, call::GreetingCache& greetings,
               core::Clock& clock, core::MetricsRegistry& metrics)
    : kind_(config.kind), greetings_(greetings) {
    if (kind_ == "greeting") return;
    if (kind_ != "conversation") throw std::invalid_argument("--agent must be conversation or greeting");
    speech::PocketsphinxConfig stt;
    stt.model_dir = config.stt_model;
    stt.decoders = config.stt_decoders;
    stt.second_pass = config.stt_second_pass;
    stt_ = speech::make_pocketsphinx_stt(stt);
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

std::string Agents::describe() const {
    if (!context_) return "greeting only";
    return "conversation: LLM " + llm_->name() + ", STT " + stt_->name() + ", TTS " + context_->tts.name();
}

}  // namespace va::app
