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

void Router::add(std::string method, std::string pattern, Handler handler, HeadRule rule) {
    std::vector<std::string> segments;
    for (auto s : split_path(pattern)) segments.emplace_back(s);
    routes_.push_back(
        {std::move(method), std::move(pattern), std::move(segments), std::move(handler), std::move(rule)});
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

Router::Found Router::find(const Request& request) const {
    auto segments = split_path(request.path);
    Found found;
    for (const auto& route : routes_) {
        Fields params;
        if (!match(route, segments, params)) continue;
        found.path_match = &route;
        // HEAD is answered like GET; the session drops the body.
        if (route.method == request.method || (request.method == "HEAD" && route.method == "GET")) {
            found.route = &route;
            found.params = std::move(params);
            return found;
        }
    }
    return found;
}

HeadVerdict Router::check_head(const Request& head, std::size_t default_body_limit) const {
    const auto found = find(head);
    if (!found.route) return {default_body_limit, std::nullopt};
    const auto& rule = found.route->rule;
    HeadVerdict verdict{rule.body_limit.value_or(default_body_limit), std::nullopt};
    if (rule.refuse) {
        verdict.refusal = rule.refuse(head);
        if (verdict.refusal) verdict.refusal->route = found.route->pattern;
    }
    return verdict;
}

boost::asio::awaitable<Response> Router::dispatch(Request request) const {
    auto found = find(request);
    if (found.route) {
        request.path_params = std::move(found.params);
        auto response = co_await found.route->handler(std::move(request));
        response.route = found.route->pattern;
        co_return response;
    }
    if (found.path_match) {
        auto response = error_response(405, "method_not_allowed", "method " + request.method + " is not allowed on this path");
        response.route = found.path_match->pattern;
        co_return response;
    }
    co_return error_response(404, "not_found", "no such path");
}

}  // namespace va::net
