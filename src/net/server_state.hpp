#pragma once
// Internal to net/: what the acceptor and the connection coroutines share.
#include <atomic>
#include <memory>
#include <mutex>
#include <optional>
#include <unordered_map>

#include <boost/asio/awaitable.hpp>
#include <boost/asio/any_io_executor.hpp>
#include <boost/beast/core/tcp_stream.hpp>

#include "core/metrics.hpp"
#include "net/server.hpp"

namespace va::net {

struct Connection {
    explicit Connection(boost::asio::ip::tcp::socket socket)
        : executor(socket.get_executor()), stream(std::move(socket)) {}
    boost::asio::any_io_executor executor;  // the connection's strand
    boost::beast::tcp_stream stream;        // moved out when the connection becomes a WebSocket
    // Read and written only on the strand:
    bool idle = true;  // waiting for a request
    bool upgraded = false;  // the stream now belongs to a WebSocket session
};

struct HttpServer::State {
    State(boost::asio::io_context& io_context, Handler h, core::MetricsRegistry& m, ServerOptions o)
        : io(io_context), handler(std::move(h)), metrics(m), options(o) {}

    boost::asio::io_context& io;
    Handler handler;
    core::MetricsRegistry& metrics;
    ServerOptions options;
    std::optional<boost::asio::ip::tcp::acceptor> acceptor;
    std::atomic<bool> stopping{false};

    std::mutex mutex;
    std::unordered_map<Connection*, std::weak_ptr<Connection>> connections;
};

// Serves one connection until it closes, times out or the server drains.
boost::asio::awaitable<void> run_connection(std::shared_ptr<HttpServer::State> state,
                                            std::shared_ptr<Connection> connection);

}  // namespace va::net
