// The Deepgram stand-in's listening mode (deepgram_standin.hpp): one connection's reader spots
// the phrasebook's words in each utterance's audio and schedules their results; one writer sends
// them when due (net::WebSocket allows one reader and one writer at a time), both on the
// connection's executor, so they share the Connection without a lock.
#include <algorithm>
#include <chrono>
#include <cstdint>
#include <deque>
#include <limits>
#include <memory>
#include <mutex>
#include <optional>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/json.hpp>

#include "media/mulaw.hpp"
#include "support/deepgram_standin_state.hpp"

namespace va::test {

namespace asio = boost::asio;
namespace json = boost::json;
using namespace asio::experimental::awaitable_operators;

namespace {

using Clock = std::chrono::steady_clock;
using StatePtr = std::shared_ptr<DeepgramStandin::State>;
constexpr auto use_tuple = asio::as_tuple(asio::use_awaitable);
constexpr double kSampleRate = 8000.0;

// How far an utterance's finals have got: the words they hold, and where (in samples of the
// stream) the next result's audio begins.
struct Settled {
    std::size_t words = 0;
    std::int64_t at = 0;
};

struct Outgoing {
    Clock::time_point due{};
    std::string text = {};           // the message; with `close`, the close reason
    std::uint64_t utterance = 0;     // a Finalize drops its utterance's results not yet sent
    std::optional<Settled> settles = {};  // an endpointed final: what its utterance has settled once sent
    bool close = false;
};

struct Connection {
    Connection(const StatePtr& s, std::unique_ptr<net::WebSocket> ws, asio::any_io_executor executor)
        : state(s), socket(std::move(ws)), spotter(s->phrasebook), wake(std::move(executor)) {
        std::lock_guard lock(state->mutex);
        word_lag = state->script.word_lag;
        finalize_lag = state->script.finalize_lag;
    }

    StatePtr state;
    std::unique_ptr<net::WebSocket> socket;
    PhraseSpotter spotter;
    Clock::duration word_lag{};
    Clock::duration finalize_lag{};
    std::deque<Outgoing> outbox;  // by due time
    asio::steady_timer wake;      // the writer's, until the outbox's first is due (or it changes)
    bool peer_gone = false;       // the reader saw the connection end: the writer stops

    // The utterance being heard: from the first binary frame after the upgrade or a Finalize.
    std::uint64_t utterance = 0;
    std::int64_t base = 0;  // samples of the stream before it
    // After each binary frame: (the utterance's samples so far, when it came).
    std::vector<std::pair<std::int64_t, Clock::time_point>> arrivals;
    std::vector<SpottedWord> words;  // said so far, in order
    std::vector<bool> logged;  // per detection of this utterance: in log.spotted
    Settled scheduled;  // by the finals queued
    Settled sent;       // by the finals sent
    std::vector<std::int16_t> pcm;  // a frame decoded (kept: its buffer is reused)
};

double seconds(std::int64_t samples) { return static_cast<double>(samples) / kSampleRate; }

// A Results message as Deepgram sends it: the words since the last final, the audio they cover.
std::string results(const Connection& c, std::span<const SpottedWord> words, std::int64_t from, std::int64_t to,
                    bool is_final, bool speech_final, bool from_finalize) {
    std::string transcript;
    json::array listed;
    for (const auto& word : words) {
        if (!transcript.empty()) transcript += ' ';
        transcript += word.text;
        json::object item;
        item["word"] = word.text;
        item["start"] = seconds(c.base + word.start);
        item["end"] = seconds(c.base + word.end);
        item["confidence"] = 0.9;
        listed.push_back(std::move(item));
    }
    json::object alternative;
    alternative["transcript"] = transcript;
    alternative["confidence"] = 0.9;
    alternative["words"] = std::move(listed);
    json::array alternatives;
    alternatives.push_back(std::move(alternative));
    json::object channel;
    channel["alternatives"] = std::move(alternatives);
    json::object message;
    message["type"] = "Results";
    message["channel_index"] = json::array{0, 1};
    message["duration"] = seconds(std::max<std::int64_t>(to - from, 0));
    message["start"] = seconds(from);
    message["is_final"] = is_final;
    message["speech_final"] = speech_final;
    message["from_finalize"] = from_finalize;
    message["channel"] = std::move(channel);
    return json::serialize(message);
}

// Queued in due order: a message never overtakes one queued before it.
void queue(Connection& c, Outgoing message) {
    if (!c.outbox.empty()) message.due = std::max(message.due, c.outbox.back().due);
    c.outbox.push_back(std::move(message));
    c.wake.cancel();
}

// The close goes after what is queued, which goes out now: no more audio will come to wait for.
void queue_close(Connection& c, std::string reason) {
    const auto now = Clock::now();
    for (auto& message : c.outbox) message.due = std::min(message.due, now);
    Outgoing close;
    close.due = now;
    close.text = std::move(reason);
    close.utterance = c.utterance;
    close.close = true;
    queue(c, std::move(close));
}

// A phrase is logged once its first word is said (a placement the audio did not confirm is not).
void log_spotted(Connection& c) {
    const auto& detections = c.spotter.detections();
    c.logged.resize(detections.size(), false);
    std::vector<std::string> heard;
    for (std::size_t i = 0; i < detections.size(); ++i) {
        if (c.logged[i] || detections[i].words_said == 0) continue;
        c.logged[i] = true;
        heard.push_back(c.spotter.phrasebook()[detections[i].phrase].text);
    }
    if (heard.empty()) return;
    c.state->update([&](DeepgramStandinScript&, DeepgramStandinLog& log) {
        log.spotted.insert(log.spotted.end(), heard.begin(), heard.end());
    });
}

// When the frame holding this sample of the utterance came.
Clock::time_point arrival(const Connection& c, std::int64_t end) {
    const auto at = std::lower_bound(c.arrivals.begin(), c.arrivals.end(), end,
                                     [](const auto& a, std::int64_t e) { return a.first < e; });
    return at == c.arrivals.end() ? Clock::now() : at->second;
}

// A word was said: an interim with the words since the last final, or, for its phrase's last
// word, a final (Deepgram's endpointing after a phrase).
void say(Connection& c, SpottedWord word) {
    Outgoing result;
    result.due = arrival(c, word.end) + c.word_lag;
    result.utterance = c.utterance;
    const auto end = c.base + word.end;
    const bool last = word.last;
    c.words.push_back(std::move(word));
    const auto since = std::span(c.words).subspan(c.scheduled.words);
    result.text = results(c, since, c.scheduled.at, end, last, last, false);
    if (last) {
        result.settles = Settled{c.words.size(), end};
        c.scheduled = *result.settles;
    }
    queue(c, std::move(result));
}

bool on_binary(Connection& c, const std::string& data) {
    const bool close = c.state->update([&](DeepgramStandinScript& script, DeepgramStandinLog& log) {
        log.audio.insert(log.audio.end(), data.begin(), data.end());
        ++log.audio_frames;
        return script.close_after_audio_frames && log.audio_frames >= *script.close_after_audio_frames;
    });
    c.pcm.resize(data.size());
    const auto* codes = reinterpret_cast<const std::uint8_t*>(data.data());
    media::decode_mulaw(std::span(codes, data.size()), c.pcm);
    auto heard = c.spotter.feed(c.pcm);
    c.arrivals.emplace_back(c.spotter.samples(), Clock::now());
    log_spotted(c);
    for (auto& word : heard) say(c, std::move(word));
    if (close) queue_close(c, "standin closes");
    return close;
}

// The utterance is over: after finalize_lag, one final with every word said that no final sent
// holds; its results not yet sent are dropped (their words are in it). Then the next one begins.
void finalize(Connection& c) {
    for (auto& word : c.spotter.finish()) c.words.push_back(std::move(word));
    log_spotted(c);
    const auto current = c.utterance;
    std::erase_if(c.outbox, [&](const Outgoing& o) { return o.utterance == current && !o.close; });
    Outgoing answer;
    answer.due = Clock::now() + c.finalize_lag;
    answer.utterance = current;
    const auto end = c.base + c.spotter.samples();
    answer.text = results(c, std::span(c.words).subspan(c.sent.words), c.sent.at, end, true, false, true);
    queue(c, std::move(answer));

    c.base = end;
    ++c.utterance;
    c.spotter.reset();
    c.arrivals.clear();
    c.words.clear();
    c.logged.clear();
    c.scheduled = c.sent = Settled{0, end};
}

// True: a close is queued, the reader stops.
bool on_text(Connection& c, const std::string& data) {
    const auto type = message_type(data);
    struct Faults {
        bool ignore = false;
        bool close = false;
        std::string error = {};
    };
    const auto faults = c.state->update([&](DeepgramStandinScript& script, DeepgramStandinLog& log) {
        log.controls.push_back(type);
        return Faults{script.ignore_finalize, script.close_on_finalize, script.error_on_finalize};
    });
    if (type == "CloseStream") {
        Outgoing metadata;
        metadata.due = Clock::now();
        metadata.text = R"({"type":"Metadata","request_id":"standin"})";
        metadata.utterance = std::numeric_limits<std::uint64_t>::max();  // never dropped
        queue(c, std::move(metadata));
        queue_close(c, "standin closes");  // (and the Metadata with the rest, now)
        return true;
    }
    if (type != "Finalize" || faults.ignore) return false;
    if (!faults.error.empty()) {
        json::object error;
        error["type"] = "Error";
        error["description"] = faults.error;
        error["message"] = "standin error";
        Outgoing message;
        message.due = Clock::now();
        message.text = json::serialize(error);
        message.utterance = std::numeric_limits<std::uint64_t>::max();
        queue(c, std::move(message));
        return false;
    }
    if (faults.close) {
        queue_close(c, "standin closes");
        return true;
    }
    finalize(c);
    return false;
}

asio::awaitable<void> read_loop(std::shared_ptr<Connection> c) {
    while (true) {
        auto message = co_await c->socket->read();
        if (!message) {
            c->peer_gone = true;
            c->wake.cancel();
            co_return;
        }
        const bool stop = message->text ? on_text(*c, message->data) : on_binary(*c, message->data);
        if (stop) co_return;  // the writer closes once what was queued before is sent
    }
}

asio::awaitable<void> write_loop(std::shared_ptr<Connection> c) {
    while (!c->peer_gone) {
        if (c->outbox.empty() || c->outbox.front().due > Clock::now()) {
            c->wake.expires_at(c->outbox.empty() ? Clock::time_point::max() : c->outbox.front().due);
            co_await c->wake.async_wait(use_tuple);
            continue;
        }
        auto next = std::move(c->outbox.front());
        c->outbox.pop_front();
        if (next.close) {
            co_await c->socket->close(std::move(next.text));
            co_return;
        }
        if (next.settles && next.utterance == c->utterance) c->sent = *next.settles;
        if (!co_await c->socket->write_text(std::move(next.text))) co_return;
    }
}

}  // namespace

asio::awaitable<void> listening_session(StatePtr state, std::unique_ptr<net::WebSocket> socket) {
    auto executor = co_await asio::this_coro::executor;
    auto connection = std::make_shared<Connection>(state, std::move(socket), executor);
    co_await (read_loop(connection) && write_loop(connection));
    state->update([](DeepgramStandinScript&, DeepgramStandinLog& log) { ++log.disconnects; });
}

}  // namespace va::test
