#include "call/incoming_webhook.hpp"

#include <spdlog/spdlog.h>

#include "call/recipient_prompt.hpp"
#include "core/id.hpp"
#include "core/phone.hpp"
#include "net/offload.hpp"
#include "telephony/twilio/twiml.hpp"
#include "telephony/twilio/webhook.hpp"

namespace va::call {

namespace {

constexpr std::string_view kDeclined = "Sorry, this number cannot take calls right now. Goodbye.";

net::Response twiml(std::string body) {
    net::Response response;
    response.content_type = "text/xml";
    response.body = std::move(body);
    return response;
}

std::string param(const twilio::Params& params, std::string_view name) {
    auto value = twilio::find_param(params, name);
    return value ? std::string(*value) : std::string();
}

// The call log of a call our dispatcher did not place: created when Twilio asks for TwiML.
store::CallLog answered_log(const twilio::Params& form, std::string id, std::string scheduled_call_id,
                            core::TimePoint now) {
    store::CallLog log;
    log.id = std::move(id);
    log.scheduled_call_id = std::move(scheduled_call_id);
    log.to = param(form, "To");
    log.from = param(form, "From");
    log.call_sid = param(form, "CallSid");
    log.status = "in-progress";
    log.started_at = log.answered_at = now;
    log.created_at = log.updated_at = now;
    return log;
}

// What the stream will need: the greeting and its voice (to warm the cache) and the token's fields.
struct Answer {
    bool connect = false;
    std::string why_not;  // for the log, when !connect
    bool say_why = false;  // an inbound call we do not take hears so before the hangup
    std::string introduction;
    std::string tts_voice;
    StreamGrant grant;
};

Answer answer_scheduled(CallContext& ctx, const std::string& call_id, const std::string& attempt,
                        const twilio::Params& form) {
    Answer answer;
    auto call = ctx.store.scheduled_calls().get(call_id);
    if (!call) {
        answer.why_not = "no such scheduled call";
        return answer;
    }
    if (call->status == store::CallStatus::canceled) {
        answer.why_not = "the scheduled call is canceled";
        return answer;
    }
    const auto now = ctx.time.now();
    const auto call_sid = param(form, "CallSid");
    if (!ctx.store.call_logs().record_answer(call_sid, now)) {
        answer.why_not = "this call was answered before";
        return answer;
    }
    answer.connect = true;
    // The greeting this recipient will hear, warmed in the cache while Twilio connects the stream.
    answer.introduction = prompt_for(*call, recipient_of(*call, attempt)).greeting;
    answer.tts_voice = call->conversation.tts_voice;
    answer.grant = {call->id, attempt, core::new_object_id(now), call_sid, now + ctx.options.token_lifetime};
    if (attempt.empty()) {
        // Placed by something other than our dispatcher (the original system's Url has no
        // attempt): the call still gets a log of its own.
        ctx.store.call_logs().create(answered_log(form, answer.grant.call_log_id, call->id, now));
    }
    return answer;
}

Answer answer_inbound(CallContext& ctx, const twilio::Params& form) {
    Answer answer;
    if (!ctx.options.inbound) {
        answer.why_not = "no inbound prompt is configured";
        answer.say_why = true;
        return answer;
    }
    const auto now = ctx.time.now();
    if (!ctx.store.call_logs().record_answer(param(form, "CallSid"), now)) {
        answer.why_not = "this call was answered before";
        return answer;
    }
    const auto log = answered_log(form, core::new_object_id(now), "", now);
    ctx.store.call_logs().create(log);
    answer.connect = true;
    answer.introduction = ctx.options.inbound->introduction;
    answer.tts_voice = ctx.options.inbound->conversation.tts_voice;
    answer.grant = {"", "", log.id, log.call_sid, now + ctx.options.token_lifetime};
    return answer;
}

boost::asio::awaitable<net::Response> respond(CallContext& ctx, net::Request request) {
    if (request.method != "POST" && request.method != "GET") {
        co_return net::error_response(405, "method_not_allowed", "the voice webhook takes POST or GET");
    }
    // A GET carries Twilio's parameters in the query, which the signed URL already covers.
    auto webhook = twilio::verify_webhook(request, ctx.options.auth_token, ctx.options.public_url + request.target);
    if (webhook.refusal) {
        spdlog::warn("voice webhook refused: {}", webhook.refusal->body);
        co_return std::move(*webhook.refusal);
    }
    const auto& form = webhook.params;
    const auto call_sid = param(form, "CallSid");
    if (!call_sid.starts_with("CA")) co_return net::error_response(400, "invalid_value", "CallSid is missing", "CallSid");

    const auto call_id = request.query_param("scheduled_call_id");
    const std::string attempt(request.query_param("attempt").value_or(""));
    if (call_id && call_id->empty()) co_return net::error_response(400, "invalid_query", "scheduled_call_id is empty");
    if (!attempt.empty() && !store::parse_attempt_id(attempt)) {
        co_return net::error_response(400, "invalid_query", "attempt is malformed", "attempt");
    }
    const std::string id(call_id.value_or(""));
    std::optional<Answer> answered;
    std::string store_failure;
    try {
        answered = co_await net::offload(ctx.store_pool, [&] {
            return call_id ? answer_scheduled(ctx, id, attempt, form) : answer_inbound(ctx, form);
        });
    } catch (const std::exception& e) {
        store_failure = e.what();
    }
    if (!answered) {
        // A MongoDB outage (or any store failure): the callee is told rather than hearing
        // Twilio's "application error".
        spdlog::warn("call {}: hanging up with an apology: the store failed: {}", call_sid, store_failure);
        co_return twiml(twilio::build_say_hangup(kStoreDownLine));
    }
    auto& answer = *answered;
    if (!answer.connect) {
        spdlog::info("call {} ({} → {}): hanging up: {}", call_sid, core::mask_phone(param(form, "From")),
                     core::mask_phone(param(form, "To")), answer.why_not);
        co_return twiml(answer.say_why ? twilio::build_say_hangup(kDeclined) : twilio::build_hangup());
    }
    if (!answer.introduction.empty()) ctx.greetings.warm(ctx.voices.get(answer.tts_voice), answer.introduction);
    std::vector<twilio::StreamParameter> parameters;
    if (call_id) parameters.push_back({"ScheduledCallId", id});
    parameters.push_back({"IsOutbound", call_id ? "true" : "false"});
    parameters.push_back({"Token", ctx.tokens.issue(answer.grant)});
    spdlog::info("call {}: answered, streaming ({})", call_sid, call_id ? "scheduled call " + id : "inbound");
    co_return twiml(twilio::build_connect_stream(stream_url(ctx.options.public_url), parameters));
}

}  // namespace

net::Handler incoming_webhook(CallContext& context) {
    return [&context](net::Request request) { return respond(context, std::move(request)); };
}

}  // namespace va::call
