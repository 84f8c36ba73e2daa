// One request is two coroutines in a parallel group on the caller's executor: the exchange (resolve,
// connect, TLS, write, read) and a watch that closes the connection when a deadline passes or the
// caller is cancelled. Closing is what stops the exchange wherever it waits, so nothing depends on
// which Asio and Beast operations honour per-operation cancellation.
#include "net/http_stream.hpp"

#include <array>
#include <optional>
#include <utility>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/deferred.hpp>
#include <boost/asio/experimental/parallel_group.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/host_name_verification.hpp>
#include <boost/asio/ssl/stream.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/string.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl/ssl_stream.hpp>
#include <boost/throw_exception.hpp>

#include "net/client_target.hpp"
#include "timing/deadline.hpp"

namespace va::net {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using asio::ip::tcp;
using boost::system::error_code;
using Outcome = boost::system::result<HttpAnswer, HttpStreamFailure>;

namespace {

constexpr auto use_tuple = asio::as_tuple(asio::use_awaitable);
constexpr std::size_t kReadChunk = 16 * 1024;

std::string lower(std::string_view text) {
    std::string out(text);
    for (auto& c : out) {
        if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    }
    return out;
}

class Category final : public boost::system::error_category {
public:
    const char* name() const noexcept override { return "http stream"; }
    std::string message(int code) const override {
        switch (static_cast<HttpStreamErrc>(code)) {
            case HttpStreamErrc::bad_url: return "bad URL: not an http:// or https:// URL";
            case HttpStreamErrc::bad_method: return "bad method";
            case HttpStreamErrc::resolve: return "resolve";
            case HttpStreamErrc::connect: return "connect";
            case HttpStreamErrc::tls: return "tls";
            case HttpStreamErrc::send: return "send";
            case HttpStreamErrc::receive: return "receive";
            case HttpStreamErrc::first_byte_timeout: return "timeout: no data in time";
            case HttpStreamErrc::total_timeout: return "timeout: not complete in time";
        }
        return "http stream error";
    }
};

// Whichever stream the request uses, and the resolver before it.
struct Connection {
    explicit Connection(const asio::any_io_executor& executor) : resolver(executor) {}
    tcp::resolver resolver;
    std::optional<beast::tcp_stream> plain;                   // http://
    std::optional<beast::ssl_stream<beast::tcp_stream>> tls;  // https://

    void close() {
        resolver.cancel();
        if (plain) plain->close();
        if (tls) beast::get_lowest_layer(*tls).close();
    }
};

// Closes the connection when a deadline passes (and says which), and however else it ends: the
// caller cancelled, or the exchange finished first.
asio::awaitable<HttpStreamErrc> watch(Connection& connection, const timing::StagedDeadline& deadline) {
    struct CloseOnExit {
        Connection& connection;
        ~CloseOnExit() { connection.close(); }
    } close{connection};
    // Socket deadlines are the machine's time.
    auto passed = co_await timing::expiry(timing::real_time(), deadline);
    co_return passed == timing::Passed::first ? HttpStreamErrc::first_byte_timeout : HttpStreamErrc::total_timeout;
}

class Exchange {
public:
    Exchange(Connection& connection, timing::StagedDeadline& deadline, HttpStreamRequest& request, BodySink& on_body)
        : connection_(connection), deadline_(deadline), request_(request), on_body_(on_body) {}

    asio::awaitable<Outcome> run(ClientTarget target, http::verb verb) {
        auto [resolve_ec, endpoints] = co_await connection_.resolver.async_resolve(target.host, target.port, use_tuple);
        if (resolve_ec) co_return failed(HttpStreamErrc::resolve, resolve_ec);
        const auto executor = co_await asio::this_coro::executor;
        if (!target.tls) {
            auto& stream = connection_.plain.emplace(executor);
            auto [connect_ec, endpoint] = co_await stream.async_connect(endpoints, use_tuple);
            if (connect_ec) co_return failed(HttpStreamErrc::connect, connect_ec);
            stream.socket().set_option(tcp::no_delay(true));
            co_return co_await exchange(stream, target, verb);
        }
        auto& stream = connection_.tls.emplace(executor, client_tls_context());
        auto [connect_ec, endpoint] = co_await beast::get_lowest_layer(stream).async_connect(endpoints, use_tuple);
        if (connect_ec) co_return failed(HttpStreamErrc::connect, connect_ec);
        beast::get_lowest_layer(stream).socket().set_option(tcp::no_delay(true));
        if (!SSL_set_tlsext_host_name(stream.native_handle(), target.host.c_str())) {
            co_return failed(HttpStreamErrc::tls, asio::error::invalid_argument);
        }
        stream.set_verify_callback(asio::ssl::host_name_verification(target.host));
        auto [tls_ec] = co_await stream.async_handshake(asio::ssl::stream_base::client, use_tuple);
        if (tls_ec) co_return failed(HttpStreamErrc::tls, tls_ec);
        co_return co_await exchange(stream, target, verb);
    }

private:
    static HttpStreamFailure failed(HttpStreamErrc what, error_code cause = {}) { return {what, cause}; }

    // The body's first byte, or the end of a response without one, ends the first deadline.
    void got_data() { deadline_.started = true; }

    http::request<http::string_body> build(const ClientTarget& target, http::verb verb) {
        http::request<http::string_body> request{verb, target.target, 11};
        request.set(http::field::host, target.host_header);
        request.set(http::field::user_agent, "voiceagent");
        for (const auto& [name, value] : request_.headers) {
            if (beast::iequals(name, "host") || beast::iequals(name, "user-agent")) {
                request.set(name, value);
            } else {
                request.insert(name, value);
            }
        }
        request.body() = std::move(request_.body);
        request.prepare_payload();
        request.keep_alive(false);
        return request;
    }

    template <typename Stream>
    asio::awaitable<Outcome> exchange(Stream& stream, const ClientTarget& target, http::verb verb) {
        auto request = build(target, verb);
        auto [write_ec, written] = co_await http::async_write(stream, request, use_tuple);
        if (write_ec) co_return failed(HttpStreamErrc::send, write_ec);

        beast::flat_buffer buffer;
        http::response_parser<http::buffer_body> parser;
        parser.body_limit(boost::none);  // bounded by the deadlines and by what the caller does with it
        if (verb == http::verb::head) parser.skip(true);
        auto [header_ec, header_bytes] = co_await http::async_read_header(stream, buffer, parser, use_tuple);
        if (header_ec) co_return failed(HttpStreamErrc::receive, header_ec);
        HttpAnswer answer;
        answer.status = parser.get().result_int();
        for (const auto& field : parser.get()) {
            answer.headers.emplace_back(lower(field.name_string()), std::string(field.value()));
        }
        if (!answer.ok()) {
            co_await read_error_body(stream, buffer, parser, answer.error_body);
            co_return answer;
        }
        while (!parser.is_done()) {
            auto piece = co_await read_piece(stream, buffer, parser);
            if (!piece) co_return failed(HttpStreamErrc::receive, piece.error());
            if (piece->empty()) continue;
            got_data();
            co_await stop_if_cancelled();  // nothing reaches the caller after it has gone
            if (!on_body_(*piece)) co_return answer;
        }
        got_data();
        co_return answer;
    }

    static asio::awaitable<void> stop_if_cancelled() {
        auto state = co_await asio::this_coro::cancellation_state;
        if (state.cancelled() != asio::cancellation_type::none) {
            boost::throw_exception(boost::system::system_error(asio::error::operation_aborted));
        }
    }

    // The next piece of the body, in chunk_.
    template <typename Stream>
    asio::awaitable<boost::system::result<std::string_view>> read_piece(Stream& stream, beast::flat_buffer& buffer,
                                                                        http::response_parser<http::buffer_body>& parser) {
        parser.get().body().data = chunk_.data();
        parser.get().body().size = chunk_.size();
        auto [ec, n] = co_await http::async_read_some(stream, buffer, parser, use_tuple);
        if (ec == http::error::need_buffer) ec = {};  // chunk_ is full: not an error
        if (ec) co_return ec;
        co_return std::string_view(chunk_.data(), chunk_.size() - parser.get().body().size);
    }

    // A non-2xx answer's body, bounded; what arrived before a failure is all there is to say.
    template <typename Stream>
    asio::awaitable<void> read_error_body(Stream& stream, beast::flat_buffer& buffer,
                                          http::response_parser<http::buffer_body>& parser, std::string& out) {
        while (!parser.is_done() && out.size() < request_.error_body_limit) {
            auto piece = co_await read_piece(stream, buffer, parser);
            if (!piece) break;
            if (!piece->empty()) got_data();
            out.append(piece->substr(0, request_.error_body_limit - out.size()));
        }
        got_data();
    }

    Connection& connection_;
    timing::StagedDeadline& deadline_;
    HttpStreamRequest& request_;
    BodySink& on_body_;
    std::array<char, kReadChunk> chunk_{};
};

}  // namespace

const boost::system::error_category& http_stream_category() {
    static const Category category;
    return category;
}

std::string HttpStreamFailure::message() const {
    auto text = make_error_code(what).message();
    if (cause) text += ": " + cause.message();
    return text;
}

bool HttpStreamFailure::before_sending() const {
    return what == HttpStreamErrc::bad_url || what == HttpStreamErrc::bad_method || what == HttpStreamErrc::resolve ||
           what == HttpStreamErrc::connect || what == HttpStreamErrc::tls;
}

void throw_exception_from_error(const HttpStreamFailure& failure, const boost::source_location& location) {
    boost::throw_exception(boost::system::system_error(make_error_code(failure.what), failure.message()), location);
}

std::string HttpAnswer::header(std::string_view name) const {
    for (const auto& [key, value] : headers) {
        if (key == name) return value;
    }
    return "";
}

asio::awaitable<Outcome> fetch_streamed(HttpStreamRequest request, BodySink on_body) {
    auto target = parse_client_target(request.url, "http", "https");
    if (!target) co_return HttpStreamFailure{HttpStreamErrc::bad_url, {}};
    const auto verb = http::string_to_verb(request.method);
    if (verb == http::verb::unknown) co_return HttpStreamFailure{HttpStreamErrc::bad_method, {}};

    const auto executor = co_await asio::this_coro::executor;
    const auto now = timing::real_time().steady_now();
    timing::StagedDeadline deadline;
    if (request.first_byte_timeout.count() > 0) deadline.first = now + request.first_byte_timeout;
    if (request.total_timeout.count() > 0) deadline.total = now + request.total_timeout;
    Connection connection(executor);
    Exchange exchange(connection, deadline, request, on_body);
    auto [order, exchange_error, outcome, watch_error, passed] =
        co_await asio::experimental::make_parallel_group(
            asio::co_spawn(executor, exchange.run(std::move(*target), verb), asio::deferred),
            asio::co_spawn(executor, watch(connection, deadline), asio::deferred))
            .async_wait(asio::experimental::wait_for_one(), asio::deferred);

    auto state = co_await asio::this_coro::cancellation_state;
    if (state.cancelled() != asio::cancellation_type::none) {
        boost::throw_exception(boost::system::system_error(asio::error::operation_aborted));
    }
    if (order[0] == 1 && !watch_error) co_return HttpStreamFailure{passed, {}};
    if (exchange_error) std::rethrow_exception(exchange_error);  // on_body threw
    co_return std::move(outcome);
}

}  // namespace va::net
