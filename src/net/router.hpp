#pragma once
// Maps method + path pattern ("/api/prompts/{id}") to a handler. Unknown paths get 404 and known
// paths with another method get 405, both as JSON errors.
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
    void add(std::string method, std::string pattern, Handler handler);
    std::vector<RouteInfo> routes() const;

    // Finds the route, fills path_params, runs the handler; Response::route is set to the pattern.
    boost::asio::awaitable<Response> dispatch(Request request) const;

private:
    struct Route {
        std::string method;
        std::string pattern;
        std::vector<std::string> segments;
        Handler handler;
    };
    static bool match(const Route& route, const std::vector<std::string_view>& segments, Fields& params);

    std::vector<Route> routes_;
};

}  // namespace va::net
