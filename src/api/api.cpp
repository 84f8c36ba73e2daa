#include "api/api.hpp"

#include <spdlog/spdlog.h>

#include "api/handlers.hpp"
#include "api/json_input.hpp"

namespace va::api {

namespace {
bool is_api_path(std::string_view path) { return path == "/api" || path.starts_with("/api/"); }

// What a browser may see: the API and the metrics. Health checks answer anyone (load balancers
// probe them with their own Host), and Twilio's webhooks check Twilio's signature.
bool is_guarded_path(std::string_view path) { return is_api_path(path) || path == "/metrics"; }

bool is_mutating(std::string_view method) { return method != "GET" && method != "HEAD" && method != "OPTIONS"; }

net::Response refuse(const ApiError& error) {
    auto response = to_response(error);
    if (error.code == ErrorCode::unauthorized) response.headers.emplace_back("WWW-Authenticate", "Bearer");
    return response;
}

Reply run_with_scope(ApiContext& ctx, Reply (*fn)(ApiContext&, net::Request), Scope scope, net::Request request) {
    if ((request.scopes & scope) != scope) {
        co_return refuse({ErrorCode::forbidden, "this token does not have scope " + std::string(scope_name(scope)), ""});
    }
    std::optional<net::Response> busy;
    try {
        co_return co_await fn(ctx, std::move(request));
    } catch (const store::Busy& e) {
        // Under load the API is told no at once, so that live calls' writes keep their turn.
        busy = refuse({ErrorCode::busy, e.what(), ""});
    } catch (const store::Unavailable& e) {
        // Within --store-timeout-ms; the cause is logged, not told (it may name hosts). The
        // request's own log line names it.
        spdlog::warn("api: store unavailable: {}", e.what());
        busy = refuse({ErrorCode::store_unavailable, "the store is not answering; retry shortly", ""});
    }
    busy->headers.emplace_back("Retry-After", "1");
    co_return std::move(*busy);
}
}  // namespace

Api::Api(ApiContext& context)
    : context_(context),
      auth_(context.options.tokens, context.options.public_url),
      rate_limiter_(context.options.rate_limit) {
    add("GET", "/healthz", kNoScope, healthz);
    add("GET", "/readyz", kNoScope, readyz);
    add("GET", "/metrics", kNoScope, metrics);
    if (context.options.operations_only) return;
    add("GET", "/api/openapi.json", kRead, openapi);

    add("POST", "/api/prompts", kWrite, create_prompt);
    add("GET", "/api/prompts", kRead, list_prompts);
    add("GET", "/api/prompts/{id}", kRead, get_prompt);
    add("GET", "/api/prompts/{id}/introduction.wav", kRead, prompt_introduction_wav);
    add("PUT", "/api/prompts/{id}", kWrite, replace_prompt);
    add("DELETE", "/api/prompts/{id}", kWrite, delete_prompt);

    // Up to 10,000 recipients, each with its variables: a larger body, read only for a caller
    // whose token may write (refused on its head otherwise, before any of it is read).
    add("POST", "/api/scheduled-calls", kWrite, create_scheduled_call, writers_only(kScheduleBodyLimit));
    add("GET", "/api/scheduled-calls", kRead, list_scheduled_calls);
    add("GET", "/api/scheduled-calls/{id}", kRead, get_scheduled_call);
    add("GET", "/api/scheduled-calls/{id}/events", kRead, scheduled_call_events);
    add("PATCH", "/api/scheduled-calls/{id}", kWrite, patch_scheduled_call);
    add("POST", "/api/scheduled-calls/{id}/cancel", kWrite, cancel_scheduled_call);

    // Read scope; the transcripts' text only with scope transcripts (call_logs.cpp).
    add("GET", "/api/call-logs", kRead, list_call_logs);
    add("GET", "/api/call-logs/{id}", kRead, get_call_log);
    add("POST", "/api/call-logs/{id}/hangup", kWrite, hang_up_call);
    add("GET", "/api/live-calls", kRead, list_live_calls);
}

net::HeadRule Api::writers_only(std::size_t body_limit) const {
    return {body_limit, [this](const net::Request& head) -> std::optional<net::Response> {
                auto caller = auth_.authenticate(head);
                if (!caller) return refuse(caller.error());
                if ((caller->scopes & kWrite) != kWrite) {
                    return refuse({ErrorCode::forbidden, "this token does not have scope write", ""});
                }
                return std::nullopt;
            }};
}

void Api::add(std::string method, std::string pattern, Scope scope, Fn fn, net::HeadRule rule) {
    scopes_.push_back({method, pattern, scope});
    router_.add(
        std::move(method), std::move(pattern),
        [&ctx = context_, fn, scope](net::Request request) { return run_with_scope(ctx, fn, scope, std::move(request)); },
        std::move(rule));
}

void Api::add_open_route(std::string method, std::string pattern, net::Handler handler, net::HeadRule rule) {
    router_.add(std::move(method), std::move(pattern), std::move(handler), std::move(rule));
}

net::HeadCheck Api::head_check() const {
    return [this](const net::Request& head, std::size_t default_body_limit) {
        return router_.check_head(head, default_body_limit);
    };
}

boost::asio::awaitable<net::Response> Api::guard_then_route(net::Request request) {
    if (is_guarded_path(request.path)) {
        // /metrics shows call volumes and failures: a token of any scope, unless the operator
        // says Prometheus may scrape it openly (--public-metrics).
        const bool needs_caller = is_api_path(request.path) || auth_.tokenless() || !context_.options.public_metrics;
        if (needs_caller) {
            auto caller = auth_.authenticate(request);
            if (!caller) co_return refuse(caller.error());
            request.scopes = caller->scopes;
            request.caller = caller->key;
            if (is_api_path(request.path)) {
                if (auto wait = rate_limiter_.take(caller->key, context_.clock.now())) {
                    auto response = refuse({ErrorCode::too_many_requests, "over the rate limit; retry later", ""});
                    response.headers.emplace_back("Retry-After", std::to_string(wait->count()));
                    co_return response;
                }
                // A browser sends text/plain, form-urlencoded and multipart from another site
                // without asking first (CORS "simple" requests), never application/json: so a
                // web page can never create or cancel a call through a visitor's browser.
                if (is_mutating(request.method) && !says_json(request)) {
                    co_return refuse({ErrorCode::unsupported_media_type,
                                      "send Content-Type: application/json (also when there is no body)", ""});
                }
            }
        }
    }
    co_return co_await router_.dispatch(std::move(request));
}

net::Handler Api::handler() {
    return [this](net::Request request) { return guard_then_route(std::move(request)); };
}

}  // namespace va::api
