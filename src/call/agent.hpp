#pragma once
// The seam between a call's Media Stream and whatever talks on it. The session (session.hpp)
// owns the socket and calls an Agent for everything the callee does; the Agent answers through
// CallControl. The greeting agent (greeting_agent.hpp) speaks the introduction; the conversation
// engine plugs in here the same way. Everything runs on the session's strand: results computed
// elsewhere (TTS, STT, LLM) come back through CallControl::poster().
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <span>
#include <string>

#include "store/model.hpp"

namespace va::call {

// What the agent knows about the call when its stream starts.
struct CallInfo {
    std::string scheduled_call_id;  // "" for an inbound call
    std::string attempt_id;         // "" for an inbound call
    std::string call_sid;
    std::string stream_sid;
    bool outbound = true;
    std::string system_prompt;  // the scheduled call's snapshot `content` (or the inbound prompt's)
    std::string greeting;       // its snapshot `introduction`
    store::ConversationOverrides conversation;  // its snapshot conversation settings
};

using UtteranceId = std::uint64_t;

class CallControl {
public:
    virtual ~CallControl() = default;
    // Queues μ-law 8 kHz audio of utterance `id` for the callee. It goes out paced a little ahead
    // of real time, so interrupt() can stop it and marks say what was heard.
    virtual void play(UtteranceId id, std::span<const std::uint8_t> mulaw) = 0;
    // No more audio for `id`: Agent::on_played(id, all of it, true) follows once it has played.
    virtual void finish(UtteranceId id) = 0;
    // Stops the callee's playback now (Twilio's `clear`) and drops what was queued.
    virtual void interrupt() = 0;
    // Ends the stream (the call itself ends when Twilio sees the socket close).
    virtual void hang_up(std::string reason) = 0;
    // A handle that may outlive the session: it runs a function on the session's strand, or drops
    // it when the session has ended by then. Give it to work that finishes on other threads.
    using Post = std::function<void(std::function<void()>)>;
    virtual Post poster() = 0;
};

class Agent {
public:
    virtual ~Agent() = default;
    virtual void on_start() = 0;
    // One inbound frame (usually 20 ms) as 8 kHz 16-bit PCM, decoded from the line's μ-law.
    virtual void on_audio(std::span<const std::int16_t> pcm) = 0;
    virtual void on_dtmf(char digit) = 0;
    // The callee has heard `heard` of utterance `id` (`finished`: all of it). Utterances cut off
    // by interrupt() report what was heard before the cut, not finished.
    virtual void on_played(UtteranceId id, std::chrono::milliseconds heard, bool finished) = 0;
    // The stream is over (stop, hang-up, error); no call follows.
    virtual void on_end() = 0;
};

using AgentFactory = std::function<std::unique_ptr<Agent>(const CallInfo&, CallControl&)>;

}  // namespace va::call
