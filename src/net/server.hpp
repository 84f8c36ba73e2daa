#pragma once
// The HTTP server: accepts connections and runs one coroutine per connection (keep-alive,
// body and header limits, idle/header/body timeouts). Runs on the io_context's threads, each
// connection on its own strand. shutdown() stops accepting, lets in-flight requests finish,
// closes idle connections; the io_context then runs out of work.
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>

#include "net/http.hpp"
#include "net/websocket.hpp"

namespace va::core {
class MetricsRegistry;
}

namespace va::net {

struct ServerOptions {
    std::size_t body_limit = 1024 * 1024;
    std::size_t header_limit = 16 * 1024;
    std::chrono::milliseconds idle_timeout{60'000};    // waiting for the next request on a kept-alive connection
    std::chrono::milliseconds header_timeout{10'000};  // from the first byte to the end of the headers
    std::chrono::milliseconds body_timeout{30'000};    // reading the body
    std::chrono::milliseconds write_timeout{30'000};
    WebSocketOptions websocket;  // for connections a handler upgrades
};

class HttpServer {
public:
    HttpServer(boost::asio::io_context& io, Handler handler, core::MetricsRegistry& metrics, ServerOptions options = {});
    ~HttpServer();
    HttpServer(const HttpServer&) = delete;
    HttpServer& operator=(const HttpServer&) = delete;

    // Binds and starts accepting; returns the bound endpoint (port 0 picks a free port).
    boost::asio::ip::tcp::endpoint listen(const boost::asio::ip::tcp::endpoint& endpoint);
    // Thread-safe; idempotent.
    void shutdown();

    struct State;

private:
    std::shared_ptr<State> state_;
};

}  // namespace va::net
