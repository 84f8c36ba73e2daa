#pragma once
// The seam between a call's Media Stream and whatever talks on it. The session (session.hpp)
// owns the socket and calls an Agent for everything the callee does; the Agent answers through
// CallControl. The greeting agent (greeting_agent.hpp) speaks the introduction; the conversation
// engine plugs in here the same way. Everything runs on the session's executor (one thread): the
// agent's own work is its run() coroutine, which the session joins into the call's task group,
// and which awaits the engines (TTS, STT, LLM) there.
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>

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
    // The same for audio many calls share (a cached greeting or re-prompt): the session keeps a
    // reference instead of a copy. This default copies.
    virtual void play(UtteranceId id, std::shared_ptr<const std::vector<std::uint8_t>> mulaw) {
        if (mulaw) play(id, std::span<const std::uint8_t>(*mulaw));
    }
    // No more audio for `id`: Agent::on_played(id, all of it, true) follows once it has played.
    virtual void finish(UtteranceId id) = 0;
    // Stops the callee's playback now (Twilio's `clear`) and drops what was queued.
    virtual void interrupt() = 0;
    // Holds the agent's audio back until hold(false): the callee hears at most what is already
    // at Twilio (the playout's lead), then silence; nothing is dropped. interrupt() ends a hold.
    virtual void hold(bool on) = 0;
    // Ends the stream (the call itself ends when Twilio sees the socket close).
    virtual void hang_up(std::string reason) = 0;
    // The session's executor (one network thread), where everything of the call runs.
    virtual boost::asio::any_io_executor executor() = 0;
};

class Agent {
public:
    virtual ~Agent() = default;
    virtual void on_start() = 0;
    // The agent's own work (speaking, awaiting its engines), started soon after on_start() as a
    // member of the call's task group (not at all when the call ends first). Returning is fine;
    // the call goes on. When the call ends it is cancelled and awaited before on_end(). An
    // exception ends the call.
    virtual boost::asio::awaitable<void> run() = 0;
    // One inbound frame (usually 20 ms) as 8 kHz 16-bit PCM, decoded from the line's μ-law.
    virtual void on_audio(std::span<const std::int16_t> pcm) = 0;
    virtual void on_dtmf(char digit) = 0;
    // The callee has heard `heard` of utterance `id` (`finished`: all of it). Utterances cut off
    // by interrupt() report what was heard before the cut, not finished.
    virtual void on_played(UtteranceId id, std::chrono::milliseconds heard, bool finished) = 0;
    // The server is shutting down: say a short goodbye, if anything, and hang up. The stream is
    // closed at the grace deadline whatever the agent does.
    virtual void on_shutdown() = 0;
    // The stream is over (stop, hang-up, error); no call follows.
    virtual void on_end() = 0;
};

using AgentFactory = std::function<std::unique_ptr<Agent>(const CallInfo&, CallControl&)>;

}  // namespace va::call
