#include "net/server.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <spdlog/spdlog.h>

#include "net/server_state.hpp"
#include "net/spawn.hpp"

namespace va::net {

namespace asio = boost::asio;
using asio::ip::tcp;

namespace {

asio::awaitable<void> accept_loop(std::shared_ptr<HttpServer::State> state) {
    for (;;) {
        auto [ec, socket] =
            co_await state->acceptor->async_accept(asio::make_strand(state->io), asio::as_tuple(asio::use_awaitable));
        if (state->stopping) co_return;
        if (ec) {
            // Out of descriptors and similar: keep serving the connections we have.
            spdlog::warn("accept failed: {}", ec.message());
            continue;
        }
        // Small writes go out at once: a media frame followed by its mark must not wait for the
        // peer's delayed ACK (Nagle's algorithm held them ~40 ms).
        boost::system::error_code ignored;
        socket.set_option(tcp::no_delay(true), ignored);
        auto connection = std::make_shared<Connection>(std::move(socket));
        {
            std::lock_guard lock(state->mutex);
            state->connections.emplace(connection.get(), connection);
        }
        auto executor = connection->stream.get_executor();
        spawn_logged(executor, run_connection(state, std::move(connection)), "http connection");
    }
}

}  // namespace

HttpServer::HttpServer(asio::io_context& io, Handler handler, core::MetricsRegistry& metrics, ServerOptions options)
    : state_(std::make_shared<State>(io, std::move(handler), metrics, options)) {}

HttpServer::~HttpServer() { shutdown(); }

tcp::endpoint HttpServer::listen(const tcp::endpoint& endpoint) {
    auto& acceptor = state_->acceptor.emplace(asio::make_strand(state_->io));
    acceptor.open(endpoint.protocol());
    acceptor.set_option(asio::socket_base::reuse_address(true));
    acceptor.bind(endpoint);
    acceptor.listen(asio::socket_base::max_listen_connections);
    spawn_logged(acceptor.get_executor(), accept_loop(state_), "http accept loop");
    return acceptor.local_endpoint();
}

void HttpServer::shutdown() {
    if (state_->stopping.exchange(true)) return;
    if (state_->acceptor) {
        asio::post(state_->acceptor->get_executor(), [state = state_] {
            boost::system::error_code ignored;
            state->acceptor->close(ignored);
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
