// Keeps the OpenAPI description true: every route is described and every description is routed.
#include <boost/json/parse.hpp>
#include <gtest/gtest.h>

#include "api/errors.hpp"
#include "api/openapi.hpp"
#include "api_harness.hpp"

namespace va::api::test {
namespace {

std::string lower(std::string s) {
    for (auto& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return s;
}

TEST(OpenApi, DescribesExactlyTheRoutesTheRouterHas) {
    ApiHarness api;
    auto doc = boost::json::parse(openapi_document());
    const auto& paths = doc.at("paths").as_object();
    std::set<std::pair<std::string, std::string>> routed, described;
    for (const auto& route : api.api().router().routes()) routed.insert({lower(route.method), route.pattern});
    for (const auto& [path, item] : paths) {
        for (const auto& [method, op] : item.as_object()) described.insert({std::string(method), std::string(path)});
    }
    EXPECT_EQ(routed, described);
}

// Every route says which scope it needs, and says what the API enforces.
TEST(OpenApi, EveryRouteDeclaresTheScopeItNeeds) {
    ApiHarness api;
    auto doc = boost::json::parse(openapi_document());
    const auto& paths = doc.at("paths").as_object();
    ASSERT_EQ(api.api().scopes().size(), api.api().router().routes().size());
    for (const auto& route : api.api().scopes()) {
        const auto* op = paths.at(route.pattern).as_object().if_contains(lower(route.method));
        ASSERT_NE(op, nullptr) << route.method << " " << route.pattern;
        const auto* scope = op->as_object().if_contains("x-scope");
        ASSERT_NE(scope, nullptr) << route.method << " " << route.pattern << " has no x-scope";
        const std::string expected = route.scope == kNoScope ? "none" : std::string(scope_name(route.scope));
        EXPECT_EQ(scope->as_string(), expected) << route.method << " " << route.pattern;
        // Changes need write; reads need at least read; nothing that needs no token is under /api.
        if (route.method != "GET") {
            EXPECT_EQ(route.scope, kWrite) << route.pattern;
        }
        if (route.pattern.starts_with("/api/")) {
            EXPECT_NE(route.scope, kNoScope) << route.pattern;
        }
    }
}

TEST(OpenApi, IsServedAsJson) {
    ApiHarness api;
    auto reply = api.call("GET", "/api/openapi.json", "", {});
    ASSERT_EQ(reply.status, 200u);
    EXPECT_EQ(reply.json.at("openapi"), "3.1.0");
}

TEST(ErrorTable, EveryCodeHasItsOwnNameAndA4xxStatusButTheServersRetryLaters) {
    std::set<std::string_view> names;
    for (int i = 0; i <= static_cast<int>(ErrorCode::unknown_prompt); ++i) {
        auto code = static_cast<ErrorCode>(i);
        EXPECT_TRUE(names.insert(to_string(code)).second) << i;
        if (code == ErrorCode::busy || code == ErrorCode::store_unavailable || code == ErrorCode::unavailable) {
            EXPECT_EQ(http_status(code), 503u) << "not the client's mistake: retry later";
            continue;
        }
        EXPECT_GE(http_status(code), 400u);
        EXPECT_LT(http_status(code), 500u);
    }
}

}  // namespace
}  // namespace va::api::test
