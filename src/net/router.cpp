#include "net/router.hpp"

namespace va::net {

namespace {
std::vector<std::string_view> split_path(std::string_view path) {
    std::vector<std::string_view> out;
    size_t start = 1;  // paths start with '/'
    while (start <= path.size()) {
        size_t end = path.find('/', start);
        if (end == std::string_view::npos) end = path.size();
        out.push_back(path.substr(start, end - start));
        start = end + 1;
    }
    return out;
}

bool is_param(std::string_view segment) {
    return segment.size() > 2 && segment.front() == '{' && segment.back() == '}';
}
}  // namespace

void Router::add(std::string method, std::string pattern, Handler handler) {
    std::vector<std::string> segments;
    for (auto s : split_path(pattern)) segments.emplace_back(s);
    routes_.push_back({std::move(method), std::move(pattern), std::move(segments), std::move(handler)});
}

std::vector<RouteInfo> Router::routes() const {
    std::vector<RouteInfo> out;
    for (const auto& r : routes_) out.push_back({r.method, r.pattern});
    return out;
}

bool Router::match(const Route& route, const std::vector<std::string_view>& segments, Fields& params) {
    if (route.segments.size() != segments.size()) return false;
    Fields found;
    for (size_t i = 0; i < segments.size(); ++i) {
        const auto& want = route.segments[i];
        if (is_param(want)) {
            if (segments[i].empty()) return false;
            found.emplace_back(want.substr(1, want.size() - 2), std::string(segments[i]));
        } else if (want != segments[i]) {
            return false;
        }
    }
    params = std::move(found);
    return true;
}

boost::asio::awaitable<Response> Router::dispatch(Request request) const {
    auto segments = split_path(request.path);
    const Route* path_match = nullptr;
    for (const auto& route : routes_) {
        Fields params;
        if (!match(route, segments, params)) continue;
        path_match = &route;
        // HEAD is answered like GET; the session drops the body.
        if (route.method == request.method || (request.method == "HEAD" && route.method == "GET")) {
            request.path_params = std::move(params);
            auto response = co_await route.handler(std::move(request));
            response.route = route.pattern;
            co_return response;
        }
    }
    if (path_match) {
        auto response = error_response(405, "method_not_allowed", "method " + request.method + " is not allowed on this path");
        response.route = path_match->pattern;
        co_return response;
    }
    co_return error_response(404, "not_found", "no such path");
}

}  // namespace va::net
