// GET /api/scheduled-calls/{id}/events: the call pushed to the browser as it changes, as
// Server-Sent Events over one streamed response. Changes reach the store from any process (a
// dispatcher elsewhere, a status callback on another web process), so the stream reads the call
// again every `live_poll` and sends it when its JSON differs from what it sent last.
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/json/serialize.hpp>
#include <spdlog/spdlog.h>

#include "api/handlers.hpp"
#include "api/json_output.hpp"
#include "net/offload.hpp"

namespace va::api {

namespace {

constexpr auto kPingEvery = std::chrono::seconds(15);  // below every proxy's idle timeout

boost::asio::awaitable<void> push_call(ApiContext& ctx, std::string id, net::ResponseStream& out) {
    timing::Timer pause(ctx.clock, co_await boost::asio::this_coro::executor);
    std::string sent;
    auto last_write = ctx.clock.steady_now();
    while (out.open()) {
        std::optional<std::string> now_json;
        bool gone = false;
        try {
            auto call = co_await net::offload(ctx.compute_pool, [&] { return ctx.store.scheduled_calls().get(id); });
            gone = !call;
            if (call) now_json = boost::json::serialize(to_json(*call));
        } catch (const std::exception& e) {
            // The store is down or busy: say nothing new this round; the stream stays open.
            spdlog::warn("api: events: {}", e.what());
        }
        if (gone) {
            co_await out.write("event: gone\ndata: {}\n\n");  // purged: nothing more will come
            co_return;
        }
        std::string message;
        if (now_json && *now_json != sent) {
            message = "event: scheduled-call\ndata: " + *now_json + "\n\n";
            sent = std::move(*now_json);
        } else if (ctx.clock.steady_now() - last_write >= kPingEvery) {
            message = ": ping\n\n";
        }
        if (!message.empty()) {
            if (!co_await out.write(std::move(message))) co_return;
            last_write = ctx.clock.steady_now();
        }
        pause.expires_after(ctx.options.live_poll);
        co_await pause.async_wait(boost::asio::as_tuple(boost::asio::use_awaitable));
    }
}

}  // namespace

Reply scheduled_call_events(ApiContext& ctx, net::Request request) {
    std::string id(request.path_param("id"));
    auto exists = co_await net::offload(ctx.compute_pool, [&] { return ctx.store.scheduled_calls().get(id).has_value(); });
    if (!exists) co_return to_response({ErrorCode::not_found, "no scheduled call with this id", "id"});
    net::Response response;
    response.content_type = "text/event-stream";
    response.headers.emplace_back("Cache-Control", "no-cache");
    response.headers.emplace_back("X-Accel-Buffering", "no");  // nginx passes each event on at once
    response.stream = [&ctx, id](net::ResponseStream& out) { return push_call(ctx, id, out); };
    co_return response;
}

}  // namespace va::api
