// Deepgram live transcription behind SttSession: one WebSocket per session, driven by three
// coroutines on the session's strand once it is up (reader, single writer, keepalive), and the
// session's calls posted to that strand. Results go from the strand to the session's inbox. All
// state is a shared State, so a session destroyed with I/O in flight only cuts it off from the
// inbox and shuts it down: the coroutines finish on their own and free it.
#include "speech/cloud/deepgram_stt.hpp"

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <utility>
#include <vector>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <spdlog/spdlog.h>

#include "engine/inbox.hpp"
#include "media/mulaw.hpp"
#include "net/spawn.hpp"
#include "timing/time_source.hpp"
#include "net/websocket.hpp"
#include "speech/cloud/deepgram_wire.hpp"

namespace va::speech {

namespace asio = boost::asio;

namespace {

using timing::SteadyTime;
constexpr auto use_tuple = asio::as_tuple(asio::use_awaitable);
constexpr std::size_t kMaxQueuedAudio = 30 * 8000;  // 30 s of μ-law bytes not yet sent
constexpr std::size_t kCoalesceBytes = 3200;        // queued audio merges into frames of ≤ 400 ms

struct Outgoing {
    bool binary = false;
    std::string data;
};

// One utterance from begin_utterance() until its results are in (or it timed out).
struct Segment {
    bool ended = false;      // end_utterance() or cancel_utterance() was called
    bool cancelled = false;  // its results are discarded
    bool had_audio = false;  // false: no Finalize was sent, it resolves ("") when its turn comes
    std::string finals;      // the is_final transcripts so far, joined by spaces
    std::shared_ptr<timing::Timer> deadline;  // final_timeout, armed at the end
};

using Send = std::function<void(engine::Result<Heard>)>;

struct State : std::enable_shared_from_this<State> {
    State(asio::io_context& io, DeepgramConfig c, Send s, bool p, std::vector<std::string> terms)
        : strand(asio::make_strand(io)),
          config(std::move(c)),
          partials(p),
          key_terms(std::move(terms)),
          send(std::move(s)),
          wake_writer(timing::real_time(), strand),
          keepalive(timing::real_time(), strand),
          connect_deadline(timing::real_time(), strand) {}

    asio::strand<asio::io_context::executor_type> strand;
    const DeepgramConfig config;
    const bool partials;  // interim results asked for
    const std::vector<std::string> key_terms;  // the call's names, boosted (deepgram::key_terms)

    // Into the session's inbox, under the mutex. The session's destructor drops it: the State
    // outlives the session (until the socket has closed), and the inbox's channel must not, for
    // it belongs to the session's executor, which may go as soon as the session has.
    std::mutex send_mutex;
    Send send;

    // Everything below: on the strand only.
    std::unique_ptr<net::WebSocket> socket;
    bool connecting = true;
    bool closing = false;                 // the session is gone: CloseStream, close, nothing else
    std::optional<engine::Errc> failure;  // once the connection failed for good (logged then)
    std::deque<Outgoing> outbox;
    std::size_t queued_audio = 0;
    bool warned_overflow = false;
    // A remote service: its timers run on the machine's time.
    timing::Timer wake_writer;
    timing::Timer keepalive;
    timing::Timer connect_deadline;
    SteadyTime last_audio{};
    bool in_utterance = false;
    std::deque<Segment> segments;  // oldest first; results go to the front one
    std::string last_partial;
};

using StatePtr = std::shared_ptr<State>;

// The key may only appear in the Authorization header; never let it into an error text.
std::string scrub(const State& state, std::string text) {
    const auto& key = state.config.api_key;
    if (key.empty()) return text;
    for (auto at = text.find(key); at != std::string::npos; at = text.find(key, at)) text.replace(at, key.size(), "***");
    return text;
}

// A send returns at once: the waiter resumes on its own executor, never here.
void deliver(State& state, engine::Result<Heard> result) {
    std::lock_guard lock(state.send_mutex);
    if (state.send) state.send(std::move(result));
}

void send(State& state, Outgoing message) {
    if (state.failure || state.closing) return;
    state.outbox.push_back(std::move(message));
    state.wake_writer.cancel();
}

void send_audio(State& state, std::vector<std::uint8_t> codes) {
    if (codes.empty() || state.failure || state.closing) return;
    if (state.queued_audio + codes.size() > kMaxQueuedAudio) {
        if (!state.warned_overflow) spdlog::warn("deepgram: more than 30 s of audio queued, dropping audio");
        state.warned_overflow = true;
        return;
    }
    state.queued_audio += codes.size();
    state.last_audio = timing::real_time().steady_now();
    auto* back = state.outbox.empty() ? nullptr : &state.outbox.back();
    if (back && back->binary && back->data.size() + codes.size() <= kCoalesceBytes) {
        back->data.append(codes.begin(), codes.end());
        return;
    }
    send(state, Outgoing{true, std::string(codes.begin(), codes.end())});
}

// Resolves the front segment with its final result (unless cancelled).
void pop_front(State& state, engine::Result<Heard> final) {
    auto segment = std::move(state.segments.front());
    state.segments.pop_front();
    if (segment.deadline) segment.deadline->cancel();
    state.last_partial.clear();
    if (!segment.cancelled) deliver(state, std::move(final));
}

// Resolves the segments at the front that sent no audio and so wait for no answer.
void settle(State& state) {
    while (!state.segments.empty() && state.segments.front().ended && !state.segments.front().had_audio)
        pop_front(state, Heard{});
}

// The connection is over for good: `why` is logged (without the key), and every final from now on
// is `failure`.
void fail(State& state, engine::Errc failure, std::string why) {
    if (state.failure || state.closing) return;
    state.failure = failure;
    spdlog::warn("deepgram: {}", scrub(state, std::move(why)));
    state.outbox.clear();
    state.queued_audio = 0;
    state.wake_writer.cancel();
    state.keepalive.cancel();
    state.connect_deadline.cancel();
    if (state.socket) {
        state.socket->abort();
        // abort() posts to the socket's executor (this strand): keep the socket alive until then.
        asio::post(state.strand, [keep = state.shared_from_this()] {});
    }
    // The open utterance (if any) stays open: its end_utterance() reports the failure.
    auto segments = std::move(state.segments);
    state.segments.clear();
    for (auto& segment : segments) {
        if (segment.deadline) segment.deadline->cancel();
        if (segment.ended && !segment.cancelled) deliver(state, engine::Result<Heard>(failure));
    }
}

void on_message(State& state, const std::string& text) {
    const auto message = deepgram::parse_server_message(text);
    if (message.kind == deepgram::ServerMessage::Kind::error) {
        fail(state, engine::Errc::failed, message.error);
        return;
    }
    if (message.kind != deepgram::ServerMessage::Kind::results || state.segments.empty()) return;
    auto& front = state.segments.front();
    if (message.is_final && !message.transcript.empty()) {
        if (!front.finals.empty()) front.finals += ' ';
        front.finals += message.transcript;
    }
    if (message.from_finalize && front.ended && front.had_audio) {
        Heard words{front.finals};
        pop_front(state, std::move(words));
        settle(state);
        return;
    }
    // Interim words only when asked for, and for the utterance being spoken, not one already ended.
    if (!state.partials || front.ended || front.cancelled) return;
    auto partial = front.finals;
    if (!message.is_final && !message.transcript.empty()) {
        if (!partial.empty()) partial += ' ';
        partial += message.transcript;
    }
    if (partial.empty() || partial == state.last_partial) return;
    state.last_partial = partial;
    deliver(state, Heard{std::move(partial), false});
}

asio::awaitable<void> expire(StatePtr state, std::shared_ptr<timing::Timer> timer) {
    auto [ec] = co_await timer->async_wait(use_tuple);
    if (ec || state->closing || state->failure) co_return;
    // Resolved while this wake-up was already queued?
    const auto& segments = state->segments;
    const bool waiting = std::any_of(segments.begin(), segments.end(), [&](const Segment& s) { return s.deadline == timer; });
    if (!waiting) co_return;
    // Everything up to this segment is overdue (deadlines are armed in order).
    while (!state->segments.empty()) {
        const bool last = state->segments.front().deadline == timer;
        Heard words{state->segments.front().finals};
        if (words.text.empty()) {
            spdlog::warn("deepgram: no final result within {} ms", state->config.final_timeout.count());
            pop_front(*state, engine::Result<Heard>(engine::Errc::failed));
        } else {
            pop_front(*state, std::move(words));
        }
        if (last) break;
    }
    settle(*state);
}

// The current utterance is over: Finalize (if it sent audio) and wait for its answer.
void end_segment(const StatePtr& state, bool cancelled) {
    state->in_utterance = false;
    if (state->segments.empty() || state->segments.back().ended) return;  // failed meanwhile
    auto& segment = state->segments.back();
    segment.ended = true;
    segment.cancelled = cancelled;
    if (segment.had_audio) {
        send(*state, Outgoing{false, std::string(deepgram::kFinalize)});
        segment.deadline = std::make_shared<timing::Timer>(timing::real_time(), state->strand);
        segment.deadline->expires_after(state->config.final_timeout);
        net::spawn_logged(state->strand, expire(state, segment.deadline), "deepgram final timeout");
    }
    settle(*state);
}

void begin(const StatePtr& state, std::vector<std::uint8_t> preroll) {
    if (state->closing) return;
    if (state->in_utterance) end_segment(state, true);  // pocketsphinx's rule: the open one is dropped
    state->in_utterance = true;
    if (state->failure) return;
    state->segments.push_back(Segment{});
    state->segments.back().had_audio = !preroll.empty();
    send_audio(*state, std::move(preroll));
}

void more_audio(const StatePtr& state, std::vector<std::uint8_t> codes) {
    if (state->closing || !state->in_utterance || state->failure || codes.empty()) return;
    state->segments.back().had_audio = true;
    send_audio(*state, std::move(codes));
}

void end(const StatePtr& state) {
    if (state->closing) return;
    if (state->failure) {
        state->in_utterance = false;
        deliver(*state, engine::Result<Heard>(*state->failure));
        return;
    }
    if (!state->in_utterance) state->segments.push_back(Segment{});  // nothing heard: a final "" in turn
    end_segment(state, false);
}

void cancel(const StatePtr& state) {
    if (state->closing || !state->in_utterance) return;
    if (state->failure) {
        state->in_utterance = false;
        return;
    }
    end_segment(state, true);
}

void shut_down(const StatePtr& state) {
    if (state->closing) return;
    state->closing = true;
    for (auto& segment : state->segments)
        if (segment.deadline) segment.deadline->cancel();
    state->segments.clear();
    state->keepalive.cancel();
    state->connect_deadline.cancel();
    state->outbox.clear();
    state->queued_audio = 0;
    if (!state->failure) state->outbox.push_back(Outgoing{false, std::string(deepgram::kCloseStream)});
    state->wake_writer.cancel();
}

asio::awaitable<void> write_loop(StatePtr state) {
    while (!state->failure) {
        if (state->outbox.empty()) {
            if (state->closing) {
                co_await state->socket->close("done");
                co_return;
            }
            state->wake_writer.expires_at(SteadyTime::max());
            co_await state->wake_writer.async_wait(use_tuple);
            continue;
        }
        auto message = std::move(state->outbox.front());
        state->outbox.pop_front();
        bool ok = false;
        if (message.binary) {
            state->queued_audio -= std::min(state->queued_audio, message.data.size());
            ok = co_await state->socket->write_binary(std::move(message.data));
        } else {
            ok = co_await state->socket->write_text(std::move(message.data));
        }
        if (!ok) {
            fail(*state, engine::Errc::failed, "connection lost: " + state->socket->close_reason());
            co_return;
        }
    }
}

asio::awaitable<void> read_loop(StatePtr state) {
    while (true) {
        auto message = co_await state->socket->read();
        if (!message) {
            const auto reason = state->socket->close_reason();
            const auto why = "connection closed" + (reason.empty() ? std::string() : " (" + reason + ")");
            fail(*state, engine::Errc::failed, why);
            co_return;
        }
        if (state->closing || state->failure) continue;  // drain until the close completes
        if (message->text) on_message(*state, message->data);
    }
}

asio::awaitable<void> keepalive_loop(StatePtr state) {
    while (!state->closing && !state->failure) {
        state->keepalive.expires_at(state->last_audio + state->config.keepalive_interval);
        co_await state->keepalive.async_wait(use_tuple);
        if (state->closing || state->failure) co_return;
        if (timing::real_time().steady_now() < state->last_audio + state->config.keepalive_interval) continue;  // audio came
        state->last_audio = timing::real_time().steady_now();
        send(*state, Outgoing{false, std::string(deepgram::kKeepAlive)});
    }
}

asio::awaitable<void> watch_connect(StatePtr state) {
    state->connect_deadline.expires_after(state->config.connect_timeout);
    auto [ec] = co_await state->connect_deadline.async_wait(use_tuple);
    if (ec || !state->connecting) co_return;
    const auto ms = std::to_string(state->config.connect_timeout.count());
    fail(*state, engine::Errc::unreachable, "connect timed out after " + ms + " ms");
}

asio::awaitable<void> connect(StatePtr state) {
    net::Fields headers;
    headers.emplace_back("Authorization", "Token " + state->config.api_key);
    net::WebSocketOptions options;
    options.handshake_timeout = state->config.connect_timeout;
    options.max_message_size = 1024 * 1024;
    auto url = deepgram::listen_url(state->config, state->key_terms);
    auto result = co_await net::connect_websocket(state->strand, std::move(url), std::move(headers), options);
    state->connecting = false;
    state->connect_deadline.cancel();
    if (state->failure) co_return;  // timed out meanwhile; the late socket is dropped
    if (!result.socket) {
        if (state->closing) co_return;
        if (result.status != 0) {
            // A 4xx is Deepgram saying no (a bad key, a bad parameter); anything else, nobody did.
            const bool refused = result.status >= 400 && result.status < 500;
            fail(*state, refused ? engine::Errc::refused : engine::Errc::unreachable,
                 "upgrade refused (HTTP " + std::to_string(result.status) + ")");
        } else {
            const auto why = result.error.empty() ? std::string("connect failed") : result.error;
            fail(*state, engine::Errc::unreachable, why);
        }
        co_return;
    }
    state->socket = std::move(result.socket);
    state->last_audio = timing::real_time().steady_now();
    net::spawn_logged(state->strand, write_loop(state), "deepgram writer");
    net::spawn_logged(state->strand, read_loop(state), "deepgram reader");
    if (!state->closing) net::spawn_logged(state->strand, keepalive_loop(state), "deepgram keepalive");
}

class DeepgramSession final : public SttSession {
public:
    DeepgramSession(asio::io_context& io, const DeepgramConfig& config, asio::any_io_executor executor,
                    const SttOptions& options)
        : results_(std::move(executor)),
          state_(std::make_shared<State>(io, config, results_.sender(), options.partials,
                                         deepgram::key_terms(options.context))) {
        net::spawn_logged(state_->strand, watch_connect(state_), "deepgram connect timeout");
        net::spawn_logged(state_->strand, connect(state_), "deepgram connect");
    }

    ~DeepgramSession() override {
        {
            std::lock_guard lock(state_->send_mutex);
            state_->send = nullptr;
        }
        asio::post(state_->strand, [state = state_] { shut_down(state); });
    }

    void begin_utterance(std::span<const std::int16_t> preroll) override {
        asio::post(state_->strand, [state = state_, codes = media::encode_mulaw(preroll)]() mutable {
            begin(state, std::move(codes));
        });
    }
    void audio(std::span<const std::int16_t> pcm) override {
        if (pcm.empty()) return;
        asio::post(state_->strand, [state = state_, codes = media::encode_mulaw(pcm)]() mutable {
            more_audio(state, std::move(codes));
        });
    }
    void end_utterance() override {
        asio::post(state_->strand, [state = state_] { end(state); });
    }
    void cancel_utterance() override {
        asio::post(state_->strand, [state = state_] { cancel(state); });
    }
    asio::awaitable<engine::Result<Heard>> next() override { return results_.receive(); }

private:
    engine::Inbox<engine::Result<Heard>> results_;
    StatePtr state_;
};

class DeepgramStt final : public SpeechToText {
public:
    DeepgramStt(asio::io_context& io, DeepgramConfig config) : io_(io), config_(std::move(config)) {}

    std::unique_ptr<SttSession> open(asio::any_io_executor executor, SttOptions options) override {
        return std::make_unique<DeepgramSession>(io_, config_, std::move(executor), options);
    }
    std::string name() const override { return "deepgram:" + config_.model; }

private:
    asio::io_context& io_;
    const DeepgramConfig config_;
};

}  // namespace

std::unique_ptr<SpeechToText> make_deepgram_stt(asio::io_context& io, DeepgramConfig config) {
    if (config.api_key.empty()) throw std::invalid_argument("deepgram: no API key");
    const bool ws = config.base_url.starts_with("ws://") || config.base_url.starts_with("wss://");
    if (!ws) throw std::invalid_argument("deepgram: base_url must be ws:// or wss://");
    return std::make_unique<DeepgramStt>(io, std::move(config));
}

}  // namespace va::speech
