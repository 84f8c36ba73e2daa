#include "call/session.hpp"

#include <deque>
#include <optional>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/deferred.hpp>
#include <boost/asio/experimental/parallel_group.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <spdlog/spdlog.h>

#include "call/greeting_agent.hpp"
#include "call/recipient_prompt.hpp"
#include "media/mulaw.hpp"
#include "telephony/twilio/base64.hpp"
#include "telephony/twilio/media_frame.hpp"
#include "net/offload.hpp"
#include "timing/time_source.hpp"

namespace va::call {

namespace {

namespace asio = boost::asio;
using timing::SteadyTime;
constexpr auto use_tuple = asio::as_tuple(asio::use_awaitable);

// A timer set to this waits until it is cancelled: how the writer and the pump are woken.
constexpr SteadyTime kNever = SteadyTime::max();

// The group is ending: its members are being cancelled. (Read the state directly: co_awaiting a
// nested coroutine in a cancelled one throws.)
bool cancelled(const asio::cancellation_state& state) { return state.cancelled() != asio::cancellation_type::none; }

std::string custom(const twilio::Start& start, std::string_view name) {
    for (const auto& [k, v] : start.custom_parameters) {
        if (k == name) return v;
    }
    return {};
}

// What the store says about a stream that presented a valid token.
struct Admission {
    std::string refused;  // why the stream may not go on; "" when it may
    CallInfo info;
};

class Session final : public CallControl {
public:
    Session(CallContext& ctx, std::unique_ptr<net::WebSocket> socket)
        : ctx_(ctx),
          socket_(std::move(socket)),
          executor_(socket_->get_executor()),
          wake_writer_(ctx.time, executor_),
          pump_timer_(ctx.time, executor_),
          watchdog_timer_(ctx.time, executor_),
          agent_started_(ctx.time, executor_),
          playout_(ctx.options.playout),
          opened_(ctx.time.steady_now()) {
        wake_writer_.expires_at(kNever);
        pump_timer_.expires_at(kNever);
        agent_started_.expires_at(kNever);
    }

    // The call is one task group: reader, writer, watchdog, playout pump and the agent. The first
    // to end ends the call, also by failing (the store at admission, the agent's work: this call
    // only); the others are cancelled and awaited; then the end is recorded, once. One group of
    // five, not nested `a || b` groups: those cost a group and two spawns per operator, and wait
    // for a member that succeeds.
    asio::awaitable<void> run() {
        // Told of a shutdown on this executor, and only while this session exists (the check and
        // the session's end both run on its thread).
        const auto registration = ctx_.live->add(
            [alive = std::weak_ptr<bool>(alive_), executor = executor_, this](SteadyTime deadline) {
                asio::post(executor, [alive, this, deadline] {
                    if (alive.lock()) shut_down(deadline);
                });
            });
        auto [order, reader, writer, watcher, pump, agent] =
            co_await asio::experimental::make_parallel_group(asio::co_spawn(executor_, read_loop(), asio::deferred),
                                                             asio::co_spawn(executor_, write_loop(), asio::deferred),
                                                             asio::co_spawn(executor_, watchdog(), asio::deferred),
                                                             asio::co_spawn(executor_, pump_loop(), asio::deferred),
                                                             asio::co_spawn(executor_, agent_loop(), asio::deferred))
                .async_wait(asio::experimental::wait_for_one(), asio::deferred);
        const std::exception_ptr failures[] = {reader, writer, watcher, pump, agent};
        if (const auto& failure = failures[order[0]]) log_failure(failure);
        co_await end();
        ctx_.live->remove(registration);
    }

private:
    void log_failure(const std::exception_ptr& failure) {
        try {
            std::rethrow_exception(failure);
        } catch (const std::exception& e) {
            spdlog::error("call {}: stream failed: {}", call_sid_.empty() ? "(not started)" : call_sid_, e.what());
        }
        end_reason_ = "error";
    }

    // Twilio's messages, until `stop`, a refused start, or the socket closes.
    asio::awaitable<void> read_loop() {
        while (co_await socket_->read_into(inbound_)) {
            if (closing_) continue;  // the writer is finishing; a closing call takes nothing more
            if (!inbound_.text) {
                bad("binary frame");
                continue;
            }
            // The hot path: a well-formed media frame of this stream, its payload decoded from
            // base64 and μ-law in one pass, with no JSON DOM and no allocation once pcm_ has
            // grown; and the echo of a mark of ours.
            if (started_ && (hear_fast(inbound_.data) || mark_fast(inbound_.data))) continue;
            auto parsed = twilio::parse_inbound(inbound_.data);
            if (auto* error = std::get_if<twilio::MessageError>(&parsed)) {
                bad(error->message);
                continue;
            }
            auto& inbound = std::get<twilio::ParsedInbound>(parsed);
            if (!std::holds_alternative<twilio::Connected>(inbound.message) && stream_sid_ &&
                inbound.stream_sid != *stream_sid_) {
                bad("a message for another stream");
                continue;
            }
            if (auto* start = std::get_if<twilio::Start>(&inbound.message)) {
                if (started_ || admitting_) {
                    bad("a second start");
                    continue;
                }
                if (!co_await admit(*start)) break;
            } else if (auto* media = std::get_if<twilio::Media>(&inbound.message)) {
                on_media(*media);
            } else if (auto* dtmf = std::get_if<twilio::Dtmf>(&inbound.message)) {
                if (!started_) {
                    bad("dtmf before start");
                } else if (dtmf->digit.size() == 1) {
                    agent_->on_dtmf(dtmf->digit[0]);
                } else {
                    bad("a dtmf digit that is not one character");
                }
            } else if (auto* mark = std::get_if<twilio::Mark>(&inbound.message)) {
                if (!started_) {
                    bad("mark before start");
                } else {
                    on_mark(mark->name);
                }
            } else if (std::holds_alternative<twilio::Stop>(inbound.message)) {
                if (!started_) {
                    bad("stop before start");
                    continue;
                }
                end_reason_ = "stop";
                break;
            }
        }
    }

public:
    // ---- CallControl ----
    void play(UtteranceId id, std::span<const std::uint8_t> mulaw) override {
        if (ended_) return;
        playout_.queue(id, mulaw);
        pump_now();
    }
    void play(UtteranceId id, std::shared_ptr<const std::vector<std::uint8_t>> mulaw) override {
        if (ended_) return;
        playout_.queue(id, std::move(mulaw));
        pump_now();
    }
    void finish(UtteranceId id) override {
        if (ended_) return;
        playout_.finish(id);
        pump_now();
    }
    void interrupt() override {
        if (ended_) return;
        // Only when Twilio holds audio of ours: a clear that has nothing to drop is noise on the
        // stream (an agent cutting a reply whose last mark is already back).
        const bool unheard = playout_.unheard();
        auto cut = playout_.interrupt(ctx_.time.steady_now());
        if (unheard) send(twilio::Clear{});
        pump_now();
        for (const auto& played : cut) agent_->on_played(played.id, played.heard, false);
    }
    void hold(bool on) override {
        if (ended_) return;
        playout_.hold(on);
        pump_now();
    }
    void hang_up(std::string reason) override { close(std::move(reason)); }
    asio::any_io_executor executor() override { return executor_; }

private:
    // ---- start: the token, then the store ----
    asio::awaitable<bool> admit(const twilio::Start& start) {
        admitting_ = true;
        start_received_ = ctx_.time.steady_now();
        const auto now = ctx_.time.now();
        if (!start.stream_sid.starts_with("MZ") || !start.call_sid.starts_with("CA")) {
            refuse("no streamSid or callSid");  // the call log could not hold the stream
            co_return false;
        }
        auto grant = ctx_.tokens.verify(custom(start, "Token"), now);
        if (!grant) {
            refuse("a missing, forged or expired stream token");
            co_return false;
        }
        if (custom(start, "ScheduledCallId") != grant->scheduled_call_id) {
            refuse("ScheduledCallId differs from the token's");
            co_return false;
        }
        // A token is good for the one call whose signed webhook it answered, on our account.
        if (start.call_sid != grant->call_sid) {
            refuse("the token was issued for another call");
            co_return false;
        }
        if (start.account_sid != ctx_.options.account_sid) {
            refuse("the stream belongs to another account");
            co_return false;
        }
        std::optional<Admission> admission;
        std::string store_failure;
        try {
            admission = co_await net::offload(ctx_.store_pool, [&] { return check_in(*grant, start, now); });
        } catch (const std::exception& e) {
            store_failure = e.what();
        }
        if (!admission) {
            // The store failed (a MongoDB outage, past --store-timeout-ms): the callee is told, not
            // left in silence, and the call ends.
            spdlog::warn("call {}: stream not admitted: the store failed: {}", start.call_sid, store_failure);
            admission.emplace();
            admission->info.call_sid = start.call_sid;
            admission->info.stream_sid = start.stream_sid;
            begin(start, "store_unavailable");
            agent_ = make_farewell_agent(admission->info, std::string(kStoreDownLine), *this, ctx_.greetings, ctx_.voices);
            agent_->on_start();
            agent_started_.cancel();
            co_return true;
        }
        if (!admission->refused.empty()) {
            refuse(admission->refused);
            co_return false;
        }
        begin(start, "started");
        spdlog::info("call {}: stream {} started ({})", call_sid_, start.stream_sid,
                     grant->scheduled_call_id.empty() ? "inbound" : "scheduled call " + grant->scheduled_call_id);
        agent_ = ctx_.make_agent(admission->info, *this);
        agent_->on_start();
        agent_started_.cancel();
        co_return true;
    }

    void begin(const twilio::Start& start, const char* result) {
        stream_sid_ = start.stream_sid;
        call_sid_ = start.call_sid;
        started_ = true;
        last_media_ = ctx_.time.steady_now();
        started_at_ = last_media_;
        watchdog_timer_.cancel();  // the start timeout is over: idle and length limits from now
        ctx_.metrics.counter("media_streams_total", "Media Streams by how they began", {{"result", result}}).inc();
    }

    // On the store's pool: attaches the stream to the call's log (once) and reads the prompt.
    Admission check_in(const StreamGrant& grant, const twilio::Start& start, core::TimePoint now) {
        Admission out;
        store::StreamStart record{grant.attempt_id, grant.call_log_id, grant.scheduled_call_id, "",
                                  ctx_.options.from_number, start.call_sid, start.stream_sid, now};
        if (!grant.scheduled_call_id.empty()) {
            auto call = ctx_.store.scheduled_calls().get(grant.scheduled_call_id);
            if (!call) {
                out.refused = "the scheduled call no longer exists";
                return out;
            }
            if (call->status == store::CallStatus::canceled) {
                out.refused = "the scheduled call was canceled";
                return out;
            }
            const auto* recipient = recipient_of(*call, grant.attempt_id);
            if (recipient) record.to = recipient->phone_number;
            auto prompt = prompt_for(*call, recipient);
            out.info.system_prompt = std::move(prompt.system_prompt);
            out.info.greeting = std::move(prompt.greeting);
            out.info.conversation = call->conversation;
        } else if (ctx_.options.inbound) {
            out.info.system_prompt = ctx_.options.inbound->content;
            out.info.greeting = ctx_.options.inbound->introduction;
            out.info.conversation = ctx_.options.inbound->conversation;
        } else {
            out.refused = "inbound calls are not configured";
            return out;
        }
        record.content = out.info.system_prompt;
        record.introduction = out.info.greeting;
        if (!ctx_.store.call_logs().record_stream_start(record)) {
            out.refused = "the stream token was already used";
            return out;
        }
        out.info.scheduled_call_id = grant.scheduled_call_id;
        out.info.attempt_id = grant.attempt_id;
        out.info.call_sid = start.call_sid;
        out.info.stream_sid = start.stream_sid;
        out.info.outbound = !grant.scheduled_call_id.empty();
        return out;
    }

    // The start's sids are not logged: until it is admitted they are whatever the peer wrote.
    void refuse(const std::string& why) {
        spdlog::warn("a stream was refused at its start: {}", why);
        ctx_.metrics.counter("media_streams_total", "Media Streams by how they began", {{"result", "refused"}}).inc();
        end_reason_ = "refused";
        close("stream refused");
    }

    // ---- inbound audio ----
    void on_media(const twilio::Media& media) {
        if (!started_) {
            bad("media before start");
            return;
        }
        pcm_.resize(media.payload.size());
        media::decode_mulaw(media.payload, pcm_);
        hear();
    }

    // False when the frame is not one media_payload() is sure of: parse_inbound() then judges it.
    bool hear_fast(std::string_view frame) {
        auto payload = twilio::media_payload(frame, *stream_sid_);
        if (!payload) return false;
        pcm_.resize(payload->size() / 4 * 3);  // within its capacity after the first frames
        std::size_t samples = 0;
        if (!twilio::base64_decode_into(*payload, [&](std::uint8_t code) { pcm_[samples++] = media::mulaw_decode(code); })) {
            return false;
        }
        pcm_.resize(samples);  // less the padding
        hear();
        return true;
    }

    bool mark_fast(std::string_view frame) {
        auto name = twilio::mark_name(frame, *stream_sid_);
        if (name) on_mark(*name);
        return name.has_value();
    }

    void on_mark(std::string_view name) {
        if (auto played = playout_.on_mark(name)) agent_->on_played(played->id, played->heard, played->finished);
    }

    void hear() {
        last_media_ = ctx_.time.steady_now();
        agent_->on_audio(pcm_);
    }

    void bad(std::string_view what) {
        ctx_.metrics.counter("media_stream_bad_messages_total", "Media Streams messages ignored as malformed or out of place").inc();
        if (++bad_messages_ <= ctx_.options.limits.logged_bad_messages) {
            spdlog::warn("call {}: stream message ignored: {}", call_sid_.empty() ? "(not started)" : call_sid_, what);
        }
    }

    // ---- outbound: playout pacing and the single writer ----
    // Sends what the playout allows now (at once, not a wake-up later: first audio is latency),
    // and sets when to look again.
    void pump_now() {
        auto step = playout_.pump(ctx_.time.steady_now());
        for (auto& message : step.messages) send(message);
        pump_timer_.expires_at(step.next.value_or(kNever));  // a wait for the old time ends at once
    }

    // Pumps when the time set by pump_now() comes; a wait ended by a new time just waits again.
    asio::awaitable<void> pump_loop() {
        for (;;) {
            auto [ec] = co_await pump_timer_.async_wait(use_tuple);
            if (cancelled(co_await asio::this_coro::cancellation_state)) co_return;
            if (!ec) pump_now();
        }
    }

    void send(const twilio::OutboundMessage& message) {
        if (closing_ || !stream_sid_) return;
        if (out_.size() >= ctx_.options.limits.max_queued_messages) {
            spdlog::warn("call {}: Twilio is not reading the stream ({} messages queued): closing", call_sid_, out_.size());
            end_reason_ = "slow reader";
            socket_->abort();
            closing_ = true;
            return;
        }
        if (!first_audio_sent_ && std::holds_alternative<twilio::OutboundMedia>(message)) {
            first_audio_sent_ = true;
            const std::chrono::duration<double> since_start = ctx_.time.steady_now() - start_received_;
            ctx_.metrics
                .histogram("media_stream_first_audio_seconds", "From the stream's start to the first audio sent", {},
                           core::MetricsRegistry::latency_buckets_seconds())
                .observe(since_start.count());
        }
        out_.push_back(twilio::to_json(message, *stream_sid_));
        wake_writer_.cancel();
    }

    void close(std::string reason) {
        if (closing_) return;
        closing_ = true;
        close_reason_ = std::move(reason);
        wake_writer_.cancel();
    }

    // The only writer to the socket: drains the queue, and ends the call once it is closing.
    asio::awaitable<void> write_loop() {
        for (;;) {
            if (!out_.empty()) {
                // Everything queued goes as one write (a media chunk and its mark: one send).
                batch_.clear();
                for (; !out_.empty(); out_.pop_front()) batch_.push_back(std::move(out_.front()));
                const std::span<std::string> batch(batch_);  // (named: GCC 12 and temporaries in co_await)
                if (!co_await socket_->write_texts(batch)) co_return;
                continue;
            }
            if (closing_) co_return;
            co_await wake_writer_.async_wait(use_tuple);
            if (cancelled(co_await asio::this_coro::cancellation_state)) co_return;
        }
    }

    // ---- the agent's own work, from its start to the end of the call ----
    // (Done early, it waits: the call goes on until another member ends it. A loop, because
    // GCC 12 miscompiled the plainer `while (!agent_) wait; co_await run(); wait;`: resumed in a
    // state it did not have.)
    asio::awaitable<void> agent_loop() {
        bool ran = false;
        for (;;) {
            if (agent_ && !ran) {
                ran = true;
                co_await agent_->run();
            }
            co_await agent_started_.async_wait(use_tuple);
            if (cancelled(co_await asio::this_coro::cancellation_state)) co_return;
        }
    }

    // ---- the server is shutting down: the agent's goodbye, then the stream closes by the deadline ----
    void shut_down(SteadyTime deadline) {
        if (ended_ || shutdown_at_) return;
        shutdown_at_ = deadline;
        watchdog_timer_.cancel();  // the watchdog takes the new deadline
        if (agent_) agent_->on_shutdown();
    }

    // ---- limits: a valid start in time, then media in time, the longest session, a shutdown ----
    asio::awaitable<void> watchdog() {
        const auto& limits = ctx_.options.limits;
        for (;;) {
            const auto deadline = std::min(started_ ? std::min(last_media_ + limits.idle_timeout,
                                                               started_at_ + limits.max_session)
                                                    : opened_ + limits.start_timeout,
                                           shutdown_at_.value_or(kNever));
            if (ctx_.time.steady_now() >= deadline) break;
            // Media only moves the deadline later; the start changes the rule, and wakes this.
            watchdog_timer_.expires_at(deadline);
            co_await watchdog_timer_.async_wait(use_tuple);
            if (cancelled(co_await asio::this_coro::cancellation_state)) co_return;
        }
        const auto now = ctx_.time.steady_now();
        limit(shutdown_at_ && now >= *shutdown_at_            ? "the server is shutting down"
              : !started_                                     ? "no valid start in time"
              : now - started_at_ >= limits.max_session ? "the longest session allowed"
                                                              : "no media in time");
    }

    void limit(const std::string& what) {
        spdlog::warn("call {}: closing the stream: {}", call_sid_.empty() ? "(not started)" : call_sid_, what);
        end_reason_ = what;
        close(what);
    }

    // ---- the end ----
    asio::awaitable<void> end() {
        ended_ = true;
        if (agent_) {
            agent_->on_end();
            agent_.reset();
        }
        // (A named string: GCC 12 mishandles a ?: temporary inside a co_await expression.)
        std::string reason = close_reason_.empty() ? "stream ended" : close_reason_;
        co_await socket_->close(std::move(reason));
        if (!started_) co_return;
        const auto sid = *stream_sid_;
        const auto now = ctx_.time.now();
        try {
            co_await net::offload(ctx_.store_pool, [&] { return ctx_.store.call_logs().record_stream_end(sid, now); });
        } catch (const std::exception& e) {
            spdlog::error("call {}: the stream's end cannot be recorded: {}", call_sid_, e.what());
        }
        const std::chrono::duration<double> length = ctx_.time.steady_now() - started_at_;
        spdlog::info("call {}: stream {} ended after {:.1f} s ({})", call_sid_, sid, length.count(),
                     end_reason_.empty() ? socket_->close_reason() : end_reason_);
    }

    CallContext& ctx_;
    std::unique_ptr<net::WebSocket> socket_;
    asio::any_io_executor executor_;
    timing::Timer wake_writer_;
    timing::Timer pump_timer_;
    timing::Timer watchdog_timer_;
    timing::Timer agent_started_;  // woken when the agent exists
    Playout playout_;
    std::unique_ptr<Agent> agent_;
    std::deque<std::string> out_;
    std::vector<std::string> batch_;  // what the writer is writing now
    net::WebSocketMessage inbound_;  // the frame being handled; its buffer is reused
    std::vector<std::int16_t> pcm_;
    std::optional<std::string> stream_sid_;
    std::string call_sid_;
    std::string close_reason_;
    std::string end_reason_;
    SteadyTime opened_, start_received_, started_at_, last_media_;
    int bad_messages_ = 0;
    bool admitting_ = false;
    bool started_ = false;
    bool closing_ = false;
    bool ended_ = false;
    bool first_audio_sent_ = false;
    std::optional<SteadyTime> shutdown_at_;
    std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);  // see run()
};

}  // namespace

asio::awaitable<void> run_stream_session(CallContext& context, std::unique_ptr<net::WebSocket> socket) {
    Session session(context, std::move(socket));
    co_await session.run();
}

}  // namespace va::call
