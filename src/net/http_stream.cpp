// One coroutine per request on the caller's strand, which alone calls the callbacks. cancel() and
// the two deadlines reach it the same way: abort() on the strand records why and closes the
// socket, so whatever the coroutine awaits fails at once and the recorded reason, not the I/O error
// it caused, becomes on_done's text.
#include "net/http_stream.hpp"
#include "timing/time_source.hpp"

#include <array>
#include <atomic>
#include <optional>
#include <utility>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/ssl/host_name_verification.hpp>
#include <boost/asio/ssl/stream.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/string.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl/ssl_stream.hpp>

#include "net/client_target.hpp"
#include "net/spawn.hpp"

namespace va::net {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using asio::ip::tcp;

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

class HttpStreamImpl final : public HttpStream, public std::enable_shared_from_this<HttpStreamImpl> {
public:
    HttpStreamImpl(asio::any_io_executor strand, HttpStreamRequest request, HttpStreamCallbacks callbacks)
        : strand_(std::move(strand)), request_(std::move(request)), callbacks_(std::move(callbacks)),
          resolver_(strand_), watchdog_(timing::real_time(), strand_) {}

    // Any thread. No lock: the strand serialises abort() with the coroutine.
    void cancel() override {
        if (canceled_.exchange(true)) return;
        asio::post(strand_, [self = shared_from_this()] { self->abort("canceled"); });
    }

    // The request's whole life.
    static asio::awaitable<void> run(std::shared_ptr<HttpStreamImpl> self, std::optional<ClientTarget> target) {
        std::string outcome;
        if (!target) {
            outcome = "bad URL: not an http:// or https:// URL";
        } else {
            self->start_deadlines();
            try {
                outcome = co_await self->fetch(std::move(*target));
            } catch (const std::exception& e) {  // a callback threw, or an allocation failed
                outcome = e.what();
            }
        }
        self->finish(std::move(outcome));
    }

private:
    bool stopping() const { return !abort_reason_.empty() || canceled_.load(); }

    beast::tcp_stream* lowest() {
        if (tcp_) return &*tcp_;
        if (tls_) return &beast::get_lowest_layer(*tls_);
        return nullptr;
    }

    // On the strand. The first reason wins: a timeout that fires while a cancel is on its way
    // still ends as the timeout.
    void abort(std::string reason) {
        if (finished_) return;
        if (abort_reason_.empty()) abort_reason_ = std::move(reason);
        resolver_.cancel();
        if (auto* socket = lowest()) socket->close();
        watchdog_.cancel();
    }

    void arm(timing::SteadyTime at, std::string reason) {
        watchdog_.expires_at(at);  // cancels the previous wait, if any
        watchdog_.async_wait([self = shared_from_this(), reason = std::move(reason)](boost::system::error_code ec) {
            if (!ec) self->abort(reason);
        });
    }

    void start_deadlines() {
        auto now = timing::real_time().steady_now();  // socket deadlines: the machine's time
        auto first = request_.first_byte_timeout;
        auto total = request_.total_timeout;
        if (total.count() > 0) total_deadline_ = now + total;
        if (first.count() > 0 && (total.count() <= 0 || first < total)) {
            first_armed_ = true;
            arm(now + first, request_.first_byte_timeout_error.empty()
                                 ? "timeout: no data within " + std::to_string(first.count()) + " ms"
                                 : request_.first_byte_timeout_error);
        } else if (total.count() > 0) {
            arm_total();
        }
    }

    void arm_total() {
        arm(total_deadline_, request_.total_timeout_error.empty()
                                 ? "timeout: not complete within " + std::to_string(request_.total_timeout.count()) + " ms"
                                 : request_.total_timeout_error);
    }

    // The first byte of the body (or the end of a response without one) ends the first deadline.
    void got_data() {
        if (!first_armed_) return;
        first_armed_ = false;
        if (request_.total_timeout.count() > 0) {
            arm_total();
        } else {
            watchdog_.cancel();
        }
    }

    void finish(std::string outcome) {
        if (finished_) return;
        finished_ = true;
        watchdog_.cancel();
        if (auto* socket = lowest()) socket->close();
        if (!abort_reason_.empty()) {
            outcome = abort_reason_;
        } else if (canceled_.load()) {
            outcome = "canceled";
        }
        end_.error = std::move(outcome);
        auto on_done = std::move(callbacks_.on_done);
        callbacks_ = {};  // nothing is called after on_done; let go of what the callbacks hold
        if (on_done) on_done(std::move(end_));
    }

    asio::awaitable<std::string> fetch(ClientTarget target) {
        auto [resolve_ec, endpoints] = co_await resolver_.async_resolve(target.host, target.port, use_tuple);
        if (stopping()) co_return "";
        if (resolve_ec) co_return "resolve: " + resolve_ec.message();
        if (!target.tls) {
            tcp_.emplace(strand_);
            auto [connect_ec, endpoint] = co_await tcp_->async_connect(endpoints, use_tuple);
            if (stopping()) co_return "";
            if (connect_ec) co_return "connect: " + connect_ec.message();
            tcp_->socket().set_option(tcp::no_delay(true));
            co_return co_await exchange(*tcp_, std::move(target));
        }
        tls_.emplace(strand_, client_tls_context());
        auto [connect_ec, endpoint] = co_await beast::get_lowest_layer(*tls_).async_connect(endpoints, use_tuple);
        if (stopping()) co_return "";
        if (connect_ec) co_return "connect: " + connect_ec.message();
        beast::get_lowest_layer(*tls_).socket().set_option(tcp::no_delay(true));
        if (!SSL_set_tlsext_host_name(tls_->native_handle(), target.host.c_str())) co_return "tls: cannot set SNI";
        tls_->set_verify_callback(asio::ssl::host_name_verification(target.host));
        auto [tls_ec] = co_await tls_->async_handshake(asio::ssl::stream_base::client, use_tuple);
        if (stopping()) co_return "";
        if (tls_ec) co_return "tls: " + tls_ec.message();
        co_return co_await exchange(*tls_, std::move(target));
    }

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
    asio::awaitable<std::string> exchange(Stream& stream, ClientTarget target) {
        auto verb = http::string_to_verb(request_.method);
        if (verb == http::verb::unknown) co_return "bad method";
        auto request = build(target, verb);
        auto [write_ec, written] = co_await http::async_write(stream, request, use_tuple);
        if (stopping()) co_return "";
        if (write_ec) co_return "send: " + write_ec.message();

        beast::flat_buffer buffer;
        http::response_parser<http::buffer_body> parser;
        parser.body_limit(boost::none);  // bounded by the deadlines and by what the caller does with it
        if (verb == http::verb::head) parser.skip(true);
        auto [header_ec, header_bytes] = co_await http::async_read_header(stream, buffer, parser, use_tuple);
        if (stopping()) co_return "";
        if (header_ec) co_return "receive: " + header_ec.message();
        HttpResponseHead head;
        head.status = parser.get().result_int();
        for (const auto& field : parser.get()) {
            head.headers.emplace_back(lower(field.name_string()), std::string(field.value()));
        }
        end_.status = head.status;
        if (callbacks_.on_response) callbacks_.on_response(head);
        if (stopping()) co_return "";
        if (!head.ok()) co_return co_await read_error_body(stream, buffer, parser);
        co_return co_await read_body(stream, buffer, parser);
    }

    // Reads the next piece of the body into chunk_; the bytes read, or nullopt with `error` set.
    template <typename Stream>
    asio::awaitable<std::optional<std::string_view>> read_piece(Stream& stream, beast::flat_buffer& buffer,
                                                                http::response_parser<http::buffer_body>& parser,
                                                                std::string& error) {
        parser.get().body().data = chunk_.data();
        parser.get().body().size = chunk_.size();
        auto [ec, n] = co_await http::async_read_some(stream, buffer, parser, use_tuple);
        if (ec == http::error::need_buffer) ec = {};  // chunk_ is full: not an error
        if (stopping()) co_return std::nullopt;
        if (ec) {
            error = "receive: " + ec.message();
            co_return std::nullopt;
        }
        co_return std::string_view(chunk_.data(), chunk_.size() - parser.get().body().size);
    }

    template <typename Stream>
    asio::awaitable<std::string> read_error_body(Stream& stream, beast::flat_buffer& buffer,
                                                 http::response_parser<http::buffer_body>& parser) {
        std::string ignored;
        while (!parser.is_done() && end_.error_body.size() < request_.error_body_limit) {
            auto piece = co_await read_piece(stream, buffer, parser, ignored);
            if (!piece) break;  // what arrived is all we can say
            if (!piece->empty()) got_data();
            end_.error_body.append(piece->substr(0, request_.error_body_limit - end_.error_body.size()));
        }
        got_data();
        co_return "";
    }

    template <typename Stream>
    asio::awaitable<std::string> read_body(Stream& stream, beast::flat_buffer& buffer,
                                           http::response_parser<http::buffer_body>& parser) {
        std::string error;
        while (!parser.is_done()) {
            auto piece = co_await read_piece(stream, buffer, parser, error);
            if (!piece) co_return error;
            if (piece->empty()) continue;
            got_data();
            if (callbacks_.on_body) callbacks_.on_body(*piece);
            if (stopping()) co_return "";
        }
        got_data();
        co_return "";
    }

    asio::any_io_executor strand_;
    HttpStreamRequest request_;
    HttpStreamCallbacks callbacks_;
    std::atomic<bool> canceled_{false};
    // Everything below is touched on the strand only.
    tcp::resolver resolver_;
    timing::Timer watchdog_;
    std::optional<beast::tcp_stream> tcp_;                     // http://
    std::optional<beast::ssl_stream<beast::tcp_stream>> tls_;  // https://
    std::array<char, kReadChunk> chunk_{};
    timing::SteadyTime total_deadline_{};
    HttpStreamEnd end_;
    std::string abort_reason_;
    bool first_armed_ = false;
    bool finished_ = false;
};

}  // namespace

std::string HttpResponseHead::header(std::string_view name) const {
    for (const auto& [key, value] : headers) {
        if (key == name) return value;
    }
    return "";
}

std::shared_ptr<HttpStream> start_http_stream(asio::any_io_executor executor, HttpStreamRequest request,
                                              HttpStreamCallbacks callbacks) {
    auto target = parse_client_target(request.url, "http", "https");
    auto stream = std::make_shared<HttpStreamImpl>(executor, std::move(request), std::move(callbacks));
    spawn_logged(executor, HttpStreamImpl::run(stream, std::move(target)), "http stream");
    return stream;
}

}  // namespace va::net
