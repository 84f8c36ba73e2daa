#include "net/request_head.hpp"

#include <array>
#include <atomic>
#include <cctype>
#include <cstdio>
#include <random>
#include <string>

#include <boost/beast/websocket/rfc6455.hpp>

namespace va::net {

namespace asio = boost::asio;
namespace http = boost::beast::http;

namespace {

std::string new_request_id() {
    static const unsigned long long prefix = std::random_device{}();
    static std::atomic<unsigned long long> counter{0};
    char buf[40];
    std::snprintf(buf, sizeof buf, "%06llx-%llu", prefix & 0xffffff, ++counter);
    return buf;
}

bool is_loopback(const asio::ip::address& a) {
    if (a.is_loopback()) return true;
    return a.is_v6() && a.to_v6().is_v4_mapped() &&
           asio::ip::make_address_v4(asio::ip::v4_mapped, a.to_v6()).is_loopback();
}

}  // namespace

std::string_view method_label(std::string_view method) {
    static constexpr std::array<std::string_view, 7> known{"GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"};
    for (auto k : known) {
        if (method == k) return k;
    }
    return "other";
}

bool is_sane_request_id(std::string_view id) {
    if (id.empty() || id.size() > 64) return false;
    for (char c : id) {
        if (!std::isalnum(static_cast<unsigned char>(c)) && c != '-' && c != '_' && c != '.') return false;
    }
    return true;
}

std::optional<Request> to_request(http::request<http::string_body>& in, const asio::ip::tcp::endpoint& remote) {
    Request out;
    if (!set_target(out, in.target())) return std::nullopt;
    out.method = std::string(in.method_string());
    for (const auto& field : in) out.headers.emplace_back(field.name_string(), field.value());
    out.body = std::move(in.body());
    out.websocket_upgrade = boost::beast::websocket::is_upgrade(in);
    out.remote_address = remote.address().to_string();
    out.from_loopback = is_loopback(remote.address());
    auto id = out.header("X-Request-Id");
    out.request_id = id && is_sane_request_id(*id) ? std::string(*id) : new_request_id();
    return out;
}

}  // namespace va::net
