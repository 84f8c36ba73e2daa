// /api/call-logs: one record per dialed call, written by the dispatcher and the call session.
#include "api/handlers.hpp"
#include "api/json_output.hpp"
#include "api/query.hpp"
#include "core/time_format.hpp"
#include "net/offload.hpp"

namespace va::api {

namespace {
// A caller without scope `transcripts` sees each turn's timing and latency, never what was said,
// nor the prompt and greeting rendered with the callee's variables.
boost::json::value shown_to(const net::Request& request, boost::json::value log) {
    if (request.scopes & kTranscripts) return log;
    for (auto& turn : log.at("transcript").as_array()) turn.as_object()["text"] = nullptr;
    log.as_object()["content"] = nullptr;
    log.as_object()["introduction"] = nullptr;
    return log;
}
}  // namespace

Reply list_call_logs(ApiContext& ctx, net::Request request) {
    QueryReader query(request);
    query.reject_unknown({"scheduledCallId", "phoneNumber", "status", "limit", "cursor"});
    store::CallLogQuery q;
    q.scheduled_call_id = query.string("scheduledCallId");
    q.status = query.string("status");
    if (auto number = query.string("phoneNumber")) {
        // Stored numbers are E.164, so the filter is normalised the same way; but it is not a
        // dial, so a number the policy would not call now (another country, a premium line) is
        // still looked up.
        const core::PhoneValidator lookup({ctx.phones.policy().default_region, {}, true, true});
        auto check = lookup.check(*number);
        if (check.ok()) {
            q.phone_number = check.e164;
        } else {
            query.fail(ErrorCode::invalid_query, "phoneNumber: " + std::string(core::describe(*check.error)),
                       "phoneNumber");
        }
    }
    q.page = query.page();
    if (query.error()) co_return to_response(*query.error());
    auto page = co_await net::offload(ctx.compute_pool, [&] { return ctx.store.call_logs().list(q); });
    auto out = page_to_json(page);
    for (auto& item : out.at("items").as_array()) item = shown_to(request, std::move(item));
    co_return json_response(200, out);
}

Reply list_live_calls(ApiContext& ctx, net::Request request) {
    QueryReader query(request);
    query.reject_unknown({"limit", "cursor"});
    store::CallLogQuery q;
    q.status = "in-progress";  // answered, no final status yet: whichever process holds its stream
    q.page = query.page();
    if (query.error()) co_return to_response(*query.error());
    auto page = co_await net::offload(ctx.compute_pool, [&] { return ctx.store.call_logs().list(q); });
    boost::json::array items;
    for (const auto& log : page.items) {
        boost::json::value last_turn = nullptr;
        if (!log.transcript.empty()) {
            const auto& turn = log.transcript.back();
            last_turn = {{"role", turn.role},
                         {"text", request.scopes & kTranscripts ? boost::json::value(turn.text) : nullptr},
                         {"at", core::format_rfc3339(turn.ended_at)}};
        }
        items.push_back({{"callLogId", log.id},
                         {"scheduledCallId", log.scheduled_call_id.empty() ? boost::json::value(nullptr)
                                                                           : boost::json::value(log.scheduled_call_id)},
                         {"callSid", log.call_sid},
                         {"to", log.to},
                         {"answeredAt", log.answered_at ? boost::json::value(core::format_rfc3339(*log.answered_at))
                                                        : boost::json::value(nullptr)},
                         {"lastTurn", std::move(last_turn)}});
    }
    auto out = page_to_json(page);
    out.as_object()["items"] = std::move(items);
    co_return json_response(200, out);
}

Reply hang_up_call(ApiContext& ctx, net::Request request) {
    if (!request.body.empty()) co_return to_response({ErrorCode::invalid_value, "hangup takes no request body", ""});
    std::string id(request.path_param("id"));
    auto log = co_await net::offload(ctx.compute_pool, [&] { return ctx.store.call_logs().get(id); });
    if (!log) co_return to_response({ErrorCode::not_found, "no call log with this id", "id"});
    if (log->status != "in-progress" || log->call_sid.empty()) {
        co_return to_response({ErrorCode::not_live, "the call is not in progress (it is " +
                                                        (log->status.empty() ? std::string("not answered") : log->status) +
                                                        ")", ""});
    }
    if (!ctx.hang_up_call) {
        co_return to_response({ErrorCode::unavailable, "this server cannot reach Twilio (it is not configured)", ""});
    }
    ctx.hang_up_call(log->call_sid);
    co_return json_response(202, boost::json::object{{"id", log->id}});
}

Reply get_call_log(ApiContext& ctx, net::Request request) {
    std::string id(request.path_param("id"));
    auto log = co_await net::offload(ctx.compute_pool, [&] { return ctx.store.call_logs().get(id); });
    if (!log) co_return to_response({ErrorCode::not_found, "no call log with this id", "id"});
    co_return json_response(200, shown_to(request, to_json(*log)));
}

}  // namespace va::api
