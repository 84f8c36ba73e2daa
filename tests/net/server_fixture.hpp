#pragma once
// Runs an HttpServer on its own io_context thread, bound to 127.0.0.1:0 (server tests).
#include <memory>
#include <string>
#include <thread>

#include <boost/asio/io_context.hpp>
#include <gtest/gtest.h>

#include "core/metrics.hpp"
#include "net/server.hpp"

namespace va::test {

class ServerFixture : public ::testing::Test {
protected:
    void start(net::Handler handler, net::ServerOptions options = {}) {
        server_ = std::make_unique<net::HttpServer>(io_, std::move(handler), metrics_, options);
        port_ = server_->listen({boost::asio::ip::make_address("127.0.0.1"), 0}).port();
        thread_ = std::thread([this] { io_.run(); });
    }
    void stop_and_join() {
        server_->shutdown();
        if (thread_.joinable()) thread_.join();
    }
    void TearDown() override {
        if (server_) stop_and_join();
    }

    boost::asio::io_context io_;
    core::MetricsRegistry metrics_;
    std::unique_ptr<net::HttpServer> server_;
    std::thread thread_;
    unsigned short port_ = 0;
};

// Answers "<method> <path> <body size>" on the route "/echo".
inline boost::asio::awaitable<net::Response> echo(net::Request request) {
    net::Response response;
    response.body = request.method + " " + request.path + " " + std::to_string(request.body.size());
    response.route = "/echo";
    co_return response;
}

}  // namespace va::test
