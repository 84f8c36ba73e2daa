#pragma once
// The HTTP server: accepts connections and runs one coroutine per connection (keep-alive,
// body and header limits, idle/header/body timeouts, connection caps). It is given io_contexts
// that are each run by one thread (IoThreads): each connection runs on the least busy one, with
// no strand. The caps hold across them. shutdown() stops accepting, lets in-flight
// requests finish, closes idle connections; the io_context then runs out of work.
//
// Built to face clients that mean harm: caps on connections (global and per address), a header
// deadline for connections that say nothing, metric labels from fixed sets only, and an accept
// loop that backs off (100 ms doubling to 500 ms) instead of spinning when descriptors run out.
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <string>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>

#include "net/http.hpp"
#include "net/trusted_proxies.hpp"
#include "net/websocket.hpp"
#include "timing/time_source.hpp"

namespace va::core {
class MetricsRegistry;
}

namespace va::net {

struct ServerOptions {
    std::size_t body_limit = 1024 * 1024;
    std::size_t header_limit = 16 * 1024;
    std::chrono::milliseconds idle_timeout{60'000};    // waiting for the next request on a kept-alive connection
    // From the first byte to the end of the headers; for a connection's first request, from the
    // accept (so a connection that never sends anything is closed after this, not idle_timeout).
    std::chrono::milliseconds header_timeout{10'000};
    std::chrono::milliseconds body_timeout{30'000};    // reading the body
    std::chrono::milliseconds write_timeout{30'000};
    WebSocketOptions websocket;  // for connections a handler upgrades
    // Open connections, WebSocket sessions included (0 = no cap). One over either cap is closed
    // as soon as it is accepted, before any read, and counted in
    // http_connections_refused_total{reason}. Keep max_connections below the descriptor limit
    // (see raise_descriptor_limit()) so that the cap, not EMFILE, is what refuses clients.
    std::size_t max_connections = 10'000;
    // Per client IPv4 address, or IPv6 /64 (one host commonly owns a whole /64). A reverse proxy
    // or a telephony provider's media servers come from few addresses: raise it for those.
    std::size_t max_connections_per_ip = 256;
    // Connections from these are exempt from max_connections_per_ip; each of their requests is
    // counted under it instead, for the client X-Forwarded-For names, while it is served (a
    // WebSocket session included), and is answered 429 over the cap. Handlers see that client
    // as Request::remote_address (what the API's rate limit keys on without tokens).
    TrustedProxies trusted_proxies;
    // The clock of the connections' deadlines and of the accept backoff (null: the machine's).
    timing::TimeSource* time = nullptr;
    // Asked once a request's head is read, before its body (null: body_limit for every request).
    // A refusal is answered at once, and the connection closes without reading the body.
    HeadCheck check_head;
};

// A socket bound to `endpoint` (port 0 picks a free port) and listening: connections queue in the
// kernel until a server serves it. Binding first lets a process learn its port before it builds
// what needs to know it (a public URL of "http://127.0.0.1:0"). Throws boost::system::system_error.
boost::asio::ip::tcp::acceptor bind_listener(boost::asio::io_context& io, const boost::asio::ip::tcp::endpoint& endpoint);

class HttpServer {
public:
    // Every context must be run by one thread (a second thread would race a connection's state);
    // the first runs the acceptor.
    HttpServer(std::span<boost::asio::io_context* const> contexts, Handler handler, core::MetricsRegistry& metrics,
               ServerOptions options = {});
    HttpServer(boost::asio::io_context& io, Handler handler, core::MetricsRegistry& metrics, ServerOptions options = {});
    ~HttpServer();
    HttpServer(const HttpServer&) = delete;
    HttpServer& operator=(const HttpServer&) = delete;

    // Binds and starts accepting; returns the bound endpoint (port 0 picks a free port).
    boost::asio::ip::tcp::endpoint listen(const boost::asio::ip::tcp::endpoint& endpoint);
    // Starts accepting on a socket from bind_listener(); returns its endpoint.
    boost::asio::ip::tcp::endpoint serve(boost::asio::ip::tcp::acceptor listener);
    // Thread-safe; idempotent.
    void shutdown();
    // Connections open now, WebSocket sessions included. Thread-safe.
    std::size_t connection_count() const;

    struct State;

private:
    std::shared_ptr<State> state_;
};

}  // namespace va::net
