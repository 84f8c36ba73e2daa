#include <gtest/gtest.h>

#include "api_harness.hpp"

namespace va::api::test {
namespace {

net::Fields bearer(const std::string& token) { return {{"Authorization", "Bearer " + token}}; }

TEST(ApiAuth, WithTokensEveryApiRequestNeedsOne) {
    ApiHarness api(ApiOptions{{"alpha", "beta"}});
    auto none = api.call("GET", "/api/prompts", "", {});
    EXPECT_EQ(none.status, 401u);
    EXPECT_EQ(none.error_code(), "unauthorized");
    EXPECT_EQ(none.header("WWW-Authenticate"), "Bearer");
    EXPECT_EQ(api.call("GET", "/api/prompts", "", bearer("gamma")).status, 401u);
    EXPECT_EQ(api.call("GET", "/api/prompts", "", {{"Authorization", "Basic YWxwaGE="}}).status, 401u);
    EXPECT_EQ(api.call("GET", "/api/prompts", "", bearer("alph")).status, 401u);
    EXPECT_EQ(api.call("GET", "/api/prompts", "", bearer("alpha")).status, 200u);
    EXPECT_EQ(api.call("GET", "/api/prompts", "", bearer("beta"), /*loopback=*/false).status, 200u);
    // Unknown API paths are not revealed without a token either.
    EXPECT_EQ(api.call("GET", "/api/nothing", "", {}).status, 401u);
}

TEST(ApiAuth, AFailedCheckChangesNothing) {
    ApiHarness api(ApiOptions{{"alpha"}});
    auto body = R"({"name":"n","content":"c","introduction":"i"})";
    EXPECT_EQ(api.call("POST", "/api/prompts", body, {{"Content-Type", "application/json"}}).status, 401u);
    EXPECT_TRUE(api.call("GET", "/api/prompts", "", bearer("alpha")).json.at("items").as_array().empty());
}

TEST(ApiAuth, WithoutTokensOnlyLoopbackClientsAreServed) {
    ApiHarness api;
    EXPECT_EQ(api.call("GET", "/api/prompts", "", {}, true).status, 200u);
    auto remote = api.call("GET", "/api/prompts", "", {}, false);
    EXPECT_EQ(remote.status, 403u);
    EXPECT_EQ(remote.error_code(), "forbidden");
}

TEST(ApiAuth, ServiceEndpointsNeedNoToken) {
    ApiHarness api(ApiOptions{{"alpha"}});
    EXPECT_EQ(api.call("GET", "/healthz", "", {}, false).status, 200u);
    EXPECT_EQ(api.call("GET", "/readyz", "", {}, false).json.at("status"), "ready");
    auto metrics = api.call("GET", "/metrics", "", {}, false);
    EXPECT_EQ(metrics.status, 200u);
    EXPECT_NE(metrics.raw.content_type.find("text/plain"), std::string::npos);
}

}  // namespace
}  // namespace va::api::test
