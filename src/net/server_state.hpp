#pragma once
// Internal to net/: what the acceptor and the connection coroutines share.
#include <atomic>
#include <memory>
#include <mutex>
#include <optional>
#include <span>
#include <string_view>
#include <unordered_map>
#include <vector>

#include <boost/asio/awaitable.hpp>
#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/ip/address.hpp>

#include "core/metrics.hpp"
#include "net/server.hpp"
#include "net/websocket_accept.hpp"
#include "timing/time_source.hpp"

namespace va::net {

struct Connection {
    Connection(ServerStream::socket_type socket, std::size_t context_index)
        : executor(socket.get_executor()), stream(std::move(socket)), context(context_index) {}
    boost::asio::any_io_executor executor;  // its context's: one thread
    ServerStream stream;                    // moved out when the connection becomes a WebSocket
    std::size_t context;                    // which of the server's contexts runs it
    // Read and written only on the context's thread:
    bool idle = true;  // waiting for a request
    bool upgraded = false;  // the stream now belongs to a WebSocket session
};

struct HttpServer::State {
    State(std::span<boost::asio::io_context* const> c, Handler h, core::MetricsRegistry& m, ServerOptions o)
        : contexts(c.begin(), c.end()), handler(std::move(h)), metrics(m), options(o), per_context(c.size(), 0) {}

    std::vector<boost::asio::io_context*> contexts;  // each run by one thread; [0] runs the acceptor
    Handler handler;
    core::MetricsRegistry& metrics;
    ServerOptions options;
    timing::TimeSource& time() const { return options.time ? *options.time : timing::real_time(); }
    std::optional<boost::asio::ip::tcp::acceptor> acceptor;
    std::optional<timing::Timer> accept_backoff;  // on the acceptor's context
    std::atomic<bool> stopping{false};

    mutable std::mutex mutex;
    std::unordered_map<Connection*, std::weak_ptr<Connection>> connections;
    // Under `mutex`: what the caps count. A connection takes its place in the accept loop and
    // gives it back in run_connection's guard, which outlives a WebSocket session (run_connection
    // awaits it), so each place is given back exactly once, when the connection is over.
    std::size_t open_connections = 0;
    std::unordered_map<boost::asio::ip::address, std::size_t> connections_per_client;
    std::vector<std::size_t> per_context;  // open connections on each context: a new one goes to the least busy
};

// The key of the per-client cap: the IPv4 address (also when v4-mapped), or the IPv6 /64.
boost::asio::ip::address client_key(const boost::asio::ip::address& address);

// Registers a new connection and takes its place under the caps (under the per-client cap only
// when `client` is given: not for a trusted proxy); the name of the cap that refuses it otherwise
// ("max_connections", "max_connections_per_ip"), and then nothing is registered.
std::optional<std::string_view> admit_connection(HttpServer::State& state, const std::shared_ptr<Connection>& connection,
                                                 const std::optional<boost::asio::ip::address>& client);
// Forgets a connection admitted for `client` and gives its place back. Once per admitted one.
void release_connection(HttpServer::State& state, Connection* connection,
                        const std::optional<boost::asio::ip::address>& client);

// Counts a connection or forwarded request refused by `cap` in http_connections_refused_total.
void count_refusal(HttpServer::State& state, std::string_view cap);

// A place under the per-client cap for a request a trusted proxy forwarded, held while it is
// served; false when the client is at the cap.
bool take_client_place(HttpServer::State& state, const boost::asio::ip::address& client);
void give_client_place(HttpServer::State& state, const boost::asio::ip::address& client);

// Serves one admitted connection until it closes, times out or the server drains (a WebSocket
// session it was upgraded to included), then releases it.
// `client` is what it was admitted under (admit_connection).
boost::asio::awaitable<void> run_connection(std::shared_ptr<HttpServer::State> state,
                                            std::shared_ptr<Connection> connection,
                                            boost::asio::ip::tcp::endpoint remote,
                                            std::optional<boost::asio::ip::address> client);

}  // namespace va::net
