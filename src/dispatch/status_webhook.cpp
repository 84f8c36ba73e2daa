#include "dispatch/status_webhook.hpp"

#include <boost/asio/this_coro.hpp>
#include <spdlog/spdlog.h>

#include "core/id.hpp"
#include "dispatch/hang_up.hpp"
#include "dispatch/status_event.hpp"
#include "net/offload.hpp"
#include "telephony/twilio/webhook.hpp"

namespace va::dispatch {

namespace {

net::Response no_content() {
    net::Response response;
    response.status = 204;
    response.content_type = "text/plain";
    return response;
}

boost::asio::awaitable<net::Response> respond(StatusWebhookContext& ctx, net::Request request) {
    if (request.method != "POST") co_return net::error_response(405, "method_not_allowed", "status callbacks are POSTs");
    auto webhook = twilio::verify_webhook(request, ctx.auth_token, ctx.public_url + request.target);
    if (webhook.refusal) {
        spdlog::warn("status callback refused: {}", webhook.refusal->body);
        co_return std::move(*webhook.refusal);
    }
    const auto& form = webhook.params;
    auto attempt = request.query_param("attempt");
    auto key = attempt ? store::parse_attempt_id(*attempt) : std::nullopt;
    if (!key) co_return net::error_response(400, "invalid_query", "attempt is missing or malformed", "attempt");
    auto now = ctx.clock.now();
    CallbackError error;
    auto event = event_from_callback(*key, form, now, error);
    if (!event) co_return net::error_response(400, "invalid_value", error.message);
    event->log_id = core::new_object_id(now);

    auto result = co_await net::offload(ctx.store_pool, [&] {
        return ctx.store.apply_status(*event, ctx.default_retry, ctx.clock.now());
    });
    if (result == store::StatusResult::unknown) {
        spdlog::warn("status callback for {} {}: no such attempt or another call", *attempt, event->call_sid);
    } else if (result == store::StatusResult::applied_to_canceled) {
        if (ctx.twilio) hang_up(*ctx.twilio, co_await boost::asio::this_coro::executor, event->call_sid, event->status);
    } else if (result == store::StatusResult::applied) {
        spdlog::info("call {} of {}: {}", event->call_sid, *attempt, store::to_string(event->status));
        if (store::is_final(event->status) && ctx.on_final) ctx.on_final();
    }
    co_return no_content();
}

}  // namespace

net::Handler status_webhook(StatusWebhookContext& context) {
    return [&context](net::Request request) { return respond(context, std::move(request)); };
}

}  // namespace va::dispatch
