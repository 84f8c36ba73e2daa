// One HTTP/1.1 connection: read a request within limits and timeouts, hand it to the handler,
// write the answer, repeat while kept alive. Errors in the client's bytes are answered (400, 413,
// 431) and end the connection; they never reach the handler. The timeouts are one deadline on the
// server's time source that each phase moves, and a watch beside the connection closes the socket
// when it passes.
#include <chrono>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/deferred.hpp>
#include <boost/asio/experimental/parallel_group.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http.hpp>
#include <spdlog/spdlog.h>

#include "net/request_head.hpp"
#include "net/server_state.hpp"
#include "net/websocket_accept.hpp"

namespace va::net {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using asio::ip::tcp;

namespace {

constexpr auto use_tuple = asio::as_tuple(asio::use_awaitable);

// The deadline of whatever the connection waits for now (the next request, headers, a body, a
// write). Moving it earlier wakes the watch; moving it later lets the watch find out when it wakes.
class Deadline {
public:
    Deadline(timing::TimeSource& time, asio::any_io_executor executor) : time_(time), wake_(time, std::move(executor)) {}

    timing::SteadyTime now() const { return time_.steady_now(); }
    void at(timing::SteadyTime when) {
        const bool earlier = when < at_;
        at_ = when;
        if (earlier) wake_.cancel();
    }
    void after(timing::Duration wait) { at(now() + wait); }
    void never() { at_ = timing::SteadyTime::max(); }  // the stream has left for a WebSocket session

    // Closes the socket whenever the deadline passes, which ends what the connection awaits; it
    // then winds down on its own. Returns only when cancelled, once the connection is over.
    asio::awaitable<void> watch(ServerStream& stream) {
        for (;;) {
            wake_.expires_at(at_);
            co_await wake_.async_wait(use_tuple);  // woken early: the deadline moved
            auto state = co_await asio::this_coro::cancellation_state;
            if (state.cancelled() != asio::cancellation_type::none) co_return;
            if (now() >= at_) {
                beast::error_code ignored;
                stream.socket().close(ignored);
                never();
            }
        }
    }

private:
    timing::TimeSource& time_;
    timing::Timer wake_;
    timing::SteadyTime at_ = timing::SteadyTime::max();
};

void count_request(HttpServer::State& state, std::string_view method, const Response& response,
                   timing::SteadyTime started, std::string_view id) {
    double seconds = std::chrono::duration<double>(state.time().steady_now() - started).count();
    // Only the route pattern is logged or labelled: paths and queries may hold phone numbers.
    auto route = response.route.empty() ? std::string("unmatched") : response.route;
    state.metrics
        .counter("http_requests_total", "HTTP requests by method, route and status.",
                 {{"method", std::string(method)}, {"route", route}, {"status", std::to_string(response.status)}})
        .inc();
    state.metrics
        .histogram("http_request_duration_seconds", "Time from request read to response ready.", {{"route", route}},
                   core::MetricsRegistry::latency_buckets_seconds())
        .observe(seconds);
    spdlog::info("request {} {} {} -> {} in {:.2f} ms", id, method, route, response.status, seconds * 1000);
}

asio::awaitable<Response> handle(HttpServer::State& state, Request request) {
    auto started = state.time().steady_now();
    // A label from a fixed set: the raw method is any token the client likes (see method_label).
    const auto method = method_label(request.method);
    auto id = request.request_id;
    Response response;
    try {
        response = co_await state.handler(std::move(request));
    } catch (const std::exception& e) {
        spdlog::error("request {} failed: {}", id, e.what());
        response = error_response(500, "internal", "internal error; see the server log for request " + id);
    }
    count_request(state, method, response, started, id);
    response.headers.emplace_back("X-Request-Id", id);
    co_return response;
}

http::response<http::string_body> to_beast(Response&& in, unsigned version, bool keep_alive, bool head) {
    http::response<http::string_body> out{static_cast<http::status>(in.status), version};
    out.set(http::field::content_type, in.content_type);
    for (auto& [k, v] : in.headers) out.insert(k, v);
    out.keep_alive(keep_alive);
    auto size = in.body.size();
    out.body() = std::move(in.body);
    out.prepare_payload();
    if (head) {
        out.body().clear();
        out.content_length(size);
    }
    return out;
}

// Answers a request we refused to read (too large, malformed, refused by its route on its head)
// and closes without a reset, so the client sees the answer even though it may still be sending.
asio::awaitable<void> refuse(ServerStream& stream, Deadline& deadline, const ServerOptions& options,
                             Response answer) {
    auto response = to_beast(std::move(answer), 11, false, false);
    deadline.after(options.write_timeout);
    co_await http::async_write(stream, response, use_tuple);
    beast::error_code ignored;
    stream.socket().shutdown(tcp::socket::shutdown_send, ignored);
    deadline.after(std::chrono::seconds(1));
    std::array<char, 4096> sink;
    for (int i = 0; i < 512; ++i) {  // drain at most 2 MiB
        auto [ec, n] = co_await stream.async_read_some(asio::buffer(sink), use_tuple);
        if (ec) break;
    }
}

// Refuses a request whose head was read, unread, counted and logged like any answered one.
asio::awaitable<void> refuse_request(HttpServer::State& state, ServerStream& stream, Deadline& deadline,
                                     const Request& request, Response refusal) {
    count_request(state, method_label(request.method), refusal, deadline.now(), request.request_id);
    refusal.headers.emplace_back("X-Request-Id", request.request_id);
    co_await refuse(stream, deadline, state.options, std::move(refusal));
}

// The answer to a read error, or nullopt when the peer just went away or timed out.
std::optional<std::pair<unsigned, std::string_view>> read_error_answer(const beast::error_code& ec) {
    if (ec == http::error::body_limit) return std::pair{413u, "request body is larger than the limit"};
    if (ec == http::error::header_limit) return std::pair{431u, "request headers are larger than the limit"};
    if (ec == http::error::end_of_stream || ec == beast::error::timeout || ec == asio::error::operation_aborted ||
        ec == asio::error::bad_descriptor || ec == asio::error::connection_reset || ec == asio::error::eof)
        return std::nullopt;
    return std::pair{400u, "malformed HTTP request"};
}

asio::awaitable<void> answer_read_error(ServerStream& stream, Deadline& deadline, const ServerOptions& options,
                                        const beast::error_code& ec) {
    auto answer = read_error_answer(ec);
    if (!answer) co_return;
    auto code = answer->first == 413 ? "body_too_large" : answer->first == 431 ? "headers_too_large" : "bad_request";
    co_await refuse(stream, deadline, options, error_response(answer->first, code, answer->second));
}

// The producer's side of a streamed response: each write is one chunk, under the write timeout.
class ChunkWriter final : public ResponseStream {
public:
    ChunkWriter(HttpServer::State& state, ServerStream& stream, Deadline& deadline)
        : state_(state), stream_(stream), deadline_(deadline) {}

    asio::awaitable<bool> write(std::string data) override {
        if (broken_ || data.empty()) co_return !broken_;
        deadline_.after(state_.options.write_timeout);
        auto [ec, n] = co_await asio::async_write(stream_, http::make_chunk(asio::buffer(data)), use_tuple);
        deadline_.never();  // the producer's waits are its own
        broken_ = static_cast<bool>(ec);
        co_return !broken_;
    }
    bool open() const override { return !broken_ && !state_.stopping; }
    bool broken() const { return broken_; }

private:
    HttpServer::State& state_;
    ServerStream& stream_;
    Deadline& deadline_;
    bool broken_ = false;
};

// Sends a streamed response's head, runs its producer, and ends the body.
asio::awaitable<void> send_streamed(HttpServer::State& state, ServerStream& stream, Deadline& deadline,
                                    Response response, unsigned version) {
    http::response<http::empty_body> head{static_cast<http::status>(response.status), version};
    head.set(http::field::content_type, response.content_type);
    for (auto& [k, v] : response.headers) head.insert(k, v);
    head.keep_alive(false);
    head.chunked(true);
    http::response_serializer<http::empty_body> serializer{head};
    deadline.after(state.options.write_timeout);
    auto [ec, n] = co_await http::async_write_header(stream, serializer, use_tuple);
    deadline.never();
    if (ec) co_return;
    ChunkWriter writer(state, stream, deadline);
    co_await response.stream(writer);
    if (writer.broken()) co_return;
    deadline.after(state.options.write_timeout);
    co_await asio::async_write(stream, http::make_chunk_last(), use_tuple);
}

// A forwarded request's place under the per-client cap, given back when it is served.
struct ClientPlace {
    ClientPlace(HttpServer::State& s, const asio::ip::address& c) : state(s), client(c), held(take_client_place(s, c)) {}
    ~ClientPlace() {
        if (held) give_client_place(state, client);
    }
    ClientPlace(const ClientPlace&) = delete;
    ClientPlace& operator=(const ClientPlace&) = delete;
    HttpServer::State& state;
    asio::ip::address client;
    bool held;
};

asio::awaitable<void> serve_requests(std::shared_ptr<HttpServer::State> state, std::shared_ptr<Connection> connection,
                                     tcp::endpoint remote, Deadline& deadline) {
    auto& stream = connection->stream;
    const auto& options = state->options;
    beast::error_code ec;
    beast::flat_buffer buffer;
    // A new connection owes us its first request's headers within header_timeout of the accept:
    // one that says nothing must not hold a descriptor for the (longer) idle_timeout.
    bool first_request = true;

    while (!ec) {
        auto header_deadline = deadline.now() + options.header_timeout;
        if (buffer.size() == 0) {
            connection->idle = true;
            if (state->stopping) break;
            if (first_request) {
                deadline.at(header_deadline);
            } else {
                deadline.after(options.idle_timeout);
            }
            auto [read_ec, n] = co_await stream.async_read_some(buffer.prepare(4096), use_tuple);
            connection->idle = false;
            if (read_ec) break;
            buffer.commit(n);
            if (!first_request) header_deadline = deadline.now() + options.header_timeout;
        }
        first_request = false;

        http::request_parser<http::string_body> parser;
        parser.header_limit(static_cast<std::uint32_t>(options.header_limit));
        parser.body_limit(boost::none);  // the route's, once the head says which route
        deadline.at(header_deadline);
        std::tie(ec, std::ignore) = co_await http::async_read_header(stream, buffer, parser, use_tuple);
        if (ec) {
            co_await answer_read_error(stream, deadline, options, ec);
            break;
        }
        auto request = to_request(parser.get(), remote);  // the head alone: the body is not read yet
        if (!request) {
            co_await refuse(stream, deadline, options,
                            error_response(400, "bad_request", "request target is not a valid URL path"));
            break;
        }
        // Forwarded by a trusted proxy: the client it names is the one handlers see, and the one
        // that takes a place under the per-client cap while this request is served.
        std::optional<ClientPlace> place;
        if (options.trusted_proxies.contains(remote.address())) {
            const auto client = options.trusted_proxies.client(remote.address(), request->headers);
            request->remote_address = client.to_string();
            if (options.max_connections_per_ip != 0) {
                place.emplace(*state, client_key(client));
                if (!place->held) {
                    count_refusal(*state, "max_connections_per_ip");
                    auto refusal = error_response(429, "too_many_connections",
                                                  "too many requests at once from your address");
                    refusal.headers.emplace_back("Retry-After", "1");
                    co_await refuse_request(*state, stream, deadline, *request, std::move(refusal));
                    break;
                }
            }
        }
        auto verdict = options.check_head ? options.check_head(*request, options.body_limit)
                                          : HeadVerdict{options.body_limit, std::nullopt};
        if (verdict.refusal) {
            co_await refuse_request(*state, stream, deadline, *request, std::move(*verdict.refusal));
            break;
        }
        if (auto length = parser.content_length(); length && *length > verdict.body_limit) {
            co_await answer_read_error(stream, deadline, options, http::error::body_limit);
            break;
        }
        parser.body_limit(verdict.body_limit);
        if (!parser.is_done()) {
            auto expect = parser.get()[http::field::expect];
            if (beast::iequals(expect, "100-continue")) {
                http::response<http::empty_body> go_on{http::status::continue_, parser.get().version()};
                deadline.after(options.write_timeout);
                std::tie(ec, std::ignore) = co_await http::async_write(stream, go_on, use_tuple);
                if (ec) break;
            }
            deadline.after(options.body_timeout);
            std::tie(ec, std::ignore) = co_await http::async_read(stream, buffer, parser, use_tuple);
            if (ec) {
                co_await answer_read_error(stream, deadline, options, ec);
                break;
            }
        }

        auto beast_request = parser.release();
        const unsigned version = beast_request.version();
        const bool head = beast_request.method() == http::verb::head;
        bool keep_alive = beast_request.keep_alive();
        request->body = std::move(beast_request.body());
        const bool upgrade = request->websocket_upgrade;
        deadline.never();  // the handler's time is its own
        auto response = co_await handle(*state, std::move(*request));
        if (upgrade && response.accept_websocket) {
            // The stream leaves this connection: nothing below may touch it any more.
            connection->upgraded = true;
            auto socket = co_await accept_websocket(std::move(stream), std::move(beast_request), state->options.websocket);
            if (socket) co_await response.accept_websocket(std::move(socket));
            co_return;
        }
        if (response.stream) {
            co_await send_streamed(*state, stream, deadline, std::move(response), version);
            break;
        }
        if (response.drop_connection) {
            stream.socket().close(ec);
            co_return;
        }
        keep_alive = keep_alive && !state->stopping;
        auto out = to_beast(std::move(response), version, keep_alive, head);
        deadline.after(options.write_timeout);
        std::tie(ec, std::ignore) = co_await http::async_write(stream, out, use_tuple);
        if (!keep_alive) break;
    }

    stream.socket().shutdown(tcp::socket::shutdown_send, ec);
}

}  // namespace

asio::awaitable<void> run_connection(std::shared_ptr<HttpServer::State> state, std::shared_ptr<Connection> connection,
                                     tcp::endpoint remote, std::optional<asio::ip::address> client) {
    // However the coroutine ends (a WebSocket session included: it is awaited below), the server
    // forgets this connection and gives its place under the caps back, once.
    struct Unregister {
        HttpServer::State& state;
        Connection* connection;
        std::optional<asio::ip::address> client;
        ~Unregister() { release_connection(state, connection, client); }
    } unregister{*state, connection.get(), client};
    const auto executor = co_await asio::this_coro::executor;
    Deadline deadline(state->time(), executor);
    auto [order, serving_error, watch_error] =
        co_await asio::experimental::make_parallel_group(
            asio::co_spawn(executor, serve_requests(state, connection, remote, deadline), asio::deferred),
            asio::co_spawn(executor, deadline.watch(connection->stream), asio::deferred))
            .async_wait(asio::experimental::wait_for_one(), asio::deferred);
    if (serving_error) std::rethrow_exception(serving_error);
}

}  // namespace va::net
