#include "call/session.hpp"

#include <deque>
#include <optional>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <spdlog/spdlog.h>

#include "media/mulaw.hpp"
#include "net/offload.hpp"
#include "net/spawn.hpp"

namespace va::call {

namespace {

namespace asio = boost::asio;
using SteadyClock = std::chrono::steady_clock;
constexpr auto use_tuple = asio::as_tuple(asio::use_awaitable);

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

class Session final : public CallControl, public std::enable_shared_from_this<Session> {
public:
    Session(CallContext& ctx, std::unique_ptr<net::WebSocket> socket)
        : ctx_(ctx),
          socket_(std::move(socket)),
          executor_(socket_->get_executor()),
          wake_writer_(executor_),
          pump_timer_(executor_),
          watchdog_timer_(executor_),
          playout_(ctx.options.playout),
          opened_(SteadyClock::now()) {
        wake_writer_.expires_at(SteadyClock::time_point::max());
    }

    asio::awaitable<void> run() {
        auto self = shared_from_this();
        net::spawn_logged(executor_, write_loop(self), "stream writer");
        net::spawn_logged(executor_, watchdog(self), "stream watchdog");
        try {
            co_await read_loop();
        } catch (const std::exception& e) {  // the store failed (disk, corruption): end this call only
            spdlog::error("call {}: stream failed: {}", call_sid_.empty() ? "(not started)" : call_sid_, e.what());
            end_reason_ = "error";
        }
        co_await end();
    }

private:
    asio::awaitable<void> read_loop() {
        while (!closing_) {
            auto message = co_await socket_->read();
            if (!message) break;
            if (!message->text) {
                bad("binary frame");
                continue;
            }
            auto parsed = twilio::parse_inbound(message->data);
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
                } else if (auto played = playout_.on_mark(mark->name)) {
                    agent_->on_played(played->id, played->heard, played->finished);
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
        pump();
    }
    void finish(UtteranceId id) override {
        if (ended_) return;
        playout_.finish(id);
        pump();
    }
    void interrupt() override {
        if (ended_) return;
        auto cut = playout_.interrupt(SteadyClock::now());
        send(twilio::Clear{});
        for (const auto& played : cut) agent_->on_played(played.id, played.heard, false);
    }
    void hang_up(std::string reason) override { close(std::move(reason)); }
    Post poster() override {
        return [weak = weak_from_this(), executor = executor_](std::function<void()> fn) {
            asio::post(executor, [weak, fn = std::move(fn)] {
                if (auto self = weak.lock(); self && !self->ended_) fn();
            });
        };
    }

private:
    // ---- start: the token, then the store ----
    asio::awaitable<bool> admit(const twilio::Start& start) {
        admitting_ = true;
        start_received_ = SteadyClock::now();
        const auto now = ctx_.clock.now();
        if (!start.stream_sid.starts_with("MZ") || !start.call_sid.starts_with("CA")) {
            refuse("no streamSid or callSid", start);  // the call log could not hold the stream
            co_return false;
        }
        auto grant = ctx_.tokens.verify(custom(start, "Token"), now);
        if (!grant) {
            refuse("a missing, forged or expired stream token", start);
            co_return false;
        }
        if (custom(start, "ScheduledCallId") != grant->scheduled_call_id) {
            refuse("ScheduledCallId differs from the token's", start);
            co_return false;
        }
        auto admission = co_await net::offload(ctx_.store_pool, [&] { return check_in(*grant, start, now); });
        if (!admission.refused.empty()) {
            refuse(admission.refused, start);
            co_return false;
        }
        stream_sid_ = start.stream_sid;
        call_sid_ = start.call_sid;
        started_ = true;
        last_media_ = SteadyClock::now();
        started_at_ = last_media_;
        ctx_.metrics.counter("media_streams_total", "Media Streams by how they began", {{"result", "started"}}).inc();
        spdlog::info("call {}: stream {} started ({})", call_sid_, start.stream_sid,
                     grant->scheduled_call_id.empty() ? "inbound" : "scheduled call " + grant->scheduled_call_id);
        agent_ = ctx_.make_agent(admission.info, *this);
        agent_->on_start();
        co_return true;
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
            if (auto key = store::parse_attempt_id(grant.attempt_id);
                key && key->position >= 0 && static_cast<std::size_t>(key->position) < call->recipients.size()) {
                record.to = call->recipients[static_cast<std::size_t>(key->position)].phone_number;
            }
            out.info.system_prompt = call->content;
            out.info.greeting = call->introduction;
            out.info.conversation = call->conversation;
        } else if (ctx_.options.inbound) {
            out.info.system_prompt = ctx_.options.inbound->content;
            out.info.greeting = ctx_.options.inbound->introduction;
            out.info.conversation = ctx_.options.inbound->conversation;
        } else {
            out.refused = "inbound calls are not configured";
            return out;
        }
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

    void refuse(const std::string& why, const twilio::Start& start) {
        spdlog::warn("call {}: stream {} refused: {}", start.call_sid, start.stream_sid, why);
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
        last_media_ = SteadyClock::now();
        pcm_.resize(media.payload.size());
        media::decode_mulaw(media.payload, pcm_);
        agent_->on_audio(pcm_);
    }

    void bad(std::string_view what) {
        ctx_.metrics.counter("media_stream_bad_messages_total", "Media Streams messages ignored as malformed or out of place").inc();
        if (++bad_messages_ <= ctx_.options.limits.logged_bad_messages) {
            spdlog::warn("call {}: stream message ignored: {}", call_sid_.empty() ? "(not started)" : call_sid_, what);
        }
    }

    // ---- outbound: playout pacing and the single writer ----
    void pump() {
        auto step = playout_.pump(SteadyClock::now());
        for (auto& message : step.messages) send(message);
        if (!step.next) return;
        pump_timer_.expires_at(*step.next);
        pump_timer_.async_wait([weak = weak_from_this()](boost::system::error_code ec) {
            auto self = weak.lock();
            if (!ec && self && !self->ended_) self->pump();
        });
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
            const std::chrono::duration<double> since_start = SteadyClock::now() - start_received_;
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

    static asio::awaitable<void> write_loop(std::shared_ptr<Session> self) {
        for (;;) {
            if (!self->out_.empty()) {
                auto text = std::move(self->out_.front());
                self->out_.pop_front();
                if (!co_await self->socket_->write_text(std::move(text))) break;
                continue;
            }
            if (self->closing_) {
                co_await self->socket_->close(self->close_reason_);
                break;
            }
            co_await self->wake_writer_.async_wait(use_tuple);
        }
    }

    // ---- limits ----
    static asio::awaitable<void> watchdog(std::shared_ptr<Session> self) {
        const auto& limits = self->ctx_.options.limits;
        const auto tick = std::clamp<SteadyClock::duration>(std::min(limits.start_timeout, limits.idle_timeout) / 4,
                                                            std::chrono::milliseconds(5), std::chrono::seconds(1));
        while (!self->ended_ && !self->closing_) {
            self->watchdog_timer_.expires_after(tick);
            auto [ec] = co_await self->watchdog_timer_.async_wait(use_tuple);
            if (ec || self->ended_ || self->closing_) break;
            const auto now = SteadyClock::now();
            if (!self->started_ && now - self->opened_ > limits.start_timeout) {
                self->limit("no valid start in time");
            } else if (self->started_ && now - self->last_media_ > limits.idle_timeout) {
                self->limit("no media in time");
            } else if (self->started_ && now - self->started_at_ > limits.max_session) {
                self->limit("the longest session allowed");
            }
        }
    }

    void limit(const std::string& what) {
        spdlog::warn("call {}: closing the stream: {}", call_sid_.empty() ? "(not started)" : call_sid_, what);
        end_reason_ = what;
        close(what);
    }

    // ---- the end ----
    asio::awaitable<void> end() {
        ended_ = true;
        close("stream ended");
        pump_timer_.cancel();
        watchdog_timer_.cancel();
        if (agent_) {
            agent_->on_end();
            agent_.reset();
        }
        if (!started_) co_return;
        const auto sid = *stream_sid_;
        const auto now = ctx_.clock.now();
        try {
            co_await net::offload(ctx_.store_pool, [&] { return ctx_.store.call_logs().record_stream_end(sid, now); });
        } catch (const std::exception& e) {
            spdlog::error("call {}: the stream's end cannot be recorded: {}", call_sid_, e.what());
        }
        const std::chrono::duration<double> length = SteadyClock::now() - started_at_;
        spdlog::info("call {}: stream {} ended after {:.1f} s ({})", call_sid_, sid, length.count(),
                     end_reason_.empty() ? socket_->close_reason() : end_reason_);
    }

    CallContext& ctx_;
    std::unique_ptr<net::WebSocket> socket_;
    asio::any_io_executor executor_;
    asio::steady_timer wake_writer_;
    asio::steady_timer pump_timer_;
    asio::steady_timer watchdog_timer_;
    Playout playout_;
    std::unique_ptr<Agent> agent_;
    std::deque<std::string> out_;
    std::vector<std::int16_t> pcm_;
    std::optional<std::string> stream_sid_;
    std::string call_sid_;
    std::string close_reason_;
    std::string end_reason_;
    SteadyClock::time_point opened_, start_received_, started_at_, last_media_;
    int bad_messages_ = 0;
    bool admitting_ = false;
    bool started_ = false;
    bool closing_ = false;
    bool ended_ = false;
    bool first_audio_sent_ = false;
};

}  // namespace

asio::awaitable<void> run_stream_session(CallContext& context, std::unique_ptr<net::WebSocket> socket) {
    auto session = std::make_shared<Session>(context, std::move(socket));
    co_await session->run();
}

}  // namespace va::call
