#include "net/router.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <gtest/gtest.h>

namespace va::net {
namespace {

namespace asio = boost::asio;

Response run(const Router& router, std::string method, std::string path) {
    asio::io_context io;
    Request request;
    request.method = std::move(method);
    EXPECT_TRUE(set_target(request, path));
    std::optional<Response> out;
    asio::co_spawn(io, router.dispatch(std::move(request)), [&](std::exception_ptr e, Response r) {
        if (e) std::rethrow_exception(e);
        out = std::move(r);
    });
    io.run();
    return *out;
}

Handler replying(std::string text) {
    return [text](Request request) -> asio::awaitable<Response> {
        Response response;
        response.body = text + ":" + std::string(request.path_param("id"));
        co_return response;
    };
}

TEST(Router, MatchesLiteralAndParameterSegments) {
    Router router;
    router.add("GET", "/things", replying("list"));
    router.add("GET", "/things/{id}", replying("one"));
    router.add("POST", "/things/{id}/cancel", replying("cancel"));
    EXPECT_EQ(run(router, "GET", "/things").body, "list:");
    auto one = run(router, "GET", "/things/42");
    EXPECT_EQ(one.body, "one:42");
    EXPECT_EQ(one.route, "/things/{id}");
    EXPECT_EQ(run(router, "POST", "/things/7/cancel").body, "cancel:7");
}

TEST(Router, AnswersUnknownPaths404AndWrongMethods405) {
    Router router;
    router.add("GET", "/things/{id}", replying("one"));
    auto missing = run(router, "GET", "/nothing");
    EXPECT_EQ(missing.status, 404u);
    EXPECT_NE(missing.body.find("\"not_found\""), std::string::npos);
    EXPECT_EQ(run(router, "GET", "/things/").status, 404u);      // empty parameter
    EXPECT_EQ(run(router, "GET", "/things/1/2").status, 404u);   // too many segments
    auto wrong = run(router, "DELETE", "/things/1");
    EXPECT_EQ(wrong.status, 405u);
    EXPECT_EQ(wrong.route, "/things/{id}");
}

TEST(Router, AnswersHeadLikeGet) {
    Router router;
    router.add("GET", "/x", replying("x"));
    EXPECT_EQ(run(router, "HEAD", "/x").status, 200u);
}

TEST(Router, DecodesPercentEncodedQueryParameters) {
    Request request;
    ASSERT_TRUE(set_target(request, "/p?phone=%2B14155552671&a=1"));
    EXPECT_EQ(request.query_param("phone"), "+14155552671");
    EXPECT_EQ(request.query_param("a"), "1");
    EXPECT_FALSE(request.query_param("b"));
    EXPECT_FALSE(set_target(request, "not a path"));
}

}  // namespace
}  // namespace va::net
