// Status callbacks: form-encoded, signed, one request per event, delivered in order by one sender
// per call, through the scenario's faults (drop, delay, duplicate, reorder).
#include <algorithm>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/as_tuple.hpp>
#include <boost/json.hpp>
#include <spdlog/spdlog.h>

#include "net/http_client.hpp"
#include "net/spawn.hpp"
#include "sim/state.hpp"
#include "telephony/twilio/dates.hpp"
#include "telephony/twilio/signature.hpp"
#include "timing/time_source.hpp"

namespace va::sim {

namespace asio = boost::asio;

namespace {

void report_if_done(const std::shared_ptr<Simulator::State>& state, const std::shared_ptr<LiveCall>& call) {
    if (!call->ended || call->sending || !call->outbox.empty() || call->held) return;
    auto record = state->record(call->sid);
    auto report = call->report.to_json(to_json(record));
    if (!state->options.report_dir.empty()) {
        try {
            call->report.write(state->options.report_dir, call->sid, to_json(record));
        } catch (const std::exception& e) {
            spdlog::error("sim: call report {}: {}", call->sid, e.what());
        }
    }
    {
        std::lock_guard lock(state->mutex);
        state->reports[call->sid] = std::move(report);
        state->live.erase(call->sid);
    }
    state->changed.notify_all();
}

asio::awaitable<void> deliver(std::shared_ptr<Simulator::State> state, std::shared_ptr<LiveCall> call,
                              PendingCallback callback) {
    const auto& faults = call->scenario.callback_faults;
    if (faults.delay.count() > 0) {
        timing::Timer timer(timing::real_time(), call->strand);
        timer.expires_after(faults.delay);
        co_await timer.async_wait(asio::as_tuple(asio::use_awaitable));
    }
    auto record = state->record(call->sid);
    net::ClientRequest request;
    request.method = record.status_callback_method;
    request.url = record.status_callback;
    twilio::Params signed_params = callback.params;
    if (request.method == "GET") {
        request.url += (request.url.find('?') == std::string::npos ? "?" : "&") + twilio::encode_form(callback.params);
        signed_params.clear();
    } else {
        request.body = twilio::encode_form(callback.params);
        request.headers.emplace_back("Content-Type", "application/x-www-form-urlencoded");
    }
    request.headers.emplace_back("X-Twilio-Signature",
                                 twilio::compute_signature(state->options.auth_token, request.url, signed_params));
    request.timeout = std::chrono::seconds(15);  // Twilio's total budget for a webhook
    const int copies = faults.duplicate ? 2 : 1;
    for (int i = 0; i < copies; ++i) {
        auto result = co_await net::http_request(call->strand, request);
        boost::json::object detail{{"callbackEvent", callback.event},
                                   {"sequenceNumber", twilio::find_param(callback.params, "SequenceNumber").value_or("")}};
        if (result.response) {
            detail["httpStatus"] = result.response->status;
        } else {
            detail["error"] = result.error;
        }
        call->report.event("callback", "status callback sent", std::move(detail));
    }
}

asio::awaitable<void> drain(std::shared_ptr<Simulator::State> state, std::shared_ptr<LiveCall> call) {
    while (!call->outbox.empty()) {
        auto next = std::move(call->outbox.front());
        call->outbox.pop_front();
        co_await deliver(state, call, std::move(next));
    }
    call->sending = false;
    report_if_done(state, call);
}

void send(const std::shared_ptr<Simulator::State>& state, const std::shared_ptr<LiveCall>& call,
          PendingCallback callback, bool last) {
    if (call->scenario.callback_faults.reorder) {
        // Each callback overtakes the one before it: 1 0 3 2 ..., the last one flushes.
        if (!call->held && !last) {
            call->held = std::move(callback);
            return;
        }
        call->outbox.push_back(std::move(callback));
        if (call->held) call->outbox.push_back(std::move(*std::exchange(call->held, std::nullopt)));
    } else {
        call->outbox.push_back(std::move(callback));
    }
    if (call->sending) return;
    call->sending = true;
    net::spawn_logged(call->strand, drain(state, call), "sim status callbacks");
}

}  // namespace

void queue_status_callback(const std::shared_ptr<Simulator::State>& state, const std::shared_ptr<LiveCall>& call,
                           std::string event) {
    auto record = state->record(call->sid);
    const bool last = event == "completed";
    bool wanted = record.status_callback_events.contains(event);
    const auto& drop = call->scenario.callback_faults.drop;
    const bool dropped = std::find(drop.begin(), drop.end(), event) != drop.end();
    if (record.status_callback.empty() || !wanted) {
        if (last && call->held) send(state, call, std::move(*std::exchange(call->held, std::nullopt)), false);
        return;
    }
    // Twilio numbers the callbacks it sends for a call, from 0.
    auto sequence = call->next_sequence++;
    if (dropped) {
        call->report.event("callback", "status callback dropped (fault)",
                           {{"callbackEvent", event}, {"sequenceNumber", std::to_string(sequence)}});
        if (last && call->held) send(state, call, std::move(*std::exchange(call->held, std::nullopt)), false);
        return;
    }
    twilio::Params params{
        {"AccountSid", record.account_sid},
        {"ApiVersion", "2010-04-01"},
        {"CallSid", record.sid},
        {"CallStatus", event == "initiated" ? std::string("initiated") : record.status},
        {"Called", record.to},
        {"Caller", record.from},
        {"CallbackSource", "call-progress-events"},
        {"Direction", "outbound-api"},
        {"From", record.from},
        {"SequenceNumber", std::to_string(sequence)},
        {"Timestamp", twilio::format_rfc2822(state->twilio_now())},
        {"To", record.to},
    };
    if (last) {
        params.emplace_back("CallDuration", std::to_string(record.duration_s.value_or(0)));
        params.emplace_back("Duration", std::to_string((record.duration_s.value_or(0) + 59) / 60));
        const auto& s = record.status;
        params.emplace_back("SipResponseCode", s == "busy" ? "486" : s == "no-answer" ? "487"
                                               : s == "failed" ? "500" : s == "canceled" ? "487" : "200");
    }
    if (!record.answered_by.empty()) params.emplace_back("AnsweredBy", record.answered_by);
    send(state, call, PendingCallback{std::move(event), std::move(params)}, last);
}

void finish_when_delivered(const std::shared_ptr<Simulator::State>& state, const std::shared_ptr<LiveCall>& call) {
    call->ended = true;
    report_if_done(state, call);
}

}  // namespace va::sim
