#include "net/http_pool.hpp"

#include <sys/socket.h>

#include <cerrno>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/host_name_verification.hpp>
#include <boost/asio/ssl/stream.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl/ssl_stream.hpp>

#include "net/client_target.hpp"
#include "net/run_on.hpp"

namespace va::net {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using asio::ip::tcp;
using timing::SteadyTime;
using Message = http::request<http::string_body>;

namespace {

constexpr auto use_tuple = asio::as_tuple(asio::use_awaitable);
constexpr std::size_t kResponseBodyLimit = 8 * 1024 * 1024;

// One connection. An exchange on it runs on `strand` (so do Beast's timeout handlers); between
// exchanges it sits in the idle list, where nothing touches it but the liveness check.
struct PooledConnection {
    explicit PooledConnection(asio::any_io_executor s) : strand(std::move(s)) {}
    asio::any_io_executor strand;
    std::optional<beast::tcp_stream> plain;
    std::optional<beast::ssl_stream<beast::tcp_stream>> tls;
    SteadyTime idle_since{};

    bool open() const { return plain.has_value() || tls.has_value(); }
    beast::tcp_stream& tcp() { return tls ? beast::get_lowest_layer(*tls) : *plain; }
};

// An idle connection must not carry a request once the server has closed it (EOF) or written
// to it unasked (a TLS alert, garbage): a peek that would block is the only good answer.
bool peer_gone(PooledConnection& connection) {
    char byte;
    auto n = ::recv(connection.tcp().socket().native_handle(), &byte, 1, MSG_PEEK | MSG_DONTWAIT);
    return n >= 0 || (errno != EAGAIN && errno != EWOULDBLOCK);
}

struct Attempt {
    ClientResult result;
    std::unique_ptr<PooledConnection> reusable;  // set when the connection may carry another request
    bool nothing_back = false;  // failed before a byte of an answer arrived (what a stale connection does)
};

// The resolver has no timeout of its own: a timer cancels it at the deadline.
asio::awaitable<std::pair<beast::error_code, tcp::resolver::results_type>> resolve(const ClientTarget& target,
                                                                                   SteadyTime deadline) {
    auto executor = co_await asio::this_coro::executor;
    auto resolver = std::make_shared<tcp::resolver>(executor);
    timing::Timer timer(timing::real_time(), executor);
    timer.expires_at(deadline);
    timer.async_wait([weak = std::weak_ptr<tcp::resolver>(resolver)](const beast::error_code& ec) {
        if (auto r = weak.lock(); r && !ec) r->cancel();
    });
    auto [ec, results] = co_await resolver->async_resolve(target.host, target.port, use_tuple);
    timer.cancel();
    if (ec == asio::error::operation_aborted && timing::real_time().steady_now() >= deadline) ec = beast::error::timeout;
    co_return std::pair{ec, std::move(results)};
}

// Connects (and shakes hands, for https); every failure here means nothing was sent.
asio::awaitable<bool> open(PooledConnection& connection, const ClientTarget& target, SteadyTime deadline,
                           ClientResult& out) {
    auto [resolve_ec, endpoints] = co_await resolve(target, deadline);
    if (resolve_ec) {
        out.error = "resolve: " + resolve_ec.message();
        out.timed_out = resolve_ec == beast::error::timeout;
        co_return false;
    }
    beast::tcp_stream tcp_stream(connection.strand);
    tcp_stream.expires_at(deadline);
    auto [connect_ec, endpoint] = co_await tcp_stream.async_connect(endpoints, use_tuple);
    if (connect_ec) {
        out.error = "connect: " + connect_ec.message();
        out.timed_out = connect_ec == beast::error::timeout;
        co_return false;
    }
    if (!target.tls) {
        connection.plain.emplace(std::move(tcp_stream));
        co_return true;
    }
    auto& tls = connection.tls.emplace(std::move(tcp_stream), client_tls_context());
    if (!SSL_set_tlsext_host_name(tls.native_handle(), target.host.c_str())) {
        out.error = "tls: cannot set SNI";
        co_return false;
    }
    tls.set_verify_callback(asio::ssl::host_name_verification(target.host));
    auto [tls_ec] = co_await tls.async_handshake(asio::ssl::stream_base::client, use_tuple);
    if (tls_ec) {
        out.error = "tls: " + tls_ec.message();
        out.timed_out = tls_ec == beast::error::timeout;
        co_return false;
    }
    co_return true;
}

// Writes the request and reads the answer; true when the connection may carry another request.
template <typename Stream>
asio::awaitable<bool> exchange(Stream& stream, Message& message, Attempt& out) {
    auto [write_ec, written] = co_await http::async_write(stream, message, use_tuple);
    if (write_ec) {
        out.result.error = "send: " + write_ec.message();
        out.result.timed_out = write_ec == beast::error::timeout;
        out.nothing_back = true;
        co_return false;
    }
    out.result.request_sent = true;
    beast::flat_buffer buffer;
    http::response_parser<http::string_body> parser;
    parser.body_limit(kResponseBodyLimit);
    if (message.method() == http::verb::head) parser.skip(true);
    auto [read_ec, read] = co_await http::async_read(stream, buffer, parser, use_tuple);
    if (read_ec) {
        out.result.error = "receive: " + read_ec.message();
        out.result.timed_out = read_ec == beast::error::timeout;
        out.nothing_back = read_ec == http::error::end_of_stream || read_ec == asio::error::connection_reset;
        co_return false;
    }
    // Reused only after a final answer that ended where its framing said, with nothing after it.
    const bool reusable = parser.keep_alive() && buffer.size() == 0 && parser.get().result_int() >= 200;
    auto response = parser.release();
    ClientResponse result;
    result.status = response.result_int();
    for (const auto& field : response) result.headers.emplace_back(field.name_string(), field.value());
    result.body = std::move(response.body());
    out.result.response = std::move(result);
    co_return reusable;
}

// Runs on the connection's strand.
asio::awaitable<Attempt> run_attempt(std::unique_ptr<PooledConnection> connection, ClientTarget target,
                                     Message message, SteadyTime deadline) {
    Attempt out;
    // co_await kept out of conditions: g++ 12 miscompiles some of those.
    if (!connection->open()) {
        const bool opened = co_await open(*connection, target, deadline, out.result);
        if (!opened) co_return out;
    }
    connection->tcp().expires_at(deadline);
    bool reusable = false;
    if (connection->tls) {
        reusable = co_await exchange(*connection->tls, message, out);
    } else {
        reusable = co_await exchange(*connection->plain, message, out);
    }
    if (reusable) {
        connection->tcp().expires_never();
        out.reusable = std::move(connection);
    }
    co_return out;
}

Message make_message(http::verb verb, const ClientTarget& target, ClientRequest& in) {
    Message message{verb, target.target, 11};
    message.set(http::field::host, target.host_header);
    message.set(http::field::user_agent, "voiceagent");
    for (const auto& [name, value] : in.headers) message.set(name, value);
    message.body() = std::move(in.body);
    message.prepare_payload();
    return message;
}

}  // namespace

struct HttpConnectionPool::State {
    State(asio::io_context& io_context, PoolOptions o) : io(io_context), options(std::move(o)) {
        if (!options.time) options.time = &timing::real_time();
    }

    // Strands of the io_context itself: a strand of an any_io_executor would be a refcounted
    // heap object whose release ThreadSanitizer cannot follow.
    asio::io_context& io;
    PoolOptions options;

    mutable std::mutex mutex;
    std::map<std::string, std::vector<std::unique_ptr<PooledConnection>>, std::less<>> idle;  // newest last
    bool closed = false;  // the pool is gone: connections coming back are closed

    // The newest idle connection that is young enough and still open, or null.
    std::unique_ptr<PooledConnection> take(const std::string& origin) {
        std::vector<std::unique_ptr<PooledConnection>> dead;  // closed after the lock is released
        std::lock_guard lock(mutex);
        auto it = idle.find(origin);
        if (it == idle.end()) return nullptr;
        auto& list = it->second;
        const auto now = options.time->steady_now();
        while (!list.empty()) {
            auto connection = std::move(list.back());
            list.pop_back();
            if (now - connection->idle_since >= options.max_idle_age) {
                // The newest is too old, so are all the others.
                dead.push_back(std::move(connection));
                for (auto& older : list) dead.push_back(std::move(older));
                list.clear();
                break;
            }
            if (!peer_gone(*connection)) return connection;
            dead.push_back(std::move(connection));
        }
        return nullptr;
    }

    void give_back(const std::string& origin, std::unique_ptr<PooledConnection> connection) {
        connection->idle_since = options.time->steady_now();
        std::unique_ptr<PooledConnection> evicted;
        std::lock_guard lock(mutex);
        if (closed) {
            evicted = std::move(connection);
            return;
        }
        auto& list = idle[origin];
        list.push_back(std::move(connection));
        if (list.size() > options.max_idle_per_origin) {
            evicted = std::move(list.front());
            list.erase(list.begin());
        }
    }
};

HttpConnectionPool::HttpConnectionPool(asio::io_context& io, PoolOptions options)
    : state_(std::make_shared<State>(io, std::move(options))) {}

HttpConnectionPool::~HttpConnectionPool() {
    {
        std::lock_guard lock(state_->mutex);
        state_->closed = true;
    }
    close_idle();
}

void HttpConnectionPool::close_idle() {
    std::map<std::string, std::vector<std::unique_ptr<PooledConnection>>, std::less<>> closing;
    std::lock_guard lock(state_->mutex);
    closing.swap(state_->idle);
}

std::size_t HttpConnectionPool::idle_connections() const {
    std::lock_guard lock(state_->mutex);
    std::size_t n = 0;
    for (const auto& [origin, list] : state_->idle) n += list.size();
    return n;
}

asio::awaitable<ClientResult> HttpConnectionPool::request(ClientRequest request) {
    auto state = state_;  // requests in flight keep the connections' home alive
    ClientResult out;
    auto target = parse_client_target(request.url, "http", "https");
    if (!target) {
        out.error = "not an http:// or https:// URL";
        co_return out;
    }
    const auto verb = http::string_to_verb(request.method);
    if (verb == http::verb::unknown) {
        out.error = "unknown method";
        co_return out;
    }
    const auto deadline = timing::real_time().steady_now() + request.timeout;
    const auto origin = (target->tls ? "https://" : "http://") + target->host + ":" + target->port;
    const bool idempotent = verb == http::verb::get || verb == http::verb::head;
    const auto message = make_message(verb, *target, request);
    bool sent_before = false;
    for (int attempt = 0;; ++attempt) {
        auto connection = attempt == 0 ? state->take(origin) : nullptr;
        const bool reused = connection != nullptr;
        if (!connection) connection = std::make_unique<PooledConnection>(asio::make_strand(state->io));
        auto strand = connection->strand;
        auto result = co_await run_on(strand, run_attempt(std::move(connection), *target, message, deadline));
        if (result.reusable) state->give_back(origin, std::move(result.reusable));
        // A server may close an idle connection just as we write into it: nothing comes back.
        // Sending again is safe when the request had not left in full, or is idempotent.
        const bool retry = reused && result.nothing_back && (!result.result.request_sent || idempotent);
        if (!retry) {
            result.result.request_sent = result.result.request_sent || sent_before;
            co_return std::move(result.result);
        }
        sent_before = result.result.request_sent;
    }
}

}  // namespace va::net
