// Which forwarded headers are believed: only a trusted proxy's, and only as far as its hops are
// trusted proxies too.
#include "net/trusted_proxies.hpp"

#include <gtest/gtest.h>

namespace va::net {
namespace {

namespace ip = boost::asio::ip;

TrustedProxies proxies(std::string_view list) {
    std::string error;
    auto parsed = TrustedProxies::parse(list, error);
    EXPECT_TRUE(parsed) << error;
    return parsed.value_or(TrustedProxies{});
}

std::string client(const TrustedProxies& trusted, std::string_view peer, Fields headers) {
    return trusted.client(ip::make_address(std::string(peer)), headers).to_string();
}

TEST(TrustedProxies, ParsesNetworksAndSingleAddresses) {
    auto trusted = proxies(" 10.0.0.0/8, 192.168.1.7 ,fd00::/8,::1");
    EXPECT_TRUE(trusted.contains(ip::make_address("10.200.3.4")));
    EXPECT_FALSE(trusted.contains(ip::make_address("11.0.0.1")));
    EXPECT_TRUE(trusted.contains(ip::make_address("192.168.1.7")));
    EXPECT_FALSE(trusted.contains(ip::make_address("192.168.1.8")));
    EXPECT_TRUE(trusted.contains(ip::make_address("fd12::5")));
    EXPECT_TRUE(trusted.contains(ip::make_address("::1")));
    EXPECT_FALSE(trusted.contains(ip::make_address("2001:db8::1")));
    // How a dual-stack socket sees an IPv4 peer.
    EXPECT_TRUE(trusted.contains(ip::make_address("::ffff:10.1.2.3")));
    EXPECT_TRUE(proxies("10.1.2.3/8").contains(ip::make_address("10.9.9.9"))) << "host bits are ignored";
    EXPECT_TRUE(proxies("").empty());
}

TEST(TrustedProxies, RefusesWhatIsNotAnAddressOrNetworkAndNamesIt) {
    for (std::string_view bad : {"10.0.0.0/33", "nginx", "10.0.0.0/8,300.1.1.1", "fd00::/129", "10.0.0.0/x"}) {
        std::string error;
        EXPECT_FALSE(TrustedProxies::parse(bad, error)) << bad;
        EXPECT_NE(error.find("not an address or network"), std::string::npos) << error;
    }
}

TEST(TrustedProxies, BelievesXForwardedForOnlyFromATrustedProxy) {
    auto trusted = proxies("10.0.0.5");
    const Fields forwarded{{"X-Forwarded-For", "203.0.113.9"}};
    EXPECT_EQ(client(trusted, "10.0.0.5", forwarded), "203.0.113.9");
    EXPECT_EQ(client(trusted, "198.51.100.1", forwarded), "198.51.100.1") << "anyone can write the header";
    EXPECT_EQ(client(TrustedProxies{}, "10.0.0.5", forwarded), "10.0.0.5") << "no proxies trusted";
    EXPECT_EQ(client(trusted, "10.0.0.5", {}), "10.0.0.5") << "a proxy's own request";
}

TEST(TrustedProxies, WalksFromTheRightPastTrustedHopsOnly) {
    auto trusted = proxies("10.0.0.0/8");
    // The client wrote "1.2.3.4" itself; 203.0.113.9 is who connected to our first proxy.
    EXPECT_EQ(client(trusted, "10.0.0.5", {{"X-Forwarded-For", "1.2.3.4, 203.0.113.9, 10.0.0.9"}}), "203.0.113.9");
    // Several header fields are one list, in order.
    EXPECT_EQ(client(trusted, "10.0.0.5", {{"X-Forwarded-For", "1.2.3.4"}, {"x-forwarded-for", "203.0.113.9"}}),
              "203.0.113.9");
    EXPECT_EQ(client(trusted, "10.0.0.5", {{"X-Forwarded-For", "10.0.0.7, 10.0.0.9"}}), "10.0.0.7")
        << "all hops trusted: the leftmost";
    EXPECT_EQ(client(trusted, "10.0.0.5", {{"X-Forwarded-For", "[2001:db8::7]:443"}}), "2001:db8::7");
    EXPECT_EQ(client(trusted, "10.0.0.5", {{"X-Forwarded-For", "203.0.113.9:5060"}}), "203.0.113.9");
}

TEST(TrustedProxies, AnEntryThatIsNotAnAddressStopsAtTheProxyThatWroteIt) {
    auto trusted = proxies("10.0.0.0/8");
    EXPECT_EQ(client(trusted, "10.0.0.5", {{"X-Forwarded-For", "203.0.113.9, unknown"}}), "10.0.0.5");
    EXPECT_EQ(client(trusted, "10.0.0.5", {{"X-Forwarded-For", "203.0.113.9, garbage, 10.0.0.9"}}), "10.0.0.9");
    EXPECT_EQ(client(trusted, "10.0.0.5", {{"X-Forwarded-For", ""}}), "10.0.0.5");
}

}  // namespace
}  // namespace va::net
