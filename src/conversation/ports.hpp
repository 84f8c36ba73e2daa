#pragma once
// What the conversation needs from outside: the three engines, Twilio's REST API for hanging up
// and transferring, somewhere to keep the transcript, and the clocks. The app wires real ones
// (app/agent_config.cpp: the store and Twilio); tests pass fakes.
#include <chrono>
#include <string>
#include <vector>

#include <boost/asio/awaitable.hpp>

#include "call/greeting_cache.hpp"
#include "call/voices.hpp"
#include "conversation/settings.hpp"
#include "engine/error.hpp"
#include "timing/time_source.hpp"
#include "core/metrics.hpp"
#include "llm/chat.hpp"
#include "speech/stt.hpp"
#include "speech/tts.hpp"
#include "store/model.hpp"

namespace va::conversation {

// Twilio's REST API for a live call, awaited on the call's executor. A failure's details are
// logged where they are known.
class CallActions {
public:
    virtual ~CallActions() = default;
    // Hangs the call up (Status=completed).
    virtual boost::asio::awaitable<engine::Result<void>> complete(std::string call_sid) = 0;
    // Redirects the call to <Dial>number</Dial>: the stream ends and the callee is connected.
    virtual boost::asio::awaitable<engine::Result<void>> transfer(std::string call_sid, std::string number) = 0;
};

// The call log's share of a conversation, saved whenever a turn closes and at the end.
struct ConversationRecord {
    std::string stream_sid;
    std::vector<store::TranscriptTurn> transcript;
    store::ConversationEngines engines;
    core::TimePoint at{};  // when it was taken
};

class TranscriptSink {
public:
    virtual ~TranscriptSink() = default;
    // Called on the call's strand: must not block. Later records replace earlier ones.
    virtual void save(ConversationRecord record) = 0;
};

// The recognisers a deployment has, by name ("pocketsphinx", "deepgram"): its own (--stt) and
// any other a prompt asks for (ConversationOverrides::stt). Thread-safe.
class Recognizers {
public:
    virtual ~Recognizers() = default;
    // The recogniser `name` names; the deployment's own for "" and for one it does not have.
    virtual speech::SpeechToText& get(const std::string& name) = 0;
};

// The same recogniser whatever is asked for.
class OneRecognizer final : public Recognizers {
public:
    explicit OneRecognizer(speech::SpeechToText& stt) : stt_(stt) {}
    speech::SpeechToText& get(const std::string&) override { return stt_; }

private:
    speech::SpeechToText& stt_;
};

struct ConversationContext {
    Recognizers& recognizers;
    call::Voices& voices;
    llm::ChatModel& llm;
    call::GreetingCache& greetings;
    CallActions& actions;
    TranscriptSink& transcripts;
    timing::TimeSource& time;  // transcript times (wall) and latency figures (steady)
    core::MetricsRegistry* metrics = nullptr;
    ConversationSettings settings;
};

}  // namespace va::conversation
