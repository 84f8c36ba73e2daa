#pragma once
// The HTTP surface of the service: routes for the REST API and service endpoints, behind the
// API's guard (authentication, rate limit, content type, then each route's scope). app/ hands
// handler() to net::HttpServer.
#include "api/auth.hpp"
#include "api/context.hpp"
#include "api/rate_limit.hpp"
#include "net/router.hpp"

namespace va::api {

struct RouteScope {
    std::string method;
    std::string pattern;
    Scope scope;  // kNoScope: served without a token (health, metrics)
};

class Api {
public:
    explicit Api(ApiContext& context);
    // A route in the same router (404, 405 and route labels like every route) but outside the
    // API's guard: Twilio's webhooks, which prove themselves with Twilio's signature, not a token,
    // and the web UI's assets, which hold no data.
    void add_open_route(std::string method, std::string pattern, net::Handler handler, net::HeadRule rule);
    net::Handler handler();
    // For net::ServerOptions::check_head: the routes' head rules.
    net::HeadCheck head_check() const;
    const net::Router& router() const { return router_; }
    const std::vector<RouteScope>& scopes() const { return scopes_; }

private:
    using Fn = boost::asio::awaitable<net::Response> (*)(ApiContext&, net::Request);
    void add(std::string method, std::string pattern, Scope scope, Fn fn, net::HeadRule rule = {});
    // A body of up to `body_limit`, read only when the head's token has scope write.
    net::HeadRule writers_only(std::size_t body_limit) const;
    boost::asio::awaitable<net::Response> guard_then_route(net::Request request);

    ApiContext& context_;
    ApiAuth auth_;
    RateLimiter rate_limiter_;
    net::Router router_;
    std::vector<RouteScope> scopes_;
};

}  // namespace va::api
