#include "api/api.hpp"

#include "api/handlers.hpp"

namespace va::api {

namespace {
bool is_api_path(std::string_view path) { return path == "/api" || path.starts_with("/api/"); }

boost::asio::awaitable<net::Response> authorize_then_route(const ApiAuth& auth, const net::Router& router,
                                                          net::Request request) {
    if (is_api_path(request.path)) {
        if (auto error = auth.check(request)) {
            auto response = to_response(*error);
            if (error->code == ErrorCode::unauthorized) response.headers.emplace_back("WWW-Authenticate", "Bearer");
            co_return response;
        }
    }
    co_return co_await router.dispatch(std::move(request));
}
}  // namespace

Api::Api(ApiContext& context) : context_(context), auth_(context.options.tokens), router_() {
    using Fn = Reply (*)(ApiContext&, net::Request);
    auto add = [this](std::string method, std::string pattern, Fn fn) {
        router_.add(std::move(method), std::move(pattern),
                    [&ctx = context_, fn](net::Request request) { return fn(ctx, std::move(request)); });
    };
    add("GET", "/healthz", healthz);
    add("GET", "/readyz", readyz);
    add("GET", "/metrics", metrics);
    add("GET", "/api/openapi.json", openapi);

    add("POST", "/api/prompts", create_prompt);
    add("GET", "/api/prompts", list_prompts);
    add("GET", "/api/prompts/{id}", get_prompt);
    add("PUT", "/api/prompts/{id}", replace_prompt);
    add("DELETE", "/api/prompts/{id}", delete_prompt);

    add("POST", "/api/scheduled-calls", create_scheduled_call);
    add("GET", "/api/scheduled-calls", list_scheduled_calls);
    add("GET", "/api/scheduled-calls/{id}", get_scheduled_call);
    add("PATCH", "/api/scheduled-calls/{id}", patch_scheduled_call);
    add("POST", "/api/scheduled-calls/{id}/cancel", cancel_scheduled_call);

    add("GET", "/api/call-logs", list_call_logs);
    add("GET", "/api/call-logs/{id}", get_call_log);
}

net::Handler Api::handler() {
    return [this](net::Request request) { return authorize_then_route(auth_, router_, std::move(request)); };
}

}  // namespace va::api
