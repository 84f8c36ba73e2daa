#pragma once
// Maps method + path pattern ("/api/prompts/{id}") to a handler. Unknown paths get 404 and known
// paths with another method get 405, both as JSON errors. A route may also have a HeadRule, which
// the server applies before it reads the body (check_head).
#include <string>
#include <vector>

#include "net/http.hpp"

namespace va::net {

struct RouteInfo {
    std::string method;
    std::string pattern;
};

class Router {
public:
    void add(std::string method, std::string pattern, Handler handler, HeadRule rule = {});
    std::vector<RouteInfo> routes() const;

    // The matching route's rule applied to a head; a head no route takes gets the default limit
    // (dispatch() answers it 404 or 405).
    HeadVerdict check_head(const Request& head, std::size_t default_body_limit) const;

    // Finds the route, fills path_params, runs the handler; Response::route is set to the pattern.
    boost::asio::awaitable<Response> dispatch(Request request) const;

private:
    struct Route {
        std::string method;
        std::string pattern;
        std::vector<std::string> segments;
        Handler handler;
        HeadRule rule;
    };
    struct Found {
        const Route* route = nullptr;       // path and method match
        const Route* path_match = nullptr;  // the path matches (the method may not)
        Fields params;
    };
    Found find(const Request& request) const;
    static bool match(const Route& route, const std::vector<std::string_view>& segments, Fields& params);

    std::vector<Route> routes_;
};

}  // namespace va::net
