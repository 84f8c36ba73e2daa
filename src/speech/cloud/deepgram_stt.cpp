// Deepgram live transcription behind SttSession: one WebSocket per session, driven by three
// coroutines on the session's strand once it is up (reader, single writer, keepalive), and the
// session's calls posted to that strand. All state is a shared State, so a session destroyed with
// I/O in flight only marks it dead: the coroutines finish on their own and free it.
#include "speech/cloud/deepgram_stt.hpp"

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <deque>
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

struct State : std::enable_shared_from_this<State> {
    State(asio::io_context& io, DeepgramConfig c, SttCallbacks cb)
        : strand(asio::make_strand(io)),
          config(std::move(c)),
          callbacks(std::move(cb)),
          wake_writer(timing::real_time(), strand),
          keepalive(timing::real_time(), strand),
          connect_deadline(timing::real_time(), strand) {}

    asio::strand<asio::io_context::executor_type> strand;
    const DeepgramConfig config;
    const SttCallbacks callbacks;

    // Set by the session's destructor (any thread); callbacks run under the mutex and check it.
    std::recursive_mutex callback_mutex;
    bool dead = false;

    // Everything below: on the strand only.
    std::unique_ptr<net::WebSocket> socket;
    bool connecting = true;
    bool closing = false;                // the session is gone: CloseStream, close, nothing else
    std::optional<std::string> failure;  // "deepgram: ..." once the connection failed for good
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

void deliver_final(State& state, std::string text, std::string error) {
    std::lock_guard lock(state.callback_mutex);
    if (state.dead || !state.callbacks.on_final) return;
    state.callbacks.on_final(std::move(text), std::move(error));
}

void deliver_partial(State& state, std::string text) {
    std::lock_guard lock(state.callback_mutex);
    if (state.dead || !state.callbacks.on_partial) return;
    state.callbacks.on_partial(std::move(text));
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

// Resolves the front segment: its on_final (unless cancelled), then any segments right behind it
// that sent no audio and so wait for no answer.
void pop_front(State& state, std::string text, std::string error) {
    auto segment = std::move(state.segments.front());
    state.segments.pop_front();
    if (segment.deadline) segment.deadline->cancel();
    state.last_partial.clear();
    if (!segment.cancelled) deliver_final(state, std::move(text), std::move(error));
}

void settle(State& state) {
    while (!state.segments.empty() && state.segments.front().ended && !state.segments.front().had_audio)
        pop_front(state, "", "");
}

void fail(State& state, std::string why) {
    if (state.failure || state.closing) return;
    state.failure = "deepgram: " + scrub(state, std::move(why));
    spdlog::warn("{}", *state.failure);
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
        if (segment.ended && !segment.cancelled) deliver_final(state, "", *state.failure);
    }
}

void on_message(State& state, const std::string& text) {
    const auto message = deepgram::parse_server_message(text);
    if (message.kind == deepgram::ServerMessage::Kind::error) {
        fail(state, message.error);
        return;
    }
    if (message.kind != deepgram::ServerMessage::Kind::results || state.segments.empty()) return;
    auto& front = state.segments.front();
    if (message.is_final && !message.transcript.empty()) {
        if (!front.finals.empty()) front.finals += ' ';
        front.finals += message.transcript;
    }
    if (message.from_finalize && front.ended && front.had_audio) {
        auto words = front.finals;
        pop_front(state, std::move(words), "");
        settle(state);
        return;
    }
    // Interim words only for the utterance being spoken, not for one already ended.
    if (front.ended || front.cancelled) return;
    auto partial = front.finals;
    if (!message.is_final && !message.transcript.empty()) {
        if (!partial.empty()) partial += ' ';
        partial += message.transcript;
    }
    if (partial.empty() || partial == state.last_partial) return;
    state.last_partial = partial;
    deliver_partial(state, std::move(partial));
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
        auto words = state->segments.front().finals;
        if (words.empty()) {
            const auto ms = std::to_string(state->config.final_timeout.count());
            pop_front(*state, "", "deepgram: no final result within " + ms + " ms");
        } else {
            pop_front(*state, std::move(words), "");
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
        deliver_final(*state, "", *state->failure);
        return;
    }
    if (!state->in_utterance) state->segments.push_back(Segment{});  // nothing heard: on_final("") in turn
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
            fail(*state, "connection lost: " + state->socket->close_reason());
            co_return;
        }
    }
}

asio::awaitable<void> read_loop(StatePtr state) {
    while (true) {
        auto message = co_await state->socket->read();
        if (!message) {
            const auto reason = state->socket->close_reason();
            fail(*state, "connection closed" + (reason.empty() ? std::string() : " (" + reason + ")"));
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
    fail(*state, "connect timed out after " + ms + " ms");
}

asio::awaitable<void> connect(StatePtr state) {
    net::Fields headers;
    headers.emplace_back("Authorization", "Token " + state->config.api_key);
    net::WebSocketOptions options;
    options.handshake_timeout = state->config.connect_timeout;
    options.max_message_size = 1024 * 1024;
    auto url = deepgram::listen_url(state->config);
    auto result = co_await net::connect_websocket(state->strand, std::move(url), std::move(headers), options);
    state->connecting = false;
    state->connect_deadline.cancel();
    if (state->failure) co_return;  // timed out meanwhile; the late socket is dropped
    if (!result.socket) {
        if (state->closing) co_return;
        if (result.status != 0) {
            fail(*state, "upgrade refused (HTTP " + std::to_string(result.status) + ")");
        } else {
            fail(*state, result.error.empty() ? std::string("connect failed") : result.error);
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
    explicit DeepgramSession(StatePtr state) : state_(std::move(state)) {}

    ~DeepgramSession() override {
        {
            std::lock_guard lock(state_->callback_mutex);
            state_->dead = true;
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

private:
    StatePtr state_;
};

class DeepgramStt final : public SpeechToText {
public:
    DeepgramStt(asio::io_context& io, DeepgramConfig config) : io_(io), config_(std::move(config)) {}

    std::unique_ptr<SttSession> open(SttCallbacks callbacks, SttOptions) override {
        auto state = std::make_shared<State>(io_, config_, std::move(callbacks));
        net::spawn_logged(state->strand, watch_connect(state), "deepgram connect timeout");
        net::spawn_logged(state->strand, connect(state), "deepgram connect");
        return std::make_unique<DeepgramSession>(std::move(state));
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
