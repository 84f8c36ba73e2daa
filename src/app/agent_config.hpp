#pragma once
// Who talks on a call, and with what: the conversation engine with its engines (pocketsphinx,
// an OpenAI-compatible LLM or the scripted responder, the TTS voice), or only the greeting.
#include <boost/asio/io_context.hpp>
#include <boost/asio/thread_pool.hpp>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "call/agent.hpp"
#include "call/greeting_cache.hpp"
#include "conversation/ports.hpp"
#include "store/store.hpp"
#include "telephony/twilio/rest_client.hpp"
#include "timing/time_source.hpp"

namespace va::app {

struct AgentConfig {
    std::string kind = "conversation";  // or "greeting": speak the introduction and listen to nothing
    std::string llm_base_url;           // LLM_BASE_URL; empty: the scripted responder
    std::string llm_model = "gpt-4o-mini";
    std::string llm_api_key;  // LLM_API_KEY, from the environment only
    int llm_timeout_seconds = 10;  // until the first token
    int llm_max_tokens = 300;      // per answer
    int max_transfer_seconds = 3600;  // a transferred call's longest leg (<Dial timeLimit>)
    // The models a prompt's llmModel may name (empty: any); the deployment's own always may.
    std::vector<std::string> llm_models;
    std::string stt = "pocketsphinx";  // or "deepgram"
    std::string stt_model = "/usr/share/pocketsphinx/model/en-us";
    unsigned stt_decoders = 2;
    unsigned tts_workers = 0;  // speech::TtsWorkers::count for espeak and flite voices
    bool stt_second_pass = false;
    std::string deepgram_base_url = "wss://api.deepgram.com";
    std::string deepgram_model = "nova-2-phonecall";
    std::string deepgram_api_key;  // DEEPGRAM_API_KEY, from the environment only
    // Cloud voices (--tts-voice elevenlabs:<voice id> | openai:<voice>); keys from the environment only.
    std::string elevenlabs_base_url = "https://api.elevenlabs.io";
    std::string elevenlabs_api_key;  // ELEVENLABS_API_KEY
    std::string openai_tts_base_url = "https://api.openai.com/v1";
    std::string openai_tts_model = "gpt-4o-mini-tts";
    std::string openai_tts_api_key;  // OPENAI_API_KEY
    conversation::ConversationSettings settings;
};

// The agent's voice: espeak:<voice>, flite:<voice>, elevenlabs:<voice id> or openai:<voice>.
// Throws std::invalid_argument naming what is wrong.
std::unique_ptr<speech::TextToSpeech> make_voice(const std::string& spec, const AgentConfig& config);

class VoiceLibrary;

// What is wrong with a prompt's conversation settings here, and in which field.
struct SettingsProblem {
    std::string field;  // "conversation.ttsVoice"
    std::string message;
};

// The engines and ports of the conversation, built once; they outlive every call.
class Agents {
public:
    // Throws std::runtime_error / std::invalid_argument with what is wrong (a missing model, a bad URL).
    Agents(const AgentConfig& config, boost::asio::io_context& io, twilio::RestClient& rest, store::Store& store,
           boost::asio::thread_pool& store_pool, VoiceLibrary& voices, call::GreetingCache& greetings,
           timing::TimeSource& time, core::MetricsRegistry& metrics);
    ~Agents();

    std::unique_ptr<call::Agent> make(const call::CallInfo& info, call::CallControl& control);
    std::string describe() const;  // for the start-up log line
    // Whether this deployment can give a prompt the recogniser, grammar and voice it asks for.
    std::optional<SettingsProblem> check(const store::ConversationOverrides& settings) const;

private:
    class RecognizerSet;
    bool may_use_model(const std::string& model) const;
    std::string kind_;
    std::string llm_model_;
    std::vector<std::string> llm_models_;
    VoiceLibrary& voices_;
    call::GreetingCache& greetings_;
    std::unique_ptr<RecognizerSet> recognizers_;
    std::unique_ptr<llm::ChatModel> llm_;
    std::unique_ptr<conversation::CallActions> actions_;
    std::unique_ptr<conversation::TranscriptSink> transcripts_;
    std::unique_ptr<conversation::ConversationContext> context_;
};

}  // namespace va::app
