#include "conversation/conversation.hpp"

#include <deque>
#include <optional>
#include <vector>

#include <spdlog/spdlog.h>

#include "conversation/reply.hpp"
#include "conversation/sentences.hpp"
#include "conversation/tools.hpp"
#include "conversation/turn_detector.hpp"
#include "media/mulaw.hpp"
#include "speech/vad.hpp"

namespace va::conversation {

namespace {

using timing::SteadyTime;
using call::UtteranceId;

constexpr milliseconds kNever{std::chrono::hours(24)};

// Said to the model before the prompt's own words: how a phone call differs from a chat.
constexpr const char* kPhoneGuidance =
    "You are talking with someone on a phone call. Everything you write is spoken aloud by a speech "
    "synthesizer, so answer in short, plain spoken sentences: no lists, markdown or emoji. What the "
    "caller says reaches you through speech recognition and may contain mistakes. When the conversation "
    "is over, say a short goodbye and call the end_call tool.";

// A callee turn that has ended and waits for its words from the STT.
struct PendingTurn {
    SteadyTime speech_end;
    core::TimePoint started_at;
    core::TimePoint ended_at;
};

milliseconds since(SteadyTime from, SteadyTime to) {
    return std::chrono::duration_cast<milliseconds>(to - from);
}

class Conversation final : public call::Agent {
public:
    Conversation(const call::CallInfo& info, call::CallControl& control, ConversationContext& ctx)
        : info_(info),
          control_(control),
          ctx_(ctx),
          settings_(with_overrides(ctx.settings, info.conversation)),
          post_(control.poster()),
          recognizer_(ctx.recognizers.get(info.conversation.stt)),
          voice_(ctx.voices.get(info.conversation.tts_voice)),
          detector_(settings_.turn),
          engines_{ctx.llm.name(info.conversation.llm_model),
                   recognizer_.name() + (info.conversation.stt_grammar.empty() ? "" : "+grammar"), voice_.name()} {
        if (!info_.system_prompt.empty()) history_.push_back({"system", info_.system_prompt, {}, {}});
        history_.push_back({"system", kPhoneGuidance, {}, {}});
        tools_ = conversation_tools(!settings_.transfer_number.empty());
    }

    ~Conversation() override { stop_engines(); }

    void on_start() override {
        stt_ = recognizer_.open({nullptr,
                                 [post = post_, this](std::string text, std::string error) {
                                     post([this, text = std::move(text), error = std::move(error)] {
                                         on_words(text, error);
                                     });
                                 }},
                                {info_.conversation.stt_grammar});
        if (!info_.greeting.empty()) greet();
    }

    void on_audio(std::span<const std::int16_t> pcm) override {
        const milliseconds length(static_cast<long long>(pcm.size() / 8));
        keep_preroll(pcm);
        const bool voiced = vad_.process(pcm);
        if (voiced) last_voice_ = {ctx_.time.steady_now(), ctx_.time.now()};
        switch (detector_.push(voiced, length)) {
            case TurnDetector::Event::onset:
                turn_started_at_ = ctx_.time.now();
                over_agent_ = reply_ && reply_->sounding();
                if (stt_) stt_->begin_utterance(preroll_);
                break;
            case TurnDetector::Event::voice:
            case TurnDetector::Event::none:
                if (detector_.open() && stt_) stt_->audio(pcm);
                break;
            case TurnDetector::Event::ended:
                if (stt_) stt_->end_utterance();
                pending_turns_.push_back({last_voice_.steady, turn_started_at_, last_voice_.wall});
                break;
            case TurnDetector::Event::dropped:
                if (stt_) stt_->cancel_utterance();
                break;
        }
        if (detector_.open() && !detector_.accepted() && detector_.voiced() >= accept_threshold()) take_turn();
        keep_time(length);
    }

    void on_dtmf(char digit) override {
        if (ending_) return;
        digits_ += digit;
        last_digit_at_ = detector_.now();
        if (digit == '#') submit_digits();
    }

    void on_played(UtteranceId id, milliseconds heard, bool finished) override {
        if (!reply_) return;
        auto* piece = reply_->find(id);
        if (!piece) return;
        piece->heard = std::max(piece->heard, heard);
        if (finished) piece->played = true;
        if (!reply_->audible && (heard.count() > 0 || (finished && piece->samples > 0))) {
            reply_->audible = true;
            if (reply_->speech_end) {
                // The mark arrives when `heard` of the piece has played: sound began that long ago.
                const auto began = ctx_.time.steady_now() - heard;
                observe(reply_->latency.voice_to_voice_ms, "voice_to_voice", since(*reply_->speech_end, began));
            }
        }
        if (finished) finish_if_done();
    }

    void on_end() override {
        ended_ = true;
        if (reply_) close_reply(/*cut=*/true);
        stop_engines();
        save();
    }

private:
    // ---- listening ----
    void keep_preroll(std::span<const std::int16_t> pcm) {
        const std::size_t keep = static_cast<std::size_t>(settings_.turn.preroll.count()) * 8;
        preroll_.insert(preroll_.end(), pcm.begin(), pcm.end());
        if (preroll_.size() > keep) preroll_.erase(preroll_.begin(), preroll_.end() - static_cast<std::ptrdiff_t>(keep));
    }

    // How much voice makes the open segment a turn of the callee's: more while the agent talks
    // (a backchannel must not stop it), never over words that may not be interrupted.
    milliseconds accept_threshold() const {
        if (ending_) return kNever;
        if (reply_ && reply_->sounding()) {
            if (!settings_.barge_in.enabled || !reply_->interruptible) return kNever;
            return settings_.barge_in.min_speech;
        }
        // A backchannel that began over the agent's voice stays one after the agent stops.
        if (over_agent_) return settings_.barge_in.min_speech;
        if (reply_ && !reply_->interruptible) return kNever;
        return settings_.turn.min_speech;
    }

    void take_turn() {
        detector_.accept();
        idle_ = unanswered_ = milliseconds(0);
        if (!reply_) return;
        if (reply_->sounding()) {
            spdlog::info("call {}: the callee talks over the agent: barge-in", info_.call_sid);
            count("conversation_barge_ins_total", "Agent replies cut off by the callee");
        }
        close_reply(/*cut=*/true);  // a reply still being thought of is for a turn the callee has not finished
    }

    void on_words(const std::string& text, const std::string& error) {
        if (pending_turns_.empty()) return;
        const auto turn = pending_turns_.front();
        pending_turns_.pop_front();
        if (ending_) return;
        if (!error.empty()) {
            spdlog::warn("call {}: speech recognition failed: {}", info_.call_sid, error);
            count("conversation_failures_total", "Engine failures during calls", {{"engine", "stt"}});
            if (!reply_) say(settings_.not_heard, ReplyKind::notice);
            return;
        }
        if (text.empty()) {
            spdlog::debug("call {}: a turn without recognisable words", info_.call_sid);
            return;
        }
        transcript_.push_back({"callee", text, turn.started_at, turn.ended_at, false, std::nullopt});
        history_.push_back({"user", text, {}, {}});
        save();
        if (reply_) close_reply(/*cut=*/true);
        answer(turn.speech_end);
    }

    void submit_digits() {
        if (digits_.empty() || ending_) return;
        const auto now = ctx_.time.now();
        transcript_.push_back({"callee", "(pressed " + digits_ + ")", now, now, false, std::nullopt});
        history_.push_back({"user", "[The caller pressed " + digits_ + " on the keypad.]", {}, {}});
        digits_.clear();
        save();
        if (reply_) close_reply(/*cut=*/true);
        answer(std::nullopt);
    }

    // Silence, keypad pauses and the call's length, all measured in inbound audio.
    void keep_time(milliseconds length) {
        call_length_ += length;
        if (!digits_.empty() && detector_.now() - last_digit_at_ >= settings_.dtmf_gap) submit_digits();
        if (ending_) return;
        if (call_length_ >= settings_.max_call) {
            spdlog::info("call {}: the call reached its longest length", info_.call_sid);
            if (reply_) close_reply(/*cut=*/true);
            say(settings_.silence.goodbye_text, ReplyKind::goodbye, After::hang_up);
            return;
        }
        const bool callee_quiet = !(detector_.open() && detector_.accepted()) && pending_turns_.empty();
        if (!callee_quiet) return;
        if (!reply_ || reply_->kind == ReplyKind::notice) unanswered_ += length;
        if (!reply_) idle_ += length;
        if (unanswered_ >= settings_.silence.hangup_after) {
            spdlog::info("call {}: no answer for {} s: goodbye", info_.call_sid, unanswered_.count() / 1000);
            if (reply_) close_reply(/*cut=*/true);
            say(settings_.silence.goodbye_text, ReplyKind::goodbye, After::hang_up);
        } else if (idle_ >= settings_.silence.reprompt_after) {
            idle_ = milliseconds(0);
            say(settings_.silence.reprompt_text, ReplyKind::notice);
        }
    }

    // ---- speaking ----
    void greet() {
        auto& reply = open_reply(ReplyKind::greeting, settings_.barge_in.during_greeting);
        const auto id = reply.add_piece(info_.greeting, next_utterance_++);
        reply.next_to_synthesize = reply.pieces.size();  // the cache synthesises it
        reply.tts_busy = true;
        ctx_.greetings.get(voice_, info_.greeting, [post = post_, this, generation = reply.generation, id](
                                                       call::GreetingCache::Audio audio, const std::string& error) {
            post([this, generation, id, audio = std::move(audio), error] {
                if (!current(generation)) return;
                if (audio) {
                    control_.play(id, *audio);
                    reply_->find(id)->samples = audio->size();
                } else {
                    spdlog::error("call {}: the greeting cannot be synthesised: {}", info_.call_sid, error);
                }
                piece_done(id, audio ? "" : error);
            });
        });
    }

    // Fixed words of ours (a re-prompt, an apology, a goodbye).
    void say(const std::string& text, ReplyKind kind, After after = After::nothing) {
        auto& reply = open_reply(kind, after == After::nothing);
        reply.after = after;
        if (after != After::nothing) ending_ = true;
        SentenceSplitter splitter;
        for (auto& piece : splitter.push(text)) reply.add_piece(std::move(piece), next_utterance_++);
        for (auto& piece : splitter.flush()) reply.add_piece(std::move(piece), next_utterance_++);
        synthesize_next();
        finish_if_done();
    }

    // The model's answer to the history so far.
    void answer(std::optional<SteadyTime> speech_end) {
        auto& reply = open_reply(ReplyKind::answer, true);
        reply.speech_end = speech_end;
        if (speech_end) reply.latency.stt_final_ms = since(*speech_end, ctx_.time.steady_now()).count();
        ask_model();
    }

    void ask_model() {
        auto& reply = *reply_;
        ++reply.llm_attempts;
        reply.llm_running = true;
        llm::ChatRequest request{history_, tools_, info_.conversation.llm_model};
        const auto generation = reply.generation;
        reply.llm = ctx_.llm.chat(
            std::move(request),
            {[post = post_, this, generation](std::string delta) {
                 post([this, generation, delta = std::move(delta)] { on_text(generation, delta); });
             },
             [post = post_, this, generation](llm::ToolCall call) {
                 post([this, generation, call = std::move(call)] {
                     if (current(generation)) reply_->tool_calls.push_back(call);
                 });
             },
             [post = post_, this, generation](std::string error) {
                 post([this, generation, error = std::move(error)] { on_answered(generation, error); });
             }});
    }

    void on_text(std::uint64_t generation, const std::string& delta) {
        if (!current(generation)) return;
        auto& reply = *reply_;
        if (!delta.empty()) reply.model_spoke = true;
        if (reply.speech_end && !reply.latency.llm_first_token_ms && !delta.empty()) {
            observe(reply.latency.llm_first_token_ms, "llm_first_token", since(*reply.speech_end, ctx_.time.steady_now()));
        }
        for (auto& piece : reply.splitter.push(delta)) reply.add_piece(std::move(piece), next_utterance_++);
        synthesize_next();
    }

    void on_answered(std::uint64_t generation, const std::string& error) {
        if (!current(generation)) return;
        auto& reply = *reply_;
        reply.llm_running = false;
        reply.llm.reset();
        if (!error.empty()) {
            count("conversation_failures_total", "Engine failures during calls", {{"engine", "llm"}});
            // A broken answer's unfinished sentence is not said, and its tool calls are not trusted;
            // its whole sentences are already on their way to the callee.
            reply.splitter = SentenceSplitter{};
            reply.tool_calls.clear();
            const char* where = reply.model_spoke ? " part-way" : "";
            if (reply.llm_attempts < 2) {
                spdlog::warn("call {}: the LLM failed{} ({}): apologising and asking again", info_.call_sid, where, error);
                reply.add_piece(settings_.apology, next_utterance_++);
                synthesize_next();
                ask_model();
                return;
            }
            spdlog::error("call {}: the LLM failed again{} ({}): ending the call", info_.call_sid, where, error);
            reply.add_piece(settings_.failure_goodbye, next_utterance_++);
            reply.after = After::hang_up;
        }
        for (auto& piece : reply.splitter.flush()) reply.add_piece(std::move(piece), next_utterance_++);
        for (const auto& call : reply.tool_calls) act_on(call);
        if (reply.after != After::nothing) {
            ending_ = true;
            reply.interruptible = false;
        }
        synthesize_next();
        finish_if_done();
    }

    void act_on(const llm::ToolCall& call) {
        auto& reply = *reply_;
        if (call.name == kEndCall && reply.after == After::nothing) {
            reply.after = After::hang_up;
            if (!reply.model_spoke) reply.add_piece(settings_.default_goodbye, next_utterance_++);
        } else if (call.name == kTransferCall && !settings_.transfer_number.empty() && reply.after == After::nothing) {
            reply.after = After::transfer;
            reply.transfer_call_id = call.id;
        } else {
            spdlog::warn("call {}: the LLM called an unknown tool {}", info_.call_sid, call.name);
        }
    }

    // One piece at a time through the TTS, in order, so the audio plays in order.
    void synthesize_next() {
        auto& reply = *reply_;
        if (reply.tts_busy || reply.next_to_synthesize >= reply.pieces.size()) return;
        auto& piece = reply.pieces[reply.next_to_synthesize++];
        reply.tts_busy = true;
        const auto generation = reply.generation;
        const auto id = piece.id;
        reply.tts = voice_.speak(
            piece.text, {[post = post_, this, generation, id](std::vector<std::int16_t> chunk) {
                             post([this, generation, id, chunk = std::move(chunk)] { on_audio_chunk(generation, id, chunk); });
                         },
                         [post = post_, this, generation, id](std::string error) {
                             post([this, generation, id, error = std::move(error)] {
                                 if (current(generation)) piece_done(id, error);
                             });
                         }});
    }

    void on_audio_chunk(std::uint64_t generation, UtteranceId id, const std::vector<std::int16_t>& chunk) {
        if (!current(generation) || chunk.empty()) return;
        auto& reply = *reply_;
        if (reply.speech_end && !reply.latency.tts_first_audio_ms) {
            observe(reply.latency.tts_first_audio_ms, "tts_first_audio", since(*reply.speech_end, ctx_.time.steady_now()));
        }
        control_.play(id, media::encode_mulaw(chunk));
        reply.find(id)->samples += chunk.size();
    }

    void piece_done(UtteranceId id, const std::string& error) {
        auto& reply = *reply_;
        auto* piece = reply.find(id);
        reply.tts_busy = false;
        reply.tts.reset();
        if (!error.empty()) {
            spdlog::warn("call {}: speech synthesis failed: {}", info_.call_sid, error);
            count("conversation_failures_total", "Engine failures during calls", {{"engine", "tts"}});
            piece->failed = true;
            if (++tts_failures_ >= 2 && !ending_) {
                spdlog::error("call {}: the agent cannot speak: hanging up", info_.call_sid);
                reply.after = After::hang_up;
                ending_ = true;
            }
        } else {
            tts_failures_ = 0;
        }
        control_.finish(id);  // Twilio echoes the end mark once the piece has played (at once if empty)
        synthesize_next();
    }

    void finish_if_done() {
        if (!reply_ || !reply_->done()) return;
        close_reply(/*cut=*/false);
    }

    Reply& open_reply(ReplyKind kind, bool interruptible) {
        if (reply_) close_reply(/*cut=*/true);
        reply_.emplace(kind, ++generation_, ctx_.time.now());
        reply_->interruptible = interruptible;
        return *reply_;
    }

    // The reply is over: played in full, or cut (barge-in, a newer turn, the end of the call). The
    // transcript and the model's history keep what the callee heard.
    void close_reply(bool cut) {
        if (cut) {
            if (reply_->llm) reply_->llm->cancel();
            if (reply_->tts) reply_->tts->cancel();
            if (reply_->sounding() && !ended_) control_.interrupt();  // reports what was heard through on_played
        }
        auto reply = std::move(*reply_);
        reply_.reset();
        const auto heard = reply.heard_text();
        if (!heard.empty()) {
            transcript_.push_back({"agent", heard, reply.started_at, ctx_.time.now(), cut,
                                   reply.speech_end ? std::optional(reply.latency) : std::nullopt});
            llm::Message said{"assistant", heard, {}, {}};
            if (!cut && reply.after == After::transfer) said.tool_calls = reply.tool_calls;
            history_.push_back(std::move(said));
            save();
        }
        if (!cut) {
            idle_ = milliseconds(0);
            if (reply.kind != ReplyKind::notice) unanswered_ = milliseconds(0);
            carry_out(reply);
        }
    }

    void carry_out(const Reply& reply) {
        if (reply.after == After::hang_up) {
            spdlog::info("call {}: hanging up", info_.call_sid);
            ctx_.actions.complete(info_.call_sid, [post = post_, this](std::string error) {
                post([this, error = std::move(error)] {
                    if (!error.empty()) spdlog::warn("call {}: Twilio did not hang up ({}): closing the stream", info_.call_sid, error);
                    control_.hang_up("the agent ended the call");
                });
            });
        } else if (reply.after == After::transfer) {
            spdlog::info("call {}: transferring the call", info_.call_sid);
            ctx_.actions.transfer(info_.call_sid, settings_.transfer_number,
                                  [post = post_, this, id = reply.transfer_call_id](std::string error) {
                                      post([this, id, error = std::move(error)] { transferred(id, error); });
                                  });
        }
    }

    void transferred(const std::string& tool_call_id, const std::string& error) {
        if (error.empty()) return;  // Twilio ends the stream and dials
        spdlog::warn("call {}: the transfer failed: {}", info_.call_sid, error);
        ending_ = false;
        history_.push_back({"tool", "The transfer failed; the caller is still on the line.", {}, tool_call_id});
        answer(std::nullopt);
    }

    // ---- bookkeeping ----
    bool current(std::uint64_t generation) const { return !ended_ && reply_ && reply_->generation == generation; }

    void stop_engines() {
        if (reply_) {
            if (reply_->llm) reply_->llm->cancel();
            if (reply_->tts) reply_->tts->cancel();
        }
        stt_.reset();
    }

    void save() { ctx_.transcripts.save({info_.stream_sid, transcript_, engines_, ctx_.time.now()}); }

    void observe(std::optional<std::int64_t>& field, const char* stage, milliseconds value) {
        field = value.count();
        if (ctx_.metrics) {
            ctx_.metrics
                ->histogram("conversation_latency_seconds",
                            "From the end of the callee's speech to each stage of the agent's answer",
                            {{"stage", stage}}, core::MetricsRegistry::latency_buckets_seconds())
                .observe(static_cast<double>(value.count()) / 1000.0);
        }
    }

    void count(const char* name, const char* help, const core::Labels& labels = {}) {
        if (ctx_.metrics) ctx_.metrics->counter(name, help, labels).inc();
    }

    struct VoiceAt {
        SteadyTime steady{};
        core::TimePoint wall{};
    };

    call::CallInfo info_;
    call::CallControl& control_;
    ConversationContext& ctx_;
    const ConversationSettings settings_;
    call::CallControl::Post post_;
    speech::SpeechToText& recognizer_;  // the prompt's, or the deployment's
    speech::TextToSpeech& voice_;       // likewise
    speech::Vad vad_;
    TurnDetector detector_;
    std::unique_ptr<speech::SttSession> stt_;
    std::vector<std::int16_t> preroll_;
    std::deque<PendingTurn> pending_turns_;
    core::TimePoint turn_started_at_{};
    bool over_agent_ = false;  // the open segment began while the agent was talking
    VoiceAt last_voice_;

    std::vector<llm::Message> history_;
    std::vector<llm::Tool> tools_;
    std::optional<Reply> reply_;
    std::uint64_t generation_ = 0;
    UtteranceId next_utterance_ = 1;
    int tts_failures_ = 0;
    bool ending_ = false;  // a goodbye is under way: no new turns
    bool ended_ = false;

    std::string digits_;
    milliseconds last_digit_at_{0};
    milliseconds call_length_{0};
    milliseconds idle_{0};        // nobody talking and nothing to say
    milliseconds unanswered_{0};  // since the callee last spoke

    std::vector<store::TranscriptTurn> transcript_;
    store::ConversationEngines engines_;
};

}  // namespace

std::unique_ptr<call::Agent> make_conversation(const call::CallInfo& info, call::CallControl& control,
                                               ConversationContext& context) {
    return std::make_unique<Conversation>(info, control, context);
}

}  // namespace va::conversation
