#pragma once
// The reverse proxies whose forwarded headers we believe (`--trusted-proxies`). Behind nginx every
// connection comes from nginx: the client is the address nginx adds to X-Forwarded-For. Anyone can
// write that header, so it is read only on a connection from a trusted proxy, and only as far as
// the hops are trusted proxies themselves (a client's own X-Forwarded-For entries, to the left of
// the first untrusted hop, are never used).
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <boost/asio/ip/address.hpp>
#include <boost/asio/ip/network_v4.hpp>
#include <boost/asio/ip/network_v6.hpp>

#include "net/http.hpp"

namespace va::net {

class TrustedProxies {
public:
    TrustedProxies() = default;  // none: forwarded headers are never believed
    // "10.0.0.0/8,127.0.0.1,fd00::/8": networks or single addresses, comma-separated. nullopt with
    // `error` naming the entry when one is not an address or network.
    static std::optional<TrustedProxies> parse(std::string_view list, std::string& error);

    bool empty() const { return v4_.empty() && v6_.empty(); }
    bool contains(const boost::asio::ip::address& address) const;
    // The client of a request that came from `peer`: `peer` itself unless it is a trusted proxy;
    // else, walking the X-Forwarded-For entries from the right, the first hop that is not a trusted
    // proxy. An entry that is not an address ends the walk at the trusted hop that wrote it.
    boost::asio::ip::address client(const boost::asio::ip::address& peer, const Fields& headers) const;

private:
    std::vector<boost::asio::ip::network_v4> v4_;
    std::vector<boost::asio::ip::network_v6> v6_;
};

}  // namespace va::net
