// The Media Streams client of one <Connect><Stream>: opens the signed WebSocket, sends
// connected/start, then every 20 ms one μ-law frame of the callee (speech or line silence), plays
// the agent's audio out of a model of Twilio's buffer, echoes marks when their audio has played,
// and runs the scripted callee against what it hears. One loop writes; one reader receives.
#include <boost/asio/co_spawn.hpp>
#include <boost/json.hpp>
#include <spdlog/spdlog.h>

#include "media/mulaw.hpp"
#include "net/spawn.hpp"
#include "net/websocket.hpp"
#include "sim/callee.hpp"
#include "sim/line.hpp"
#include "sim/playback.hpp"
#include "sim/state.hpp"
#include "telephony/twilio/signature.hpp"
#include "telephony/twilio/stream_message.hpp"
#include "timing/time_source.hpp"

namespace va::sim {

namespace asio = boost::asio;
namespace json = boost::json;

namespace {

constexpr std::size_t kFrameSamples = 160;  // 20 ms at 8 kHz
constexpr auto kFrame = std::chrono::milliseconds(20);

// What the reader and the loop share; the reader keeps it (and the socket) alive until it ends.
struct Session {
    std::shared_ptr<LiveCall> call;
    std::unique_ptr<net::WebSocket> socket;
    std::string stream_sid;
    std::int64_t started_ms = 0;  // report time of the stream start
    PlaybackBuffer playback;
    bool closed = false;  // the reader saw the socket end
    std::optional<std::int64_t> barge_in_at_ms;
    std::uint64_t sequence = 0;  // of the last message sent
};

std::int64_t stream_ms(const Session& s) { return s.call->report.elapsed_ms() - s.started_ms; }

asio::awaitable<void> read_agent(std::shared_ptr<Session> session) {
    auto& report = session->call->report;
    while (auto message = co_await session->socket->read()) {
        if (!message->text) {
            report.event("agent", "binary frame ignored", {{"bytes", message->data.size()}});
            continue;
        }
        auto parsed = twilio::parse_outbound(message->data);
        if (auto* error = std::get_if<twilio::MessageError>(&parsed)) {
            spdlog::warn("sim: call {}: bad stream message ignored: {}", session->call->sid, error->message);
            report.event("agent", "bad message ignored", {{"error", error->message}});
            continue;
        }
        auto& ok = std::get<twilio::ParsedOutbound>(parsed);
        if (ok.stream_sid != session->stream_sid) {
            report.event("agent", "message for another stream ignored", {{"streamSid", ok.stream_sid}});
            continue;
        }
        if (auto* media = std::get_if<twilio::OutboundMedia>(&ok.message)) {
            report.count_frame(false);
            if (!session->playback.has_audio())
                report.event("agent", "media", {{"bytes", media->payload.size()}, {"bufferWasEmpty", true}});
            session->playback.push_audio(media->payload);
        } else if (auto* mark = std::get_if<twilio::OutboundMark>(&ok.message)) {
            report.event("agent", "mark", {{"name", mark->name}, {"queuedMs", session->playback.queued_samples() / 8}});
            session->playback.push_mark(mark->name);
        } else {
            report.event("agent", "clear", {{"droppedMs", session->playback.queued_samples() / 8}});
            session->playback.clear();
            if (session->barge_in_at_ms) {
                report.barge_in_latency(stream_ms(*session) - *session->barge_in_at_ms);
                session->barge_in_at_ms.reset();
            }
        }
    }
    session->closed = true;
    report.event("agent", "stream closed", {{"reason", session->socket->close_reason()}});
}

// Sequence numbers: "connected" has none, "start" is 1, then one more per message. Call it
// outside co_await expressions: g++ 12 destroys temporaries built inside one twice.
std::string encode(Session& session, const twilio::InboundMessage& message) {
    const bool numbered = !std::holds_alternative<twilio::Connected>(message);
    return twilio::to_json(message, numbered ? ++session.sequence : 0, session.stream_sid);
}

const Utterance* utterance_of(const Simulator::State& state, const LiveCall& call, const Step& step) {
    if (step.kind != Step::Kind::say) return nullptr;
    auto it = state.utterances.find(audio_key(call.scenario, step));
    return it == state.utterances.end() ? nullptr : &it->second;
}

Callee make_callee(const Simulator::State& state, const LiveCall& call) {
    std::vector<std::vector<std::uint8_t>> audio;
    for (const auto& step : call.scenario.script) {
        const auto* utterance = utterance_of(state, call, step);
        audio.push_back(utterance ? utterance->mulaw : std::vector<std::uint8_t>{});
    }
    return Callee(call.scenario.script, std::move(audio), kFrameSamples);
}

// What the report says of an utterance that starts: its text, label, and where its voice is.
json::object starts_speaking(const Simulator::State& state, const LiveCall& call, const CalleeTick& tick) {
    json::object detail{{"text", *tick.started_saying}};
    const auto& step = call.scenario.script[tick.step];
    if (!step.label.empty()) detail["label"] = step.label;
    if (const auto* utterance = utterance_of(state, call, step)) {
        detail["leadMs"] = utterance->lead.count();
        detail["voicedMs"] = utterance->voiced.count();
    }
    return detail;
}

}  // namespace

asio::awaitable<StreamEnd> run_media_stream(std::shared_ptr<Simulator::State> state, std::shared_ptr<LiveCall> call,
                                            twilio::ConnectStream stream) {
    auto& report = call->report;
    const auto record = state->record(call->sid);
    // The upgrade is signed like a GET of the stream URL (no parameters).
    net::Fields headers{{"X-Twilio-Signature", twilio::compute_signature(state->options.auth_token, stream.url, {})}};
    auto connected = co_await net::connect_websocket(call->strand, stream.url, std::move(headers));
    if (!connected.socket) {
        // Twilio: 31920 Stream - WebSocket - Handshake Error; the TwiML goes on.
        report.event("sim", "stream connect failed", {{"code", 31920}, {"error", connected.error},
                                                      {"httpStatus", connected.status}});
        co_return StreamEnd::failed;
    }
    auto session = std::make_shared<Session>();
    session->call = call;
    session->socket = std::move(connected.socket);
    session->stream_sid = new_sid("MZ");
    session->started_ms = report.elapsed_ms();
    report.event("sim", "stream connected", {{"streamSid", session->stream_sid}});

    twilio::Start start;
    start.stream_sid = session->stream_sid;
    start.account_sid = record.account_sid;
    start.call_sid = record.sid;
    for (const auto& p : stream.parameters) start.custom_parameters.emplace_back(p.name, p.value);
    auto hello = encode(*session, twilio::Connected{});
    bool ok = co_await session->socket->write_text(std::move(hello));
    auto started = encode(*session, start);
    if (ok) ok = co_await session->socket->write_text(std::move(started));
    report.event("callee", "start", {{"customParameters", static_cast<std::int64_t>(start.custom_parameters.size())}});
    net::spawn_logged(call->strand, read_agent(session), "sim stream reader");

    Callee callee = make_callee(*state, *call);
    Line line(call->scenario.line, speech_level(call->scenario, state->utterances),
              line_seed(state->options.scenario.seed, record.to));
    if (call->scenario.line.echo_db) report.note("echoDelayMs", line.echo_delay().count());
    auto end = StreamEnd::hangup;
    auto next_tick = timing::real_time().steady_now();
    std::uint64_t chunk = 0;
    bool agent_was_playing = false;
    std::optional<std::int64_t> callee_ended_at;
    while (ok) {
        next_tick += kFrame;
        if (!co_await wait_until(*call, next_tick)) {
            end = call->pending && call->pending->kind == Interrupt::Kind::redirect ? StreamEnd::interrupted
                                                                                     : StreamEnd::hangup;
            break;
        }
        if (session->closed) {
            end = StreamEnd::agent_closed;
            break;
        }
        auto now = stream_ms(*session);
        auto played = session->playback.play(kFrameSamples);
        const bool agent_playing = !played.empty();
        if (agent_playing && !agent_was_playing) {
            report.event("callee", "hears agent");
            if (callee_ended_at) report.response_latency(now - *callee_ended_at);
            callee_ended_at.reset();
        }
        if (!agent_playing && agent_was_playing) report.event("callee", "agent silent");
        agent_was_playing = agent_playing;
        for (auto& name : session->playback.take_ready_marks()) {
            report.event("callee", "mark echoed", {{"name", name}});
            auto echo = encode(*session, twilio::Mark{name});
            if (ok) ok = co_await session->socket->write_text(std::move(echo));
        }

        auto tick = callee.tick(now, agent_playing);
        if (tick.started_saying) {
            auto detail = starts_speaking(*state, *call, tick);
            if (agent_playing) {
                detail["bargeIn"] = true;
                session->barge_in_at_ms = now;
            }
            report.event("callee", "starts speaking", std::move(detail));
            callee_ended_at.reset();
        }
        if (tick.finished_saying) {
            report.event("callee", "stops speaking");
            callee_ended_at = now;
        }
        line.carry(tick.audio, played);
        report.audio(tick.audio, played);
        twilio::Media media;
        media.chunk = ++chunk;
        media.timestamp_ms = static_cast<std::uint64_t>(now);
        media.payload = std::move(tick.audio);
        report.count_frame(true);
        auto frame = encode(*session, media);
        if (ok) ok = co_await session->socket->write_text(std::move(frame));
        if (tick.digit) {
            report.event("callee", "dtmf", {{"digit", std::string(1, *tick.digit)}});
            auto digit = encode(*session, twilio::Dtmf{"inbound_track", std::string(1, *tick.digit)});
            if (ok) ok = co_await session->socket->write_text(std::move(digit));
        }
        if (tick.hangup) {
            report.event("callee", "hangs up");
            break;
        }
    }
    if (!ok && !session->closed) report.event("sim", "stream write failed");
    if (end != StreamEnd::agent_closed && !session->closed) {
        auto stop = encode(*session, twilio::Stop{record.account_sid, record.sid});
        co_await session->socket->write_text(std::move(stop));
        co_await session->socket->close("call ended");
    }
    if (!ok) end = StreamEnd::agent_closed;
    co_return end;
}

}  // namespace va::sim
