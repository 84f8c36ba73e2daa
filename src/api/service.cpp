// Service endpoints: liveness, readiness, metrics and the API's own description.
#include "api/handlers.hpp"
#include "api/json_output.hpp"
#include "api/openapi.hpp"
#include "net/offload.hpp"

namespace va::api {

Reply healthz(ApiContext&, net::Request) { co_return json_response(200, {{"status", "ok"}}); }

Reply readyz(ApiContext& ctx, net::Request) {
    bool ready = false;
    try {
        ready = co_await net::offload(ctx.compute_pool, [&] { return ctx.store.ping(); });
    } catch (const std::exception&) {
        ready = false;
    }
    if (!ready) co_return json_response(503, {{"status", "unavailable"}, {"store", "not answering"}});
    co_return json_response(200, {{"status", "ready"}, {"store", "ok"}});
}

Reply metrics(ApiContext& ctx, net::Request) {
    net::Response response;
    response.content_type = "text/plain; version=0.0.4; charset=utf-8";
    response.body = ctx.metrics.render();
    co_return response;
}

Reply openapi(ApiContext&, net::Request) {
    net::Response response;
    response.body = std::string(openapi_document());
    co_return response;
}

}  // namespace va::api
