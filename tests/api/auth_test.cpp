// Who may call the API: bearer tokens and their scopes, the tokenless (local-only) mode, content
// types of mutating requests, and the rate limit.
#include <gtest/gtest.h>

#include "api_harness.hpp"

namespace va::api::test {
namespace {

const std::string kAlpha = "alpha-0123456789abcdef0123456789abcdef";
const std::string kBeta = "beta-0123456789abcdef0123456789abcdef0";
const std::string kReader = "reader-0123456789abcdef0123456789abcd";
const std::string kWriter = "writer-0123456789abcdef0123456789abcd";

net::Fields bearer(const std::string& token) { return {{"Authorization", "Bearer " + token}}; }
net::Fields json_bearer(const std::string& token) {
    return {{"Authorization", "Bearer " + token}, {"Content-Type", "application/json"}};
}

ApiOptions with_tokens(std::vector<ApiToken> tokens) {
    ApiOptions options;
    options.tokens = std::move(tokens);
    return options;
}

constexpr auto kPrompt = R"({"name":"n","content":"c","introduction":"i"})";

TEST(ApiAuth, WithTokensEveryApiRequestNeedsOne) {
    ApiHarness api(with_tokens({{kAlpha}, {kBeta}}));
    auto none = api.call("GET", "/api/prompts", "", {});
    EXPECT_EQ(none.status, 401u);
    EXPECT_EQ(none.error_code(), "unauthorized");
    EXPECT_EQ(none.header("WWW-Authenticate"), "Bearer");
    EXPECT_EQ(api.call("GET", "/api/prompts", "", bearer("gamma")).status, 401u);
    EXPECT_EQ(api.call("GET", "/api/prompts", "", {{"Authorization", "Basic YWxwaGE="}}).status, 401u);
    EXPECT_EQ(api.call("GET", "/api/prompts", "", bearer(kAlpha.substr(0, kAlpha.size() - 1))).status, 401u);
    EXPECT_EQ(api.call("GET", "/api/prompts", "", bearer(kAlpha)).status, 200u);
    EXPECT_EQ(api.call("GET", "/api/prompts", "", bearer(kBeta), /*loopback=*/false).status, 200u);
    // Unknown API paths are not revealed without a token either.
    EXPECT_EQ(api.call("GET", "/api/nothing", "", {}).status, 401u);
}

TEST(ApiAuth, AFailedCheckChangesNothing) {
    ApiHarness api(with_tokens({{kAlpha}}));
    EXPECT_EQ(api.call("POST", "/api/prompts", kPrompt, {{"Content-Type", "application/json"}}).status, 401u);
    EXPECT_TRUE(api.call("GET", "/api/prompts", "", bearer(kAlpha)).json.at("items").as_array().empty());
}

// Scheduling reads up to 8 MiB: only for a token that may write, decided on the head before any
// of the body is read; every other route keeps the server's limit.
TEST(ApiAuth, TheLargeScheduleBodyIsReadOnlyForAWriter) {
    ApiHarness api(with_tokens({{kReader, kRead}, {kWriter, kRead | kWrite}}));
    auto head = [](net::Fields headers) {
        net::Request r;
        r.method = "POST";
        net::set_target(r, "/api/scheduled-calls");
        r.headers = std::move(headers);
        r.remote_address = "203.0.113.9";
        return r;
    };
    const auto check = api.api().head_check();
    auto anonymous = check(head({}), 1024 * 1024);
    ASSERT_TRUE(anonymous.refusal);
    EXPECT_EQ(anonymous.refusal->status, 401u);
    auto reader = check(head(bearer(kReader)), 1024 * 1024);
    ASSERT_TRUE(reader.refusal);
    EXPECT_EQ(reader.refusal->status, 403u);
    auto writer = check(head(bearer(kWriter)), 1024 * 1024);
    EXPECT_FALSE(writer.refusal);
    EXPECT_EQ(writer.body_limit, kScheduleBodyLimit);
    net::Request prompts = head(bearer(kWriter));
    net::set_target(prompts, "/api/prompts");
    EXPECT_EQ(check(prompts, 1024 * 1024).body_limit, 1024u * 1024u);
}

TEST(ApiAuth, HealthChecksNeedNoToken) {
    ApiHarness api(with_tokens({{kAlpha}}));
    EXPECT_EQ(api.call("GET", "/healthz", "", {}, false).status, 200u);
    EXPECT_EQ(api.call("GET", "/readyz", "", {}, false).json.at("status"), "ready");
}

TEST(ApiAuth, MetricsNeedATokenUnlessMadePublic) {
    ApiHarness api(with_tokens({{kAlpha, kRead}}));
    EXPECT_EQ(api.call("GET", "/metrics", "", {}, false).status, 401u);
    auto metrics = api.call("GET", "/metrics", "", bearer(kAlpha), false);
    EXPECT_EQ(metrics.status, 200u);
    EXPECT_NE(metrics.raw.content_type.find("text/plain"), std::string::npos);

    auto options = with_tokens({{kAlpha}});
    options.public_metrics = true;
    ApiHarness open_metrics(options);
    EXPECT_EQ(open_metrics.call("GET", "/metrics", "", {}, false).status, 200u);
    EXPECT_EQ(open_metrics.call("GET", "/api/prompts", "", {}, false).status, 401u) << "the API is still guarded";
}

TEST(ApiAuth, AWebhookIsARouteOfTheSameRouterWithoutTheApisGuard) {
    for (bool tokens : {true, false}) {
        SCOPED_TRACE(tokens ? "with tokens" : "tokenless");
        ApiHarness api(tokens ? with_tokens({{kAlpha}}) : ApiOptions{});
        int reached = 0;
        api.api().add_open_route("POST", "/webhooks/twilio/status", [&reached](net::Request request) -> boost::asio::awaitable<net::Response> {
            ++reached;
            net::Response response;
            response.status = 204;
            response.body = request.body;
            co_return response;
        }, net::HeadRule{});
        // No bearer token, from another machine, a form body: the handler decides (Twilio's signature).
        auto hook = api.call("POST", "/webhooks/twilio/status", "CallStatus=ringing",
                             {{"Content-Type", "application/x-www-form-urlencoded"}}, /*loopback=*/false);
        EXPECT_EQ(hook.status, 204u);
        EXPECT_EQ(hook.raw.route, "/webhooks/twilio/status") << "labelled like every route";
        EXPECT_EQ(api.call("GET", "/webhooks/twilio/status", "", {}, false).status, 405u);
        EXPECT_EQ(api.call("POST", "/webhooks/twilio/other", "", {}, false).status, 404u);
        EXPECT_EQ(reached, 1);
        // The API itself is still guarded.
        EXPECT_EQ(api.call("GET", "/api/prompts", "", {}, false).status, tokens ? 401u : 403u);
    }
}

TEST(ApiScopes, EachRouteNeedsItsScope) {
    ApiHarness api(with_tokens({{kReader, kRead}, {kWriter, kWrite}, {kAlpha, kAllScopes}}));
    EXPECT_EQ(api.call("GET", "/api/prompts", "", bearer(kReader)).status, 200u);
    auto refused = api.call("POST", "/api/prompts", kPrompt, json_bearer(kReader));
    EXPECT_EQ(refused.status, 403u);
    EXPECT_NE(refused.json.at("error").at("message").as_string().find("write"), std::string::npos);
    EXPECT_TRUE(api.call("GET", "/api/prompts", "", bearer(kAlpha)).json.at("items").as_array().empty());

    auto created = api.call("POST", "/api/prompts", kPrompt, json_bearer(kWriter));
    ASSERT_EQ(created.status, 201u);
    auto id = std::string(created.json.at("id").as_string());
    EXPECT_EQ(api.call("GET", "/api/prompts/" + id, "", bearer(kWriter)).status, 403u);
    EXPECT_EQ(api.call("DELETE", "/api/prompts/" + id, "", json_bearer(kReader)).status, 403u);
    EXPECT_EQ(api.call("GET", "/api/prompts/" + id, "", bearer(kReader)).status, 200u);
    EXPECT_EQ(api.call("GET", "/api/openapi.json", "", bearer(kWriter)).status, 403u);
}

TEST(ApiScopes, WithoutTranscriptsCallLogsComeWithoutTheirText) {
    ApiHarness api(with_tokens({{kReader, kRead}, {kAlpha, kAllScopes}}));
    auto& logs = api.store().call_logs();
    store::CallLog log;
    log.id = "656565656565656565656565";
    log.to = "+14155552671";
    log.from = "+15005550006";
    log.status = "completed";
    log.created_at = log.updated_at = kNow;
    log.transcript = {{"agent", "Hello Maria, your appointment is on Tuesday.", kNow, kNow, false, {}},
                      {"callee", "Yes, I'll be there.", kNow, kNow, false, {}}};
    logs.create(log);

    auto full = api.call("GET", "/api/call-logs/" + log.id, "", bearer(kAlpha));
    ASSERT_EQ(full.status, 200u);
    EXPECT_EQ(full.json.at("transcript").at(1).at("text"), "Yes, I'll be there.");

    for (const auto& target : {"/api/call-logs/" + log.id, std::string("/api/call-logs")}) {
        auto reply = api.call("GET", target, "", bearer(kReader));
        ASSERT_EQ(reply.status, 200u) << target;
        const auto& shown = reply.json.as_object().contains("items") ? reply.json.at("items").at(0) : reply.json;
        const auto& turns = shown.at("transcript").as_array();
        ASSERT_EQ(turns.size(), 2u) << target;
        for (const auto& turn : turns) {
            EXPECT_TRUE(turn.at("text").is_null()) << target;
            EXPECT_FALSE(turn.at("role").as_string().empty());
        }
        EXPECT_EQ(reply.raw.body.find("Maria"), std::string::npos) << target;
    }
}

TEST(LocalOnly, WithoutTokensOnlyLoopbackClientsAreServed) {
    ApiHarness api;
    EXPECT_EQ(api.call("GET", "/api/prompts", "", {}, true).status, 200u);
    auto remote = api.call("GET", "/api/prompts", "", {}, false);
    EXPECT_EQ(remote.status, 403u);
    EXPECT_EQ(remote.error_code(), "forbidden");
}

TEST(LocalOnly, ARequestThroughAProxyIsNotLocal) {
    ApiHarness api;
    for (const char* header : {"X-Forwarded-For", "Forwarded", "X-Real-IP", "Via"}) {
        auto reply = api.call("GET", "/api/prompts", "", {{header, "203.0.113.9"}});
        EXPECT_EQ(reply.status, 403u) << header;
        EXPECT_EQ(api.call("GET", "/metrics", "", {{header, "203.0.113.9"}}).status, 403u) << header;
    }
    EXPECT_EQ(api.call("POST", "/api/prompts", kPrompt,
                       {{"Content-Type", "application/json"}, {"X-Forwarded-For", "203.0.113.9"}})
                  .status,
              403u);
    EXPECT_TRUE(api.call("GET", "/api/prompts").json.at("items").as_array().empty());
    // Health checks answer anyone: load balancers probe them through the proxy.
    EXPECT_EQ(api.call("GET", "/healthz", "", {{"X-Forwarded-For", "203.0.113.9"}}).status, 200u);
}

TEST(LocalOnly, OnlyLoopbackHostNamesAreServed) {
    ApiHarness api;
    for (const char* host : {"localhost", "localhost:8080", "LOCALHOST:1", "127.0.0.1", "127.0.0.1:9", "[::1]",
                             "[::1]:8080"}) {
        EXPECT_EQ(api.call("GET", "/api/prompts", "", {{"Host", host}}).status, 200u) << host;
    }
    // DNS rebinding: a name the attacker controls, resolved to 127.0.0.1.
    for (const char* host : {"evil.example", "evil.example:8080", "localhost.evil.example", "127.0.0.2", "", "[::2]"}) {
        EXPECT_EQ(api.call("GET", "/api/prompts", "", {{"Host", host}}).status, 403u) << host;
        EXPECT_EQ(api.call("GET", "/metrics", "", {{"Host", host}}).status, 403u) << host;
    }
}

TEST(LocalOnly, APageFromAnotherOriginIsRefused) {
    ApiOptions options;
    options.public_url = "https://va.example.com";
    ApiHarness api(options);
    auto from = [&](const char* origin) {
        return api.call("POST", "/api/prompts", kPrompt,
                        {{"Content-Type", "application/json"}, {"Host", "localhost:8080"}, {"Origin", origin}});
    };
    EXPECT_EQ(from("https://evil.example").status, 403u);
    EXPECT_EQ(from("null").status, 403u);
    EXPECT_EQ(from("http://localhost:9999").status, 403u);
    EXPECT_TRUE(api.call("GET", "/api/prompts").json.at("items").as_array().empty());
    EXPECT_EQ(from("http://localhost:8080").status, 201u);
    EXPECT_EQ(from("https://va.example.com").status, 201u);
}

TEST(ContentTypes, MutatingRoutesTakeOnlyJson) {
    ApiHarness api;
    auto id = api.make_prompt();
    auto call = api.call("POST", "/api/scheduled-calls",
                         R"({"toPhoneNumbers":["+14155552671"],"promptId":")" + id +
                             R"(","scheduledDateTime":"2026-11-26T09:00:00Z"})");
    ASSERT_EQ(call.status, 201u);
    auto call_id = std::string(call.json.at("id").as_string());
    struct Attempt {
        const char* method;
        std::string target;
    };
    const std::vector<Attempt> routes = {{"POST", "/api/prompts"},
                                         {"PUT", "/api/prompts/" + id},
                                         {"DELETE", "/api/prompts/" + id},
                                         {"POST", "/api/scheduled-calls"},
                                         {"PATCH", "/api/scheduled-calls/" + call_id},
                                         {"POST", "/api/scheduled-calls/" + call_id + "/cancel"}};
    // The types a browser sends cross-site without a preflight, and none at all.
    const std::vector<net::Fields> refused = {{},
                                              {{"Content-Type", "text/plain"}},
                                              {{"Content-Type", "text/plain;charset=UTF-8"}},
                                              {{"Content-Type", "application/x-www-form-urlencoded"}},
                                              {{"Content-Type", "multipart/form-data; boundary=x"}}};
    for (const auto& route : routes) {
        for (const auto& headers : refused) {
            auto reply = api.call(route.method, route.target, kPrompt, headers);
            EXPECT_EQ(reply.status, 415u) << route.method << " " << route.target;
            EXPECT_EQ(reply.error_code(), "unsupported_media_type");
        }
    }
    // Nothing changed: the call is still pending, the prompt still there.
    EXPECT_EQ(api.call("GET", "/api/scheduled-calls/" + call_id).json.at("status"), "pending");
    EXPECT_EQ(api.call("GET", "/api/prompts/" + id).status, 200u);
    // With the JSON type (and a charset) they go through, a body-less cancel included.
    EXPECT_EQ(api.call("POST", "/api/scheduled-calls/" + call_id + "/cancel", "",
                       {{"Content-Type", "application/json; charset=utf-8"}})
                  .status,
              200u);
}

TEST(RateLimit, EachTokenHasItsOwnBucket) {
    auto options = with_tokens({{kAlpha}, {kBeta}});
    options.rate_limit = {50, 200};
    ApiHarness api(options);
    for (int i = 0; i < 200; ++i) ASSERT_EQ(api.call("GET", "/api/prompts", "", bearer(kAlpha)).status, 200u) << i;
    auto over = api.call("GET", "/api/prompts", "", bearer(kAlpha));
    EXPECT_EQ(over.status, 429u);
    EXPECT_EQ(over.error_code(), "too_many_requests");
    EXPECT_EQ(over.header("Retry-After"), "1");
    EXPECT_EQ(api.call("POST", "/api/prompts", kPrompt, json_bearer(kAlpha)).status, 429u);
    EXPECT_EQ(api.call("GET", "/api/prompts", "", bearer(kBeta)).status, 200u);  // another token
    EXPECT_EQ(api.call("GET", "/healthz", "", {}).status, 200u);                  // not the API
    // One second refills 50.
    api.clock().advance(std::chrono::seconds(1));
    for (int i = 0; i < 50; ++i) ASSERT_EQ(api.call("GET", "/api/prompts", "", bearer(kAlpha)).status, 200u) << i;
    EXPECT_EQ(api.call("GET", "/api/prompts", "", bearer(kAlpha)).status, 429u);
    EXPECT_TRUE(api.call("GET", "/api/prompts", "", bearer(kBeta)).json.at("items").as_array().empty());
}

TEST(RateLimit, WithoutTokensTheClientAddressIsTheKey) {
    ApiOptions options;
    options.rate_limit = {1, 3};
    ApiHarness api(options);
    for (int i = 0; i < 3; ++i) EXPECT_EQ(api.call("GET", "/api/prompts").status, 200u);
    auto over = api.call("GET", "/api/prompts");
    EXPECT_EQ(over.status, 429u);
    EXPECT_EQ(over.header("Retry-After"), "1");
}

TEST(RateLimiter, ForgetsIdleCallersBeforeRefusingNewOnes) {
    RateLimiter limiter({10, 2}, /*max_keys=*/2);
    EXPECT_FALSE(limiter.take("a", kNow));
    EXPECT_FALSE(limiter.take("b", kNow));
    EXPECT_TRUE(limiter.take("c", kNow));  // both held buckets are in use
    EXPECT_FALSE(limiter.take("c", kNow + std::chrono::seconds(1)));  // a and b refilled: forgotten
    EXPECT_FALSE(limiter.take("a", kNow + std::chrono::seconds(1)));
}

}  // namespace
}  // namespace va::api::test
