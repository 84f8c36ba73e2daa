#include "api/local_access.hpp"

#include <algorithm>
#include <cctype>

namespace va::api {

namespace {
std::string lower(std::string_view s) {
    std::string out(s);
    std::transform(out.begin(), out.end(), out.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return out;
}

// "localhost:8080" → "localhost", "[::1]:80" → "[::1]"; the host part of a Host header.
std::string_view host_without_port(std::string_view host) {
    if (host.starts_with('[')) {
        auto close = host.find(']');
        return close == std::string_view::npos ? host : host.substr(0, close + 1);
    }
    return host.substr(0, host.find(':'));
}

bool is_loopback_host(std::string_view host) {
    auto name = lower(host_without_port(host));
    return name == "localhost" || name == "127.0.0.1" || name == "[::1]";
}

constexpr std::string_view kProxyHeaders[] = {"Forwarded", "X-Forwarded-For", "X-Real-IP", "Via"};
}  // namespace

std::string origin_of(std::string_view url) {
    auto scheme_end = url.find("://");
    if (scheme_end == std::string_view::npos) return {};
    auto authority_end = url.find_first_of("/?#", scheme_end + 3);
    return lower(url.substr(0, authority_end));
}

std::optional<std::string> refuse_non_local(const net::Request& request, std::string_view public_origin) {
    if (!request.from_loopback) {
        return "no API tokens are configured (VA_API_TOKENS_FILE or VA_API_TOKENS), so the API answers only "
               "clients on this machine";
    }
    for (auto name : kProxyHeaders) {
        if (request.header(name)) {
            return "this request came through a proxy (" + std::string(name) +
                   "), and without API tokens only clients on this machine are served: configure tokens";
        }
    }
    auto host = request.header("Host");
    if (!host || !is_loopback_host(*host)) {
        return "without API tokens the API answers only to Host localhost, 127.0.0.1 or [::1]";
    }
    if (auto origin = request.header("Origin")) {
        auto seen = lower(*origin);
        auto scheme_end = seen.find("://");
        const bool same_host = scheme_end != std::string::npos && seen.substr(scheme_end + 3) == lower(*host);
        if (!same_host && (public_origin.empty() || seen != public_origin)) {
            return "a page from another origin may not use this API";
        }
    }
    return std::nullopt;
}

}  // namespace va::api
