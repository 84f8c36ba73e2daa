// The HTTP server on several io_contexts, each run by one thread (net::IoThreads): connections
// are spread over them, each served on one thread throughout, and the connection caps hold for
// the process, not per context.
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include "core/metrics.hpp"
#include "net/io_threads.hpp"
#include "net/server.hpp"
#include "support/http_client.hpp"

namespace va::net {
namespace {

using test::HttpClient;

// A server on two contexts whose handler says which thread served each request.
class TwoContexts : public ::testing::Test {
protected:
    void start(ServerOptions options = {}) {
        server_ = std::make_unique<HttpServer>(threads_.contexts(), [this](Request) -> boost::asio::awaitable<Response> {
            Response response;
            std::lock_guard lock(mutex_);
            auto [it, added] = ids_.emplace(std::this_thread::get_id(), ids_.size());
            response.body = std::to_string(it->second);
            co_return response;
        }, metrics_, options);
        port_ = server_->listen({boost::asio::ip::make_address("127.0.0.1"), 0}).port();
        runner_ = std::thread([this] { threads_.run(); });
    }
    void TearDown() override {
        server_->shutdown();
        threads_.finish();
        runner_.join();
    }
    // Which thread served a request on `client` ("0" or "1", by first appearance).
    std::string served_by(HttpClient& client) {
        auto reply = client.request("GET", "/");
        EXPECT_EQ(reply.status, 200u);
        return reply.body;
    }

    IoThreads threads_{2};
    core::MetricsRegistry metrics_;
    std::unique_ptr<HttpServer> server_;
    std::thread runner_;
    unsigned short port_ = 0;
    std::mutex mutex_;
    std::map<std::thread::id, std::size_t> ids_;
};

TEST_F(TwoContexts, SpreadsConnectionsOverTheContextsAndServesEachOnOneThread) {
    start();
    std::vector<std::unique_ptr<HttpClient>> clients;
    std::vector<std::string> first;
    for (int i = 0; i < 4; ++i) {
        clients.push_back(std::make_unique<HttpClient>(port_));
        first.push_back(served_by(*clients.back()));
    }
    EXPECT_EQ(std::set<std::string>(first.begin(), first.end()).size(), 2u) << "all four connections on one thread";
    for (int round = 0; round < 3; ++round) {
        for (std::size_t i = 0; i < clients.size(); ++i) EXPECT_EQ(served_by(*clients[i]), first[i]) << "connection " << i;
    }
}

TEST_F(TwoContexts, TheCapsCountTheConnectionsOfEveryContext) {
    ServerOptions options;
    options.max_connections_per_ip = 3;
    start(options);
    std::vector<std::unique_ptr<HttpClient>> held;
    std::set<std::string> threads;
    for (int i = 0; i < 3; ++i) {
        held.push_back(std::make_unique<HttpClient>(port_));
        threads.insert(served_by(*held.back()));
    }
    ASSERT_EQ(threads.size(), 2u) << "the three connections should be on both contexts";
    HttpClient fourth(port_);
    EXPECT_ANY_THROW(fourth.request("GET", "/")) << "a fourth connection from 127.0.0.1 was served";
    EXPECT_NE(metrics_.render().find("http_connections_refused_total{reason=\"max_connections_per_ip\"} 1"),
              std::string::npos);
    EXPECT_EQ(server_->connection_count(), 3u);
}

}  // namespace
}  // namespace va::net
