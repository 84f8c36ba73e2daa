#include "conversation/conversation.hpp"

#include <algorithm>
#include <deque>
#include <optional>
#include <vector>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/multiple_exceptions.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <spdlog/spdlog.h>

#include "conversation/callee_words.hpp"
#include "conversation/reply.hpp"
#include "conversation/sentences.hpp"
#include "conversation/tools.hpp"
#include "conversation/turn_detector.hpp"
#include "engine/inbox.hpp"
#include "media/mulaw.hpp"
#include "speech/echo_gate.hpp"
#include "speech/vad.hpp"

namespace va::conversation {

namespace {

namespace asio = boost::asio;
using namespace asio::experimental::awaitable_operators;
using timing::SteadyTime;
using call::UtteranceId;

constexpr milliseconds kNever{std::chrono::hours(24)};

// Said to the model before the prompt's own words: how a phone call differs from a chat.
constexpr const char* kPhoneGuidance =
    "You are talking with someone on a phone call. Everything you write is spoken aloud by a speech "
    "synthesizer, so answer in short, plain spoken sentences: no lists, markdown or emoji. What the "
    "caller says reaches you through speech recognition and may contain mistakes. When the conversation "
    "is over, say a short goodbye and call the end_call tool.";

// A callee utterance that has ended and waits for its words from the STT.
struct PendingTurn {
    SteadyTime speech_end;
    core::TimePoint started_at;
    core::TimePoint ended_at;
    // Said over the agent and never taken as a turn: its words say whether it was a backchannel.
    bool maybe_backchannel = false;
};

milliseconds since(SteadyTime from, SteadyTime to) {
    return std::chrono::duration_cast<milliseconds>(to - from);
}

// Waits until `changed` is poked (its wait is cancelled); throws when the caller was cancelled.
asio::awaitable<void> wait(timing::Timer& changed) {
    co_await changed.async_wait(asio::as_tuple(asio::use_awaitable));
    co_await engine::stop_if_cancelled();
}

// Whether `failure` is a cancellation: operation_aborted, also as the first of several (`a && b`
// cancelled in both).
bool stopped(const std::exception_ptr& failure) {
    try {
        std::rethrow_exception(failure);
    } catch (const boost::system::system_error& e) {
        return e.code() == asio::error::operation_aborted;
    } catch (const asio::multiple_exceptions& e) {
        return stopped(e.first_exception());
    } catch (...) {
        return false;
    }
}

// Runs `task` as a child coroutine that ends when `stop` is emitted or the caller is cancelled,
// and waits for it to end. A stop is the child's normal end; its other failures are the caller's.
asio::awaitable<void> run_until_stopped(asio::awaitable<void> task, asio::cancellation_signal& stop) {
    co_await engine::stop_if_cancelled();
    auto caller = (co_await asio::this_coro::cancellation_state).slot();
    caller.assign([&stop](asio::cancellation_type type) { stop.emit(type); });
    auto [failure] = co_await asio::co_spawn(co_await asio::this_coro::executor, std::move(task),
                                             asio::bind_cancellation_slot(stop.slot(), asio::as_tuple(asio::use_awaitable)));
    // The child has ended: from now on neither signal reaches it.
    caller.clear();
    stop.slot().clear();
    co_await engine::stop_if_cancelled();
    if (failure && !stopped(failure)) std::rethrow_exception(failure);
}

class Conversation final : public call::Agent {
public:
    Conversation(const call::CallInfo& info, call::CallControl& control, ConversationContext& ctx)
        : info_(info),
          control_(control),
          ctx_(ctx),
          settings_(with_overrides(ctx.settings, info.conversation)),
          executor_(control.executor()),
          recognizer_(ctx.recognizers.get(info.conversation.stt)),
          voice_(ctx.voices.get(info.conversation.tts_voice)),
          detector_(settings_.turn),
          wake_(ctx.time, executor_),
          engines_{ctx.llm.name(info.conversation.llm_model),
                   recognizer_.name() + (info.conversation.stt_grammar.empty() ? "" : "+grammar"), voice_.name()} {
        if (!info_.system_prompt.empty()) history_.push_back({"system", info_.system_prompt, {}, {}});
        history_.push_back({"system", kPhoneGuidance, {}, {}});
        tools_ = conversation_tools(may_transfer());
        wake_.expires_at(SteadyTime::max());
    }

    void on_start() override {
        // Interim words: they say what speech over the agent is, and how long a pause ends a turn.
        stt_ = recognizer_.open(executor_, {.grammar = info_.conversation.stt_grammar,
                                            .context = expected_words(info_.system_prompt, info_.greeting),
                                            .partials = true});
        if (settings_.filler_after > milliseconds(0)) ctx_.greetings.warm(voice_, settings_.filler_text);
        if (!info_.greeting.empty()) greet();
    }

    // Listening (the recogniser's words, turn by turn) beside speaking (each reply in turn).
    asio::awaitable<void> run() override { co_await (listen() || speak()); }

    void on_audio(std::span<const std::int16_t> pcm) override {
        const milliseconds length(static_cast<long long>(pcm.size() / 8));
        keep_preroll(pcm);
        // Both see every frame: the VAD adapts its floor, the gate counts its tail.
        const bool voice = vad_.process(pcm);
        // A held reply sends nothing: once its lead has played, the line brings none of it back,
        // and a quiet second then must not be taken for the line's echo.
        const bool not_echo = echo_gate_.passes(pcm, reply_ && reply_->sounding() && !held_);
        const bool voiced = voice && not_echo;
        if (voiced) last_voice_ = {ctx_.time.steady_now(), ctx_.time.now()};
        switch (detector_.push(voiced, length)) {
            case TurnDetector::Event::onset:
                turn_started_at_ = ctx_.time.now();
                over_agent_ = reply_ && reply_->holds_floor();
                segment_words_.clear();
                if (stt_) stt_->begin_utterance(preroll());
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
                if (!stt_) break;
                if (over_agent_) {  // a backchannel, or more that its words did not show in time
                    stt_->end_utterance();
                    pending_turns_.push_back({last_voice_.steady, turn_started_at_, last_voice_.wall, true});
                } else {
                    stt_->cancel_utterance();  // noise, a cough
                }
                break;
        }
        if (detector_.open() && !detector_.accepted() && voice_so_far() >= accept_threshold()) take_turn();
        review_hold();
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
        reply_->changed.cancel();  // its coroutine waits for the marks
        if (!piece->filler && !reply_->audible && (heard.count() > 0 || (finished && piece->samples > 0))) {
            reply_->audible = true;
            if (reply_->speech_end) {
                // The mark arrives when `heard` of the piece has played: sound began that long ago.
                const auto began = ctx_.time.steady_now() - heard;
                observe(reply_->latency.voice_to_voice_ms, "voice_to_voice", since(*reply_->speech_end, began));
            }
        }
    }

    void on_shutdown() override {
        if (ended_ || ending_) return;  // a goodbye is under way already
        spdlog::info("call {}: the server is shutting down: goodbye", info_.call_sid);
        if (reply_) close_reply(/*cut=*/true);
        say(settings_.shutdown_goodbye, ReplyKind::goodbye, After::hang_up);
    }

    void on_end() override {
        ended_ = true;
        if (reply_) close_reply(/*cut=*/true);
        stt_.reset();
        save();
    }

private:
    // ---- listening ----
    std::size_t preroll_samples() const { return static_cast<std::size_t>(settings_.turn.preroll.count()) * 8; }
    // Trimmed back to what is kept only once it holds twice that: moving the kept audio on
    // every frame cost half as much as the VAD's filters.
    void keep_preroll(std::span<const std::int16_t> pcm) {
        const std::size_t keep = preroll_samples();
        if (preroll_.size() + pcm.size() > 2 * keep) {
            preroll_.erase(preroll_.begin(), preroll_.end() - static_cast<std::ptrdiff_t>(std::min(keep, preroll_.size())));
        }
        preroll_.insert(preroll_.end(), pcm.begin(), pcm.end());
    }
    std::span<const std::int16_t> preroll() const {
        return std::span<const std::int16_t>(preroll_).last(std::min(preroll_samples(), preroll_.size()));
    }

    // Whether the callee may take the floor now: never over words that may not be interrupted.
    bool may_take_floor() const {
        if (ending_) return false;
        if (reply_ && reply_->holds_floor()) return settings_.barge_in.enabled && reply_->interruptible;
        return over_agent_ || !reply_ || reply_->interruptible;
    }
    // What the callee's words over the agent say, with as many words as this recogniser needs.
    OverAgent heard_over_agent(const std::string& words) const {
        const auto min_words = settings_.barge_in.min_words;
        return conversation::over_agent(words, min_words > 0 ? min_words : recognizer_.words_to_take_floor());
    }
    // Speech that began while the agent held the floor, or that the agent now talks over.
    bool over_agent() const { return over_agent_ || (reply_ && reply_->holds_floor()); }

    // The open segment's voice that counts towards a turn: over the agent, only its latest run of
    // speech (line noise and the agent's echo leave scattered blips in a long segment).
    milliseconds voice_so_far() const { return over_agent() ? detector_.voice_run() : detector_.voiced(); }

    // How much voice makes the open segment a turn of the callee's. Over the agent, the words
    // decide (on_partial): a backchannel never stops it, whatever its length; only while they
    // have said nothing, or too few words to tell, does length alone (barge_in.min_speech).
    milliseconds accept_threshold() const {
        if (!may_take_floor()) return kNever;
        if (!over_agent()) return settings_.turn.min_speech;
        return heard_over_agent(segment_words_) == OverAgent::unknown ? settings_.barge_in.min_speech : kNever;
    }

    void take_turn() {
        detector_.accept();
        idle_ = unanswered_ = milliseconds(0);
        if (reply_) barge_in();  // a reply still being thought of is for a turn the callee has not finished
    }

    // The reply is cut because the callee takes the floor.
    void barge_in() {
        if (reply_->holds_floor()) {
            spdlog::info("call {}: the callee talks over the agent: barge-in", info_.call_sid);
            count("conversation_barge_ins_total", "Agent replies cut off by the callee");
        }
        close_reply(/*cut=*/true);
    }

    // Speech over the agent that may be an interruption holds the agent's audio back once
    // hold_after of the last 400 ms was voice (the callee hears it stop within the playout's
    // lead) while its words decide: more than a backchannel cuts the reply (take_turn); a
    // backchannel or an aside (too few words to take the floor) once the callee is quiet again, or
    // speech that came to no words, releases it where it stopped. So the agent stops within a few
    // hundred milliseconds although words take longer than that to come.
    void review_hold() {
        if (held_) {
            if (!deciding()) set_hold(false);
        } else if (settings_.barge_in.hold_after > milliseconds(0) && detector_.open() && !detector_.accepted() &&
                   reply_ && reply_->holds_floor() && may_take_floor() &&
                   detector_.recent_voice() >= settings_.barge_in.hold_after) {
            set_hold(true);
        }
    }
    // Whether the callee's speech over the agent may yet turn out to interrupt it.
    bool deciding() const {
        if (!reply_) return false;
        if (detector_.open()) {
            // Quiet after words that do not take the floor (a backchannel, or an aside too short
            // to): the agent goes on; should the final words say more, they still cut it.
            const bool quiet = detector_.now() - detector_.last_voice_end() >= TurnDetector::kRunGap;
            return !(quiet && !segment_words_.empty() && heard_over_agent(segment_words_) != OverAgent::more);
        }
        return std::any_of(pending_turns_.begin(), pending_turns_.end(), [](const PendingTurn& t) { return t.maybe_backchannel; });
    }
    void set_hold(bool on) {
        held_ = on;
        control_.hold(on);
        if (on) count("conversation_holds_total", "Agent replies held back while the callee's words over them decide");
    }

    // The recogniser's words, in order: interim words of the open utterance, and each
    // utterance's final words.
    asio::awaitable<void> listen() {
        for (;;) {
            on_words(co_await stt_->next());
            review_hold();
        }
    }

    // Interim words of the open segment (those of an utterance that has ended wait for its final).
    void on_partial(const std::string& text) {
        if (!pending_turns_.empty() || !detector_.open()) return;
        segment_words_ = text;
        detector_.set_end_silence(end_of_turn(text, settings_.turn.end_silence));
        if (over_agent() && !detector_.accepted() && may_take_floor() &&
            heard_over_agent(text) == OverAgent::more) {
            take_turn();  // more than a backchannel: as soon as that is known
        }
    }

    void on_words(const engine::Result<speech::Heard>& words) {
        if (words && !words->final) return on_partial(words->text);
        if (pending_turns_.empty()) return;
        const auto turn = pending_turns_.front();
        pending_turns_.pop_front();
        if (ending_) return;
        if (!words) {
            spdlog::warn("call {}: speech recognition failed ({})", info_.call_sid, words.error().message());
            count("conversation_failures_total", "Engine failures during calls", {{"engine", "stt"}});
            if (!reply_ && !turn.maybe_backchannel) say(settings_.not_heard, ReplyKind::notice);
            return;
        }
        const auto& text = words->text;
        if (text.empty()) {
            spdlog::debug("call {}: a turn without recognisable words", info_.call_sid);
            return;
        }
        if (turn.maybe_backchannel) {
            if (heard_over_agent(text) != OverAgent::more) {
                // Kept in the transcript, never a turn: the model does not answer "uh-huh".
                transcript_.push_back({"callee", text, turn.started_at, turn.ended_at, false, std::nullopt, true});
                save();
                return;
            }
            // More than a backchannel, which its interim words did not show in time: a turn,
            // unless it was said over words that may not be interrupted.
            if (reply_ && reply_->holds_floor()) {
                if (!may_take_floor()) return;
                barge_in();
            }
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
            if (reply_ && reply_->kind == ReplyKind::notice) return;  // the goodbye follows it, never cuts it
            spdlog::info("call {}: no answer for {} s: goodbye", info_.call_sid, unanswered_.count() / 1000);
            if (reply_) close_reply(/*cut=*/true);
            say(settings_.silence.goodbye_text, ReplyKind::goodbye, After::hang_up);
        } else if (idle_ >= settings_.silence.reprompt_after) {
            idle_ = milliseconds(0);
            // Not when the goodbye is due before the callee had as long to answer it as the
            // first time: "Are you still there?" straight into "Goodbye".
            if (unanswered_ + settings_.silence.reprompt_after <= settings_.silence.hangup_after) {
                say(settings_.silence.reprompt_text, ReplyKind::notice);
            }
        }
    }

    // ---- speaking ----
    // Each reply in turn, said by its own coroutine until it is done or cut.
    asio::awaitable<void> speak() {
        for (;;) {
            while (!reply_ || reply_->started) co_await wait(wake_);
            auto reply = reply_;
            reply->started = true;
            co_await run_until_stopped(deliver(reply), reply->stop);
        }
    }

    // Says one reply: its words as they come (the model's answer streams while the first
    // sentences are synthesised), then waits until the callee has heard them, closes it and
    // does what it asked for (hang up, transfer).
    asio::awaitable<void> deliver(std::shared_ptr<Reply> reply) {
        if (reply->cached) {
            co_await say_cached(*reply);
        } else if (reply->thinking) {
            co_await (think(*reply) && synthesize(*reply) && cover_slow_model(*reply));
            co_await engine::stop_if_cancelled();  // (they ended before a cut reached them)
        } else {
            co_await synthesize(*reply);
        }
        while (!reply->done()) co_await wait(reply->changed);
        close_reply(/*cut=*/false);
        co_await carry_out(*reply);
    }

    void greet() {
        auto& reply = open_reply(ReplyKind::greeting, settings_.barge_in.during_greeting);
        add_cached(reply, info_.greeting);
    }

    void add_cached(Reply& reply, std::string text) {
        reply.add_piece(std::move(text), next_utterance_++);
        reply.next_to_synthesize = reply.pieces.size();  // the cache synthesises it
        reply.cached = true;
    }

    void play_cached(UtteranceId id, const std::shared_ptr<const std::vector<std::uint8_t>>& mulaw) {
        echo_gate_.agent_audio(std::span<const std::uint8_t>(*mulaw));  // shared: not decoded into a copy
        control_.play(id, mulaw);
    }

    asio::awaitable<void> say_cached(Reply& reply) {
        const auto id = reply.pieces.front().id;
        auto text = reply.pieces.front().text;
        auto audio = co_await ctx_.greetings.fetch(voice_, std::move(text));
        if (audio) {
            play_cached(id, *audio);
            reply.find(id)->samples = (*audio)->size();
        }
        piece_done(reply, id, audio ? engine::Result<void>{} : engine::Result<void>(audio.error()));
    }

    // A slow model is covered: when its first words take longer than filler_after, a short
    // acknowledgement plays through the greeting cache, once per answer. The answer's first
    // audio cuts it (on_audio_chunk); one the answer overtook is not played at all.
    asio::awaitable<void> cover_slow_model(Reply& reply) {
        // (The model may have answered already: then nothing waits for the deadline.)
        if (settings_.filler_after <= milliseconds(0) || !reply.thinking || reply.model_spoke) co_return;
        reply.first_words.expires_after(settings_.filler_after);
        co_await wait(reply.first_words);  // early when the model writes or gives up
        if (!reply.thinking || reply.model_spoke || !reply.pieces.empty()) co_return;
        const auto id = next_utterance_++;
        reply.add_piece(settings_.filler_text, id);
        reply.pieces.back().filler = true;
        ++reply.next_to_synthesize;  // the cache synthesises it
        auto text = settings_.filler_text;
        auto audio = co_await ctx_.greetings.fetch(voice_, std::move(text));
        auto* filler = reply.find(id);
        const bool overtaken = std::any_of(reply.pieces.begin(), reply.pieces.end(),
                                           [](const Piece& p) { return !p.filler && p.samples > 0; });
        if (!audio || overtaken) {
            filler->cut = true;
            reply.changed.cancel();
            co_return;
        }
        play_cached(id, *audio);
        filler->samples = (*audio)->size();
        control_.finish(id);
    }

    // Fixed words of ours (a re-prompt, an apology, a goodbye), through the greeting cache.
    void say(const std::string& text, ReplyKind kind, After after = After::nothing) {
        auto& reply = open_reply(kind, after == After::nothing);
        reply.after = after;
        if (after != After::nothing) ending_ = true;
        add_cached(reply, text);
    }

    // The model's answer to the history so far.
    void answer(std::optional<SteadyTime> speech_end) {
        auto& reply = open_reply(ReplyKind::answer, true);
        reply.thinking = true;
        reply.speech_end = speech_end;
        if (speech_end) reply.latency.stt_final_ms = since(*speech_end, ctx_.time.steady_now()).count();
    }

    // Asks the model, cutting its answer into pieces as it streams. A failure before or during
    // the answer: an apology and a second try, then a goodbye.
    asio::awaitable<void> think(Reply& reply) {
        for (int attempt = 1;; ++attempt) {
            if (llm_requests_ >= settings_.max_llm_requests) {
                spdlog::warn("call {}: {} LLM requests, the most a call may make: ending the call", info_.call_sid,
                             llm_requests_);
                count("conversation_limits_total", "Calls ended by a per-call limit", {{"limit", "llm_requests"}});
                add(reply, settings_.limit_goodbye);
                reply.after = After::hang_up;
                break;
            }
            ++llm_requests_;
            // (Named arguments: GCC 12 destroys a braced temporary inside a co_await expression twice.)
            llm::ChatRequest request{history_, tools_, info_.conversation.llm_model};
            llm::ChatSink sink{[this, &reply](std::string delta) { on_text(reply, delta); },
                               [&reply](llm::ToolCall call) { reply.tool_calls.push_back(std::move(call)); }};
            auto answered = co_await ctx_.llm.answer(std::move(request), std::move(sink));
            if (answered) break;
            count("conversation_failures_total", "Engine failures during calls", {{"engine", "llm"}});
            // A broken answer's unfinished sentence is not said, and its tool calls are not trusted;
            // its whole sentences are already on their way to the callee.
            reply.splitter = SentenceSplitter{};
            reply.tool_calls.clear();
            const char* where = reply.model_spoke ? " part-way" : "";
            if (attempt < 2) {
                spdlog::warn("call {}: the LLM failed{} ({}): apologising and asking again", info_.call_sid, where,
                             answered.error().message());
                add(reply, settings_.apology);
                continue;
            }
            spdlog::error("call {}: the LLM failed again{} ({}): ending the call", info_.call_sid, where,
                          answered.error().message());
            add(reply, settings_.failure_goodbye);
            reply.after = After::hang_up;
            break;
        }
        for (auto& piece : reply.splitter.flush()) add(reply, std::move(piece));
        for (const auto& call : reply.tool_calls) act_on(reply, call);
        if (reply.after != After::nothing) {
            ending_ = true;
            reply.interruptible = false;
        }
        reply.thinking = false;
        reply.changed.cancel();
        reply.first_words.cancel();
    }

    void on_text(Reply& reply, const std::string& delta) {
        if (!delta.empty() && !reply.model_spoke) {
            reply.model_spoke = true;
            reply.first_words.cancel();
        }
        if (reply.speech_end && !reply.latency.llm_first_token_ms && !delta.empty()) {
            observe(reply.latency.llm_first_token_ms, "llm_first_token", since(*reply.speech_end, ctx_.time.steady_now()));
        }
        for (auto& piece : reply.splitter.push(delta)) add(reply, std::move(piece));
    }

    void act_on(Reply& reply, const llm::ToolCall& call) {
        if (call.name == kEndCall && reply.after == After::nothing) {
            reply.after = After::hang_up;
            if (!reply.model_spoke) add(reply, settings_.default_goodbye);
        } else if (call.name == kTransferCall && may_transfer() && reply.after == After::nothing) {
            reply.after = After::transfer;
            reply.transfer_call_id = call.id;
        } else {
            spdlog::warn("call {}: the LLM called {}, a tool it was not offered", info_.call_sid, call.name);
        }
    }

    void add(Reply& reply, std::string text) {
        reply.add_piece(std::move(text), next_utterance_++);
        reply.changed.cancel();
    }

    // One piece at a time through the TTS, in order, so the audio plays in order; until the
    // model has finished writing.
    asio::awaitable<void> synthesize(Reply& reply) {
        for (;;) {
            if (reply.next_to_synthesize < reply.pieces.size()) {
                const auto& piece = reply.pieces[reply.next_to_synthesize++];
                const auto id = piece.id;
                speech::AudioSink on_audio = [this, &reply, id](std::vector<std::int16_t> chunk) {
                    on_audio_chunk(reply, id, chunk);
                };
                auto text = piece.text;
                auto spoken = co_await voice_.synthesize(std::move(text), std::move(on_audio));
                piece_done(reply, id, spoken);
            } else if (reply.thinking) {
                co_await wait(reply.changed);
            } else {
                co_return;
            }
        }
    }

    void on_audio_chunk(Reply& reply, UtteranceId id, const std::vector<std::int16_t>& chunk) {
        if (chunk.empty()) return;
        for (auto& piece : reply.pieces) {
            if (piece.filler && piece.samples > 0 && !piece.played && !piece.cut) {
                piece.cut = true;  // the answer is here: its acknowledgement stops (a clear)
                if (!ended_) control_.interrupt();
            }
        }
        if (reply.speech_end && !reply.latency.tts_first_audio_ms) {
            observe(reply.latency.tts_first_audio_ms, "tts_first_audio", since(*reply.speech_end, ctx_.time.steady_now()));
        }
        echo_gate_.agent_audio(chunk);
        control_.play(id, media::encode_mulaw(chunk));
        reply.find(id)->samples += chunk.size();
    }

    void piece_done(Reply& reply, UtteranceId id, const engine::Result<void>& spoken) {
        if (!spoken) {
            spdlog::warn("call {}: speech synthesis failed ({})", info_.call_sid, spoken.error().message());
            count("conversation_failures_total", "Engine failures during calls", {{"engine", "tts"}});
            reply.find(id)->failed = true;
            if (++tts_failures_ >= 2 && !ending_) {
                spdlog::error("call {}: the agent cannot speak: hanging up", info_.call_sid);
                reply.after = After::hang_up;
                ending_ = true;
            }
        } else {
            tts_failures_ = 0;
        }
        control_.finish(id);  // Twilio echoes the end mark once the piece has played (at once if empty)
    }

    Reply& open_reply(ReplyKind kind, bool interruptible) {
        if (reply_) close_reply(/*cut=*/true);
        reply_ = std::make_shared<Reply>(kind, ctx_.time.now(), ctx_.time, executor_);
        reply_->interruptible = interruptible;
        wake_.cancel();
        return *reply_;
    }

    // The reply is over: played in full, or cut (barge-in, a newer turn, the end of the call). A
    // cut stops its coroutine, and with it the model's answer and the synthesis. The transcript
    // and the model's history keep what the callee heard.
    void close_reply(bool cut) {
        if (cut) {
            reply_->stop.emit(asio::cancellation_type::terminal);
            if (reply_->sounding() && !ended_) control_.interrupt();  // reports what was heard through on_played
        }
        if (held_ && !ended_) set_hold(false);  // the next reply is heard
        auto reply = std::move(reply_);
        const auto heard = reply->heard_text();
        if (!heard.empty()) {
            transcript_.push_back({"agent", heard, reply->started_at, ctx_.time.now(), cut,
                                   reply->speech_end ? std::optional(reply->latency) : std::nullopt});
            llm::Message said{"assistant", heard, {}, {}};
            if (!cut && reply->after == After::transfer) said.tool_calls = reply->tool_calls;
            history_.push_back(std::move(said));
            save();
        }
        if (!cut) {
            idle_ = milliseconds(0);
            if (reply->kind != ReplyKind::notice) unanswered_ = milliseconds(0);
        }
    }

    asio::awaitable<void> carry_out(const Reply& reply) {
        if (reply.after == After::hang_up) {
            spdlog::info("call {}: hanging up", info_.call_sid);
            const auto completed = co_await ctx_.actions.complete(info_.call_sid);
            if (!completed) spdlog::warn("call {}: Twilio did not hang up: closing the stream", info_.call_sid);
            control_.hang_up("the agent ended the call");
        } else if (reply.after == After::transfer) {
            spdlog::info("call {}: transferring the call", info_.call_sid);
            ++transfer_attempts_;
            const auto transferred = co_await ctx_.actions.transfer(info_.call_sid, settings_.transfer_number);
            if (transferred) co_return;  // Twilio ends the stream and dials
            ending_ = false;
            std::string outcome = "The transfer failed; the caller is still on the line.";
            if (!may_transfer()) {
                tools_ = conversation_tools(false);  // each try is a request to Twilio and to the model
                outcome += " Transferring is not possible on this call any more.";
            }
            history_.push_back({"tool", std::move(outcome), {}, reply.transfer_call_id});
            answer(std::nullopt);
        }
    }

    // ---- bookkeeping ----

    bool may_transfer() const {
        return !settings_.transfer_number.empty() && transfer_attempts_ < settings_.max_transfer_attempts;
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
    asio::any_io_executor executor_;
    speech::SpeechToText& recognizer_;  // the prompt's, or the deployment's
    speech::TextToSpeech& voice_;       // likewise
    speech::Vad vad_;
    speech::EchoGate echo_gate_;  // the agent's own voice coming back is not the callee
    TurnDetector detector_;
    std::unique_ptr<speech::SttSession> stt_;  // from on_start() to on_end()
    std::vector<std::int16_t> preroll_;
    std::deque<PendingTurn> pending_turns_;
    core::TimePoint turn_started_at_{};
    bool over_agent_ = false;  // the open segment began while the agent was talking
    bool held_ = false;        // the agent's audio is held back while the callee's words decide
    std::string segment_words_;  // the open segment's interim words
    VoiceAt last_voice_;

    std::vector<llm::Message> history_;
    std::vector<llm::Tool> tools_;
    std::shared_ptr<Reply> reply_;  // the one being said, or the next to say
    timing::Timer wake_;            // poked when a reply is opened
    UtteranceId next_utterance_ = 1;
    int tts_failures_ = 0;
    int llm_requests_ = 0;
    int transfer_attempts_ = 0;
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
