// The life of one simulated call: queued (paced) → initiated → ringing → busy | no-answer |
// failed | answered → voice webhook → TwiML → ... → completed, with a status callback per event.
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/json.hpp>
#include <spdlog/spdlog.h>

#include "core/metrics.hpp"
#include "net/http_client.hpp"
#include "sim/state.hpp"
#include "telephony/twilio/signature.hpp"
#include "timing/time_source.hpp"

namespace va::sim {

namespace asio = boost::asio;
namespace json = boost::json;

namespace {

void set_status(Simulator::State& state, LiveCall& call, const std::string& status) {
    state.update(call.sid, [&](CallRecord& r) {
        r.status = status;
        r.date_updated = state.twilio_now();
    });
    call.report.event("sim", "status", {{"status", status}});
}

// The callee hangs up, or the agent (TimeLimit) runs out: whichever comes first.
void set_end_deadline(LiveCall& call, const CallRecord& record) {
    auto now = timing::real_time().steady_now();
    if (call.scenario.hangup_after) call.end_deadline = now + *call.scenario.hangup_after;
    if (record.time_limit_s) {
        auto limit = now + std::chrono::seconds(*record.time_limit_s);
        call.end_deadline = call.end_deadline ? std::min(*call.end_deadline, limit) : limit;
    }
}

std::optional<twilio::TwimlDocument> parse_or_log(LiveCall& call, std::string_view xml) {
    auto parsed = twilio::parse_twiml(xml);
    if (auto* error = std::get_if<twilio::TwimlError>(&parsed)) {
        // Twilio: 12100 Document parse failure; the call ends.
        call.report.event("webhook", "TwiML error", {{"code", 12100}, {"message", error->message}});
        return std::nullopt;
    }
    return std::get<twilio::TwimlDocument>(std::move(parsed));
}

// Asks the voice webhook what to do, as Twilio does when the callee answers (or on a redirect).
asio::awaitable<std::optional<twilio::TwimlDocument>> fetch_twiml(std::shared_ptr<Simulator::State> state,
                                                                  std::shared_ptr<LiveCall> call, std::string url,
                                                                  std::string method) {
    auto record = state->record(call->sid);
    twilio::Params params{
        {"AccountSid", record.account_sid}, {"ApiVersion", "2010-04-01"}, {"CallSid", record.sid},
        {"CallStatus", record.status},      {"Called", record.to},        {"Caller", record.from},
        {"Direction", "outbound-api"},      {"From", record.from},        {"To", record.to},
    };
    if (!record.answered_by.empty()) params.emplace_back("AnsweredBy", record.answered_by);
    net::ClientRequest request;
    request.method = method;
    request.url = std::move(url);
    if (method == "GET") {
        request.url += (request.url.find('?') == std::string::npos ? "?" : "&") + twilio::encode_form(params);
        params.clear();
    } else {
        request.body = twilio::encode_form(params);
        request.headers.emplace_back("Content-Type", "application/x-www-form-urlencoded");
    }
    request.headers.emplace_back("X-Twilio-Signature",
                                 twilio::compute_signature(state->options.auth_token, request.url, params));
    request.timeout = std::chrono::seconds(15);
    auto started = call->report.elapsed_ms();
    auto result = co_await net::http_request(call->strand, std::move(request));
    if (!result.response || result.response->status / 100 != 2) {
        // Twilio: 11200 HTTP retrieval failure; the caller hears "an application error" and the call ends.
        json::object detail{{"code", 11200}};
        if (result.response) detail["httpStatus"] = result.response->status;
        else detail["error"] = result.error;
        call->report.event("webhook", "voice webhook failed", std::move(detail));
        co_return std::nullopt;
    }
    call->report.event("webhook", "voice webhook answered",
                       {{"httpStatus", result.response->status}, {"ms", call->report.elapsed_ms() - started}});
    co_return parse_or_log(*call, result.response->body);
}

enum class Flow { hangup, redirect };

// Runs the verbs in order. `redirect` receives the new TwiML source when the answer is Flow::redirect.
asio::awaitable<Flow> run_document(std::shared_ptr<Simulator::State> state, std::shared_ptr<LiveCall> call,
                                   twilio::TwimlDocument document, Interrupt& redirect) {
    auto interrupted = [&]() -> Flow {
        if (call->pending && call->pending->kind == Interrupt::Kind::redirect) {
            redirect = *std::exchange(call->pending, std::nullopt);
            return Flow::redirect;
        }
        return Flow::hangup;  // a hang-up asked through the REST API, or the callee hung up
    };
    for (auto& verb : document.verbs) {
        if (call->pending) co_return interrupted();
        if (auto* say = std::get_if<twilio::Say>(&verb)) {
            // No synthesis: the callee only needs the time it takes (about 65 ms a character).
            auto loops = std::max(say->loop, 1);
            auto ms = std::min<std::int64_t>(60'000, static_cast<std::int64_t>(say->text.size()) * 65 * loops);
            call->report.event("agent", "say", {{"text", say->text}, {"ms", ms}});
            if (!co_await wait_until(*call, timing::real_time().steady_now() + std::chrono::milliseconds(ms))) co_return interrupted();
        } else if (auto* pause = std::get_if<twilio::Pause>(&verb)) {
            call->report.event("agent", "pause", {{"seconds", pause->length_s}});
            if (!co_await wait_until(*call, timing::real_time().steady_now() + std::chrono::seconds(pause->length_s)))
                co_return interrupted();
        } else if (std::holds_alternative<twilio::Hangup>(verb)) {
            call->report.event("agent", "hangup");
            co_return Flow::hangup;
        } else if (auto* stream = std::get_if<twilio::ConnectStream>(&verb)) {
            auto end = co_await run_media_stream(state, call, *stream);
            if (end == StreamEnd::hangup || end == StreamEnd::interrupted) co_return interrupted();
        } else if (auto* dial = std::get_if<twilio::Dial>(&verb)) {
            // The simulator does not bridge a second leg: it records the transfer and ends the call.
            call->report.event("agent", "dial", {{"number", dial->number}});
            call->report.note("transfer", json::object{{"number", dial->number}});
            co_return Flow::hangup;
        } else if (auto* to = std::get_if<twilio::Redirect>(&verb)) {
            redirect = Interrupt{Interrupt::Kind::redirect, to->url, "POST", {}};
            co_return Flow::redirect;
        } else {
            auto name = std::get<twilio::Unsupported>(verb).verb;
            spdlog::warn("sim: call {}: unsupported TwiML verb <{}> skipped", call->sid, name);
            call->report.event("sim", "unsupported verb", {{"verb", name}});
        }
    }
    co_return Flow::hangup;  // the end of the document ends the call
}

asio::awaitable<void> converse(std::shared_ptr<Simulator::State> state, std::shared_ptr<LiveCall> call) {
    auto record = state->record(call->sid);
    std::optional<twilio::TwimlDocument> document;
    if (!record.url.empty()) {
        document = co_await fetch_twiml(state, call, record.url, record.method);
    } else {
        document = parse_or_log(*call, record.twiml);
    }
    while (document) {
        Interrupt next;
        auto current = std::move(*document);
        document.reset();
        auto flow = co_await run_document(state, call, std::move(current), next);
        if (flow == Flow::hangup) co_return;
        call->report.event("sim", "redirect", {{"url", next.url}, {"inlineTwiml", !next.twiml.empty()}});
        if (next.url.empty()) {
            document = parse_or_log(*call, next.twiml);
        } else {
            document = co_await fetch_twiml(state, call, next.url, next.method);
        }
    }
}

void finish(const std::shared_ptr<Simulator::State>& state, const std::shared_ptr<LiveCall>& call,
            const std::string& status) {
    auto now = state->twilio_now();
    state->update(call->sid, [&](CallRecord& r) {
        r.status = status;
        r.end_time = now;
        r.date_updated = now;
        if (r.start_time) {
            auto ms = (now - *r.start_time).count();
            r.duration_s = (ms + 999) / 1000;  // Twilio bills and reports whole seconds, rounded up
        }
    });
    call->report.event("sim", "status", {{"status", status}});
    state->metrics.counter("sim_calls_total", "Simulated calls by final status.", {{"status", status}}).inc();
    queue_status_callback(state, call, "completed");
    finish_when_delivered(state, call);
    state->changed.notify_all();
}

}  // namespace

asio::awaitable<bool> wait_until(LiveCall& call, timing::SteadyTime until) {
    if (call.pending) co_return false;
    auto deadline = call.end_deadline ? std::min(until, *call.end_deadline) : until;
    call.wake.expires_at(deadline);
    co_await call.wake.async_wait(asio::as_tuple(asio::use_awaitable));
    if (call.pending) co_return false;
    co_return !(call.end_deadline && timing::real_time().steady_now() >= *call.end_deadline);
}

asio::awaitable<void> run_call(std::shared_ptr<Simulator::State> state, std::shared_ptr<LiveCall> call) {
    auto record = state->record(call->sid);
    const auto& scenario = call->scenario;
    call->report.event("sim", "created", {{"queueTimeMs", record.queue_time_ms}});

    // Queued until the account's calls-per-second pacing lets it start.
    if (!co_await wait_until(*call, timing::real_time().steady_now() + std::chrono::milliseconds(record.queue_time_ms))) {
        co_return finish(state, call, "canceled");
    }
    call->report.event("sim", "dialing");
    queue_status_callback(state, call, "initiated");
    if (scenario.outcome == Outcome::failed) co_return finish(state, call, "failed");

    set_status(*state, *call, "ringing");
    queue_status_callback(state, call, "ringing");
    const auto timeout = std::chrono::milliseconds(std::chrono::seconds(record.timeout_s));
    const bool answers = scenario.outcome == Outcome::answered && scenario.ring < timeout;
    auto ring = scenario.outcome == Outcome::busy ? std::min(scenario.ring, timeout) : answers ? scenario.ring : timeout;
    if (!co_await wait_until(*call, timing::real_time().steady_now() + ring)) co_return finish(state, call, "canceled");
    if (scenario.outcome == Outcome::busy) co_return finish(state, call, "busy");
    if (!answers) co_return finish(state, call, "no-answer");

    state->update(call->sid, [&](CallRecord& r) {
        r.status = "in-progress";
        r.start_time = state->twilio_now();
        r.date_updated = *r.start_time;
        if (!r.machine_detection.empty()) r.answered_by = scenario.answered_by;
    });
    call->report.event("sim", "status", {{"status", "in-progress"}});
    set_end_deadline(*call, state->record(call->sid));
    queue_status_callback(state, call, "answered");
    co_await converse(state, call);
    call->pending.reset();
    finish(state, call, "completed");
}

}  // namespace va::sim
