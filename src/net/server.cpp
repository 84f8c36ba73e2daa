#include "net/server.hpp"

#include <algorithm>
#include <array>
#include <stdexcept>
#include <string_view>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <spdlog/spdlog.h>

#include "net/server_state.hpp"
#include "net/spawn.hpp"

namespace va::net {

namespace asio = boost::asio;
using asio::ip::tcp;
using namespace std::chrono_literals;

namespace {

constexpr auto use_tuple = asio::as_tuple(asio::use_awaitable);

// After a failed accept, wait before the next: out of descriptors or memory, accepting again at
// once fails again, and the loop would spin a core and flood the log (830,000 lines in 10 s under
// a 256-descriptor limit) while the connections we have starve. 100 ms doubling to 500 ms keeps
// the wait short once a descriptor frees up; a successful accept starts again from 100 ms.
constexpr auto backoff_first = 100ms;
constexpr auto backoff_max = 500ms;
constexpr auto log_every = 10s;  // while accepts keep failing, one warning per this at most

// The label of a failed accept. Every kind backs off: a listener failing for a reason we do not
// foresee must not spin either.
std::string_view accept_error_reason(const boost::system::error_code& ec) {
    namespace errc = boost::system::errc;
    if (ec == errc::too_many_files_open || ec == errc::too_many_files_open_in_system) return "descriptors";
    if (ec == errc::no_buffer_space || ec == errc::not_enough_memory) return "memory";
    return "other";
}

// Accepting on one socket and handing each connection to a context costs a thread hand-off per
// connection, not per frame. (SO_REUSEPORT, an acceptor per context, would let another process
// of the same user join the port unnoticed, and balances by a hash rather than by load.)
std::size_t least_busy_context(HttpServer::State& state) {
    std::lock_guard lock(state.mutex);
    return static_cast<std::size_t>(std::min_element(state.per_context.begin(), state.per_context.end()) -
                                    state.per_context.begin());
}

asio::awaitable<void> accept_loop(std::shared_ptr<HttpServer::State> state) {
    auto backoff = std::chrono::milliseconds(backoff_first);
    unsigned long long failures = 0;  // in a row
    auto last_warning = timing::SteadyTime{};
    for (;;) {
        const auto context = least_busy_context(*state);
        auto [ec, socket] = co_await state->acceptor->async_accept(state->contexts[context]->get_executor(), use_tuple);
        if (state->stopping) co_return;
        if (ec == asio::error::connection_aborted) continue;  // the client left before we took it
        if (ec) {
            // Keep serving the connections we have; try again after a pause.
            state->metrics
                .counter("http_accept_errors_total", "Failed accepts by reason; each is followed by a 100-500 ms pause.",
                         {{"reason", std::string(accept_error_reason(ec))}})
                .inc();
            const auto now = state->time().steady_now();
            if (++failures == 1 || now - last_warning >= log_every) {
                spdlog::warn("accept failed: {} ({} in a row); pausing accepts {} ms", ec.message(), failures,
                             backoff.count());
                last_warning = now;
            }
            state->accept_backoff->expires_after(backoff);
            co_await state->accept_backoff->async_wait(use_tuple);
            backoff = std::min(backoff * 2, std::chrono::milliseconds(backoff_max));
            continue;
        }
        if (failures > 0) {
            spdlog::info("accepting again after {} failed accepts", failures);
            failures = 0;
            backoff = backoff_first;
        }
        boost::system::error_code remote_ec;
        const auto remote = socket.remote_endpoint(remote_ec);
        if (remote_ec) continue;  // already gone
        // A trusted proxy's connections are not counted per client: its requests are (connection.cpp).
        std::optional<asio::ip::address> client;
        if (!state->options.trusted_proxies.contains(remote.address())) client = client_key(remote.address());
        auto connection = std::make_shared<Connection>(std::move(socket), context);
        if (auto refused = admit_connection(*state, connection, client)) {
            // Closed at once (connection's destructor), before reading a byte: no work for it.
            count_refusal(*state, *refused);
            continue;
        }
        // Small writes go out at once: a media frame followed by its mark must not wait for the
        // peer's delayed ACK (Nagle's algorithm held them ~40 ms).
        boost::system::error_code ignored;
        connection->stream.socket().set_option(tcp::no_delay(true), ignored);
        auto executor = connection->stream.get_executor();
        spawn_logged(executor, run_connection(state, std::move(connection), remote, client), "http connection");
    }
}

}  // namespace

asio::ip::address client_key(const asio::ip::address& address) {
    if (address.is_v4()) return address;
    const auto v6 = address.to_v6();
    if (v6.is_v4_mapped()) return asio::ip::make_address_v4(asio::ip::v4_mapped, v6);
    auto bytes = v6.to_bytes();
    std::fill(bytes.begin() + 8, bytes.end(), static_cast<unsigned char>(0));  // keep the /64
    return asio::ip::address_v6(bytes);
}

namespace {
// Under state.mutex.
bool over_client_cap(const HttpServer::State& state, const asio::ip::address& client) {
    if (state.options.max_connections_per_ip == 0) return false;
    auto it = state.connections_per_client.find(client);
    return it != state.connections_per_client.end() && it->second >= state.options.max_connections_per_ip;
}

void give_place(HttpServer::State& state, const asio::ip::address& client) {
    auto it = state.connections_per_client.find(client);
    if (it != state.connections_per_client.end() && --it->second == 0) state.connections_per_client.erase(it);
}
}  // namespace

void count_refusal(HttpServer::State& state, std::string_view cap) {
    state.metrics
        .counter("http_connections_refused_total",
                 "Connections closed on accept (and requests a trusted proxy forwarded, answered 429) by the cap "
                 "they were over.",
                 {{"reason", std::string(cap)}})
        .inc();
}

std::optional<std::string_view> admit_connection(HttpServer::State& state, const std::shared_ptr<Connection>& connection,
                                                 const std::optional<asio::ip::address>& client) {
    const auto& options = state.options;
    std::lock_guard lock(state.mutex);
    if (options.max_connections != 0 && state.open_connections >= options.max_connections) return "max_connections";
    if (client && over_client_cap(state, *client)) return "max_connections_per_ip";
    ++state.open_connections;
    ++state.per_context[connection->context];
    if (client) ++state.connections_per_client[*client];
    state.connections.emplace(connection.get(), connection);
    return std::nullopt;
}

void release_connection(HttpServer::State& state, Connection* connection, const std::optional<asio::ip::address>& client) {
    std::lock_guard lock(state.mutex);
    state.connections.erase(connection);
    --state.open_connections;
    --state.per_context[connection->context];
    if (client) give_place(state, *client);
}

bool take_client_place(HttpServer::State& state, const asio::ip::address& client) {
    std::lock_guard lock(state.mutex);
    if (over_client_cap(state, client)) return false;
    ++state.connections_per_client[client];
    return true;
}

void give_client_place(HttpServer::State& state, const asio::ip::address& client) {
    std::lock_guard lock(state.mutex);
    give_place(state, client);
}

HttpServer::HttpServer(std::span<asio::io_context* const> contexts, Handler handler, core::MetricsRegistry& metrics,
                       ServerOptions options)
    : state_(std::make_shared<State>(contexts, std::move(handler), metrics, options)) {
    if (contexts.empty()) throw std::invalid_argument("HttpServer: no io_context");
}

HttpServer::HttpServer(asio::io_context& io, Handler handler, core::MetricsRegistry& metrics, ServerOptions options)
    : HttpServer(std::span<asio::io_context* const>(std::array{&io}), std::move(handler), metrics, std::move(options)) {}

HttpServer::~HttpServer() { shutdown(); }

tcp::acceptor bind_listener(asio::io_context& io, const tcp::endpoint& endpoint) {
    tcp::acceptor acceptor(io);
    acceptor.open(endpoint.protocol());
    acceptor.set_option(asio::socket_base::reuse_address(true));
    acceptor.bind(endpoint);
    acceptor.listen(asio::socket_base::max_listen_connections);
    return acceptor;
}

tcp::endpoint HttpServer::listen(const tcp::endpoint& endpoint) { return serve(bind_listener(*state_->contexts.front(), endpoint)); }

tcp::endpoint HttpServer::serve(tcp::acceptor listener) {
    auto& acceptor = state_->acceptor.emplace(std::move(listener));
    state_->accept_backoff.emplace(state_->time(), acceptor.get_executor());
    // The backoff runs when no descriptor is free. UBSan's check of a virtual call (debug builds)
    // needs one the first time it meets a type, so the timer's calls are made once now.
    state_->accept_backoff->expires_after(std::chrono::milliseconds(0));
    state_->accept_backoff->async_wait([](boost::system::error_code) {});
    spawn_logged(acceptor.get_executor(), accept_loop(state_), "http accept loop");
    return acceptor.local_endpoint();
}

std::size_t HttpServer::connection_count() const {
    std::lock_guard lock(state_->mutex);
    return state_->open_connections;
}

void HttpServer::shutdown() {
    if (state_->stopping.exchange(true)) return;
    if (state_->acceptor) {
        asio::post(state_->acceptor->get_executor(), [state = state_] {
            boost::system::error_code ignored;
            state->acceptor->close(ignored);
            state->accept_backoff->cancel();  // a loop pausing after a failed accept ends now
        });
    }
    std::lock_guard lock(state_->mutex);
    for (auto& [raw, weak] : state_->connections) {
        auto connection = weak.lock();
        if (!connection) continue;
        // Idle connections are closed now; busy ones close after their current response.
        asio::post(connection->executor, [connection] {
            if (connection->idle && !connection->upgraded) connection->stream.cancel();
        });
    }
}

}  // namespace va::net
