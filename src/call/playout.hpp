#pragma once
// What to send Twilio, and when, for the agent's voice. Twilio plays outbound audio in real time
// from a buffer of any size; sending it all at once would leave nothing to cut on barge-in. So
// audio goes out a little ahead of real time (`lead`), in chunks, each followed by a mark: an
// echoed mark says the callee has heard up to there, and `clear` drops at most `lead` of speech.
// No I/O and no clock of its own (time is passed in), so it is tested without sockets.
#include <chrono>
#include <cstdint>
#include <deque>
#include <memory>
#include <optional>
#include <set>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "call/agent.hpp"
#include "telephony/twilio/stream_message.hpp"
#include "timing/time_source.hpp"

namespace va::call {

struct PlayoutOptions {
    std::chrono::milliseconds lead{200};   // at most this much audio unplayed at Twilio
    std::chrono::milliseconds chunk{100};  // audio per media message (a multiple of 20 ms)
};

// What the callee has heard of one utterance.
struct Played {
    UtteranceId id = 0;
    std::chrono::milliseconds heard{0};
    bool finished = false;
    bool operator==(const Played&) const = default;
};

class Playout {
public:
    explicit Playout(PlayoutOptions options = {});

    void queue(UtteranceId id, std::span<const std::uint8_t> mulaw);
    // Audio shared with other calls: kept by reference (unless it joins audio already queued).
    void queue(UtteranceId id, std::shared_ptr<const std::vector<std::uint8_t>> mulaw);
    void finish(UtteranceId id);

    struct Step {
        std::vector<twilio::OutboundMessage> messages;  // to send now, in order
        std::optional<timing::SteadyTime> next;          // call pump() again then (none: nothing queued)
    };
    Step pump(timing::SteadyTime now);

    // Barge-in: drops everything queued. Returns, for every utterance whose marks Twilio has not
    // echoed yet, how much the callee heard by the clock (`finished` when all of it had played);
    // send the `clear` yourself. The marks Twilio then echoes for the dropped audio are ignored,
    // and so is any later audio for an utterance that was cut.
    std::vector<Played> interrupt(timing::SteadyTime now);

    // Holds the agent's audio back (pump() sends nothing) until hold(false): Twilio plays out what
    // it has, at most `lead`, and falls silent; nothing is dropped, so a release goes on from
    // there. interrupt() ends a hold.
    void hold(bool on) { held_ = on; }
    bool held() const { return held_; }

    // An echoed mark: what it says was heard, or nullopt (a dropped mark, or not one of ours).
    std::optional<Played> on_mark(std::string_view name);

    bool busy(timing::SteadyTime now) const;  // audio queued or still playing at Twilio
    // Audio of ours that Twilio has not said it played (a mark not echoed), or not sent yet: what
    // a clear would drop. Without any, a clear says nothing.
    bool unheard() const { return !pending_.empty() || marks_.size() > dropped_marks_; }

private:
    struct Pending {  // audio of one utterance not sent yet
        UtteranceId id = 0;
        std::vector<std::uint8_t> own;                         // the audio, or
        std::shared_ptr<const std::vector<std::uint8_t>> shared;  // audio other calls play too
        std::size_t sent = 0;  // bytes of the audio already sent
        bool finished = false;
        std::span<const std::uint8_t> audio() const { return shared ? std::span(*shared) : std::span(own); }
    };
    Pending& open(UtteranceId id);  // the pending entry `id`'s audio goes on, made if need be
    struct SentMark {
        std::string name;
        Played played;
        timing::SteadyTime plays_at;  // when Twilio will have played the audio before it
    };

    PlayoutOptions options_;
    std::deque<Pending> pending_;
    std::deque<SentMark> marks_;  // sent, not echoed yet, in order
    std::size_t dropped_marks_ = 0;  // the first this many of marks_ were cleared: their echoes mean nothing
    std::optional<UtteranceId> playing_;  // the utterance whose audio went out last
    std::chrono::milliseconds playing_sent_{0};   // of it
    std::chrono::milliseconds playing_heard_{0};  // of it, by its echoed marks
    std::set<UtteranceId> cut_;  // interrupted: later audio for them is dropped
    timing::SteadyTime buffer_end_{};  // when Twilio will have played everything sent so far
    bool held_ = false;
};

}  // namespace va::call
