// The web UI's files as the server answers them: compiled in, each with the UI's security headers
// and an ETag that a browser revalidates against.
#include "web_ui/assets.hpp"

#include <gtest/gtest.h>

#include "support/run_handler.hpp"

namespace va::web_ui {
namespace {

net::Request get(std::string path, std::string name = "", std::string etag = "") {
    net::Request request;
    request.method = "GET";
    request.path = std::move(path);
    if (!name.empty()) request.path_params.emplace_back("name", name);
    if (!etag.empty()) request.headers.emplace_back("If-None-Match", etag);
    return request;
}

std::string header(const net::Response& response, std::string_view name) {
    for (const auto& [k, v] : response.headers) {
        if (net::equals_ignore_case(k, name)) return v;
    }
    return "";
}

TEST(WebUiAssets, TheRootIsIndexHtmlWithTheUisSecurityHeaders) {
    auto response = test::run_handler(asset_handler(), get("/"));
    EXPECT_EQ(response.status, 200u);
    EXPECT_EQ(response.content_type, "text/html; charset=utf-8");
    EXPECT_NE(response.body.find("<!doctype html>"), std::string::npos);
    EXPECT_EQ(header(response, "Content-Security-Policy"), "default-src 'self'; media-src 'self' blob:");
    EXPECT_EQ(header(response, "X-Content-Type-Options"), "nosniff");
    EXPECT_EQ(response.route, "/");
}

TEST(WebUiAssets, EveryCompiledFileIsServedWithItsTypeAndAnEtagItRevalidatesAgainst) {
    ASSERT_FALSE(embedded_files().empty());
    for (const auto& file : embedded_files()) {
        SCOPED_TRACE(std::string(file.name));
        auto response = test::run_handler(asset_handler(), get("/assets/" + std::string(file.name), std::string(file.name)));
        EXPECT_EQ(response.status, 200u);
        EXPECT_EQ(response.body, file.body);
        EXPECT_NE(response.content_type, "application/octet-stream");
        const auto etag = header(response, "ETag");
        ASSERT_EQ(etag.size(), 18u) << etag;  // 16 hex digits, quoted
        auto again = test::run_handler(asset_handler(),
                                       get("/assets/" + std::string(file.name), std::string(file.name), etag));
        EXPECT_EQ(again.status, 304u);
        EXPECT_TRUE(again.body.empty());
        EXPECT_EQ(header(again, "Content-Security-Policy"), "default-src 'self'; media-src 'self' blob:");
    }
}

TEST(WebUiAssets, AnUnknownFileIs404WithTheHeadersStill) {
    auto response = test::run_handler(asset_handler(), get("/assets/nope.js", "nope.js"));
    EXPECT_EQ(response.status, 404u);
    EXPECT_EQ(header(response, "X-Content-Type-Options"), "nosniff");
    EXPECT_EQ(response.route, "/assets/{name}");
}

}  // namespace
}  // namespace va::web_ui
