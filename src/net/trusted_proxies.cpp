#include "net/trusted_proxies.hpp"

#include <algorithm>

namespace va::net {

namespace asio = boost::asio;

namespace {

// A v4-mapped IPv6 address (::ffff:10.0.0.1, how a dual-stack socket sees IPv4 peers) as IPv4.
asio::ip::address unmapped(const asio::ip::address& a) {
    if (a.is_v6() && a.to_v6().is_v4_mapped()) return asio::ip::make_address_v4(asio::ip::v4_mapped, a.to_v6());
    return a;
}

std::string_view trim(std::string_view s) {
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
    return s;
}

// One X-Forwarded-For entry: "203.0.113.7", "2001:db8::1", "[2001:db8::1]:443" or "203.0.113.7:443".
std::optional<asio::ip::address> hop_address(std::string_view entry) {
    entry = trim(entry);
    if (entry.starts_with('[')) {
        auto close = entry.find(']');
        if (close == std::string_view::npos) return std::nullopt;
        entry = entry.substr(1, close - 1);
    } else if (std::count(entry.begin(), entry.end(), ':') == 1) {
        entry = entry.substr(0, entry.find(':'));  // IPv4 with a port
    }
    boost::system::error_code ec;
    auto address = asio::ip::make_address(std::string(entry), ec);
    if (ec) return std::nullopt;
    return unmapped(address);
}

// Every X-Forwarded-For entry, the header fields joined in order (RFC 9110 §5.3), at most `limit`
// from the right: past that many proxies the rest cannot matter.
std::vector<std::string_view> forwarded_hops(const Fields& headers, std::size_t limit) {
    std::vector<std::string_view> hops;
    for (const auto& [name, value] : headers) {
        if (!equals_ignore_case(name, "X-Forwarded-For")) continue;
        std::string_view rest = value;
        while (!rest.empty()) {
            auto comma = rest.find(',');
            hops.push_back(rest.substr(0, comma));
            rest = comma == std::string_view::npos ? std::string_view{} : rest.substr(comma + 1);
        }
    }
    if (hops.size() > limit) hops.erase(hops.begin(), hops.end() - static_cast<std::ptrdiff_t>(limit));
    return hops;
}

}  // namespace

std::optional<TrustedProxies> TrustedProxies::parse(std::string_view list, std::string& error) {
    TrustedProxies out;
    while (!list.empty()) {
        auto comma = list.find(',');
        auto entry = std::string(trim(list.substr(0, comma)));
        list = comma == std::string_view::npos ? std::string_view{} : list.substr(comma + 1);
        if (entry.empty()) continue;
        boost::system::error_code ec;
        if (entry.find('/') == std::string::npos) {
            auto address = asio::ip::make_address(entry, ec);
            if (!ec) address = unmapped(address);
            if (!ec && address.is_v4()) out.v4_.emplace_back(address.to_v4(), 32);
            if (!ec && address.is_v6()) out.v6_.emplace_back(address.to_v6(), 128);
        } else if (entry.find(':') == std::string::npos) {
            out.v4_.push_back(asio::ip::make_network_v4(entry, ec).canonical());
        } else {
            out.v6_.push_back(asio::ip::make_network_v6(entry, ec).canonical());
        }
        if (ec) {
            error = "not an address or network (CIDR): " + entry;
            return std::nullopt;
        }
    }
    return out;
}

bool TrustedProxies::contains(const asio::ip::address& address) const {
    const auto a = unmapped(address);
    if (a.is_v4()) {
        return std::any_of(v4_.begin(), v4_.end(), [&](const auto& net) {
            return asio::ip::network_v4(a.to_v4(), net.prefix_length()).canonical() == net;
        });
    }
    return std::any_of(v6_.begin(), v6_.end(), [&](const auto& net) {
        return asio::ip::network_v6(a.to_v6(), net.prefix_length()).canonical() == net;
    });
}

asio::ip::address TrustedProxies::client(const asio::ip::address& peer, const Fields& headers) const {
    auto client = unmapped(peer);
    if (!contains(client)) return client;
    constexpr std::size_t kMaxHops = 32;
    const auto hops = forwarded_hops(headers, kMaxHops);
    for (auto it = hops.rbegin(); it != hops.rend(); ++it) {
        auto hop = hop_address(*it);
        if (!hop) break;  // "unknown", garbage: the proxy that wrote it is as far as we can see
        client = *hop;
        if (!contains(client)) break;
    }
    return client;
}

}  // namespace va::net
