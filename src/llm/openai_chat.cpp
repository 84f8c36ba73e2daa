// The streaming Chat Completions client: one coroutine per answer on a strand of its own, which
// alone calls the callbacks. cancel() and the two deadlines reach it the same way: abort() on the
// strand records why and closes the socket, so whatever the coroutine awaits fails at once and the
// recorded reason, not the I/O error it caused, becomes on_done's text.
#include "llm/openai_chat.hpp"

#include <array>
#include <atomic>
#include <optional>
#include <stdexcept>
#include <utility>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/ssl/host_name_verification.hpp>
#include <boost/asio/ssl/stream.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl/ssl_stream.hpp>

#include "llm/openai_wire.hpp"
#include "llm/sse.hpp"
#include "net/client_target.hpp"
#include "net/spawn.hpp"

namespace va::llm {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using asio::ip::tcp;
using Clock = std::chrono::steady_clock;

namespace {

constexpr auto use_tuple = asio::as_tuple(asio::use_awaitable);
constexpr std::size_t kErrorBodyLimit = 64 * 1024;  // of a non-2xx answer: enough for its message
constexpr std::size_t kReadChunk = 16 * 1024;

// What every answer of one model shares; immutable.
struct Settings {
    OpenAiConfig config;
    net::ClientTarget target;
};

class OpenAiStream final : public ChatStream, public std::enable_shared_from_this<OpenAiStream> {
public:
    OpenAiStream(asio::any_io_executor strand, std::shared_ptr<const Settings> settings, ChatCallbacks callbacks)
        : strand_(std::move(strand)), settings_(std::move(settings)), callbacks_(std::move(callbacks)),
          resolver_(strand_), watchdog_(strand_) {}

    // Any thread. No lock: the strand serialises abort() with the coroutine.
    void cancel() override {
        if (canceled_.exchange(true)) return;
        asio::post(strand_, [self = shared_from_this()] { self->abort("canceled"); });
    }

    // The answer's whole life. `request_error` is set when the request could not be built.
    static asio::awaitable<void> run(std::shared_ptr<OpenAiStream> self, std::string body, std::string request_error) {
        std::string outcome = std::move(request_error);
        if (outcome.empty()) {
            self->start_deadlines();
            try {
                outcome = co_await self->answer(std::move(body));
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

    void arm(Clock::time_point at, std::string reason) {
        watchdog_.expires_at(at);  // cancels the previous wait, if any
        watchdog_.async_wait([self = shared_from_this(), reason = std::move(reason)](boost::system::error_code ec) {
            if (!ec) self->abort(reason);
        });
    }

    void start_deadlines() {
        const auto& config = settings_->config;
        auto now = Clock::now();
        total_deadline_ = now + config.total_timeout;
        if (config.first_token_timeout < config.total_timeout) {
            arm(now + config.first_token_timeout,
                "timeout: no first token within " + std::to_string(config.first_token_timeout.count()) + " ms");
        } else {
            arm_total();
        }
    }

    void arm_total() {
        arm(total_deadline_,
            "timeout: no complete answer within " + std::to_string(settings_->config.total_timeout.count()) + " ms");
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
        auto on_done = std::move(callbacks_.on_done);
        callbacks_ = {};  // nothing is called after on_done; let go of what the callbacks hold
        if (on_done) on_done(openai::redact(std::move(outcome), settings_->config.api_key));
    }

    asio::awaitable<std::string> answer(std::string body) {
        const auto& target = settings_->target;
        auto [resolve_ec, endpoints] = co_await resolver_.async_resolve(target.host, target.port, use_tuple);
        if (stopping()) co_return "";
        if (resolve_ec) co_return "resolve: " + resolve_ec.message();
        if (!target.tls) {
            tcp_.emplace(strand_);
            auto [connect_ec, endpoint] = co_await tcp_->async_connect(endpoints, use_tuple);
            if (stopping()) co_return "";
            if (connect_ec) co_return "connect: " + connect_ec.message();
            tcp_->socket().set_option(tcp::no_delay(true));
            co_return co_await exchange(*tcp_, std::move(body));
        }
        tls_.emplace(strand_, net::client_tls_context());
        auto [connect_ec, endpoint] = co_await beast::get_lowest_layer(*tls_).async_connect(endpoints, use_tuple);
        if (stopping()) co_return "";
        if (connect_ec) co_return "connect: " + connect_ec.message();
        beast::get_lowest_layer(*tls_).socket().set_option(tcp::no_delay(true));
        if (!SSL_set_tlsext_host_name(tls_->native_handle(), target.host.c_str())) co_return "tls: cannot set SNI";
        tls_->set_verify_callback(asio::ssl::host_name_verification(target.host));
        auto [tls_ec] = co_await tls_->async_handshake(asio::ssl::stream_base::client, use_tuple);
        if (stopping()) co_return "";
        if (tls_ec) co_return "tls: " + tls_ec.message();
        co_return co_await exchange(*tls_, std::move(body));
    }

    template <typename Stream>
    asio::awaitable<std::string> exchange(Stream& stream, std::string body) {
        const auto& config = settings_->config;
        http::request<http::string_body> request{http::verb::post, settings_->target.target, 11};
        request.set(http::field::host, settings_->target.host_header);
        request.set(http::field::user_agent, "voiceagent");
        request.set(http::field::content_type, "application/json");
        request.set(http::field::accept, "text/event-stream");
        if (!config.api_key.empty()) request.set(http::field::authorization, "Bearer " + config.api_key);
        request.body() = std::move(body);
        request.prepare_payload();
        request.keep_alive(false);
        auto [write_ec, written] = co_await http::async_write(stream, request, use_tuple);
        if (stopping()) co_return "";
        if (write_ec) co_return "send: " + write_ec.message();

        beast::flat_buffer buffer;
        http::response_parser<http::buffer_body> parser;
        parser.body_limit(boost::none);  // an answer is bounded by the deadline, each event by the SSE cap
        auto [header_ec, header_bytes] = co_await http::async_read_header(stream, buffer, parser, use_tuple);
        if (stopping()) co_return "";
        if (header_ec) co_return "receive: " + header_ec.message();
        auto status = parser.get().result_int();
        if (status < 200 || status > 299) co_return co_await read_error(stream, buffer, parser, status);
        co_return co_await read_events(stream, buffer, parser);
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
    asio::awaitable<std::string> read_error(Stream& stream, beast::flat_buffer& buffer,
                                            http::response_parser<http::buffer_body>& parser, unsigned status) {
        std::string body;
        std::string ignored;
        while (!parser.is_done() && body.size() < kErrorBodyLimit) {
            auto piece = co_await read_piece(stream, buffer, parser, ignored);
            if (!piece) break;  // what arrived is all we can say
            body.append(*piece);
        }
        co_return openai::http_error(status, body);
    }

    template <typename Stream>
    asio::awaitable<std::string> read_events(Stream& stream, beast::flat_buffer& buffer,
                                             http::response_parser<http::buffer_body>& parser) {
        SseParser sse;
        openai::StreamDecoder decoder;
        std::vector<SseEvent> events;
        std::string error;
        while (!parser.is_done()) {
            auto piece = co_await read_piece(stream, buffer, parser, error);
            if (!piece) co_return error;
            events.clear();
            if (!sse.feed(*piece, events)) co_return sse.error();
            for (auto& event : events) {
                if (event.type != "message") continue;  // Chat Completions sends data-only events
                auto step = decoder.on_data(event.data);
                if (auto outcome = deliver(step)) co_return *outcome;
            }
        }
        auto step = decoder.on_end();
        if (auto outcome = deliver(step)) co_return *outcome;
        co_return "";
    }

    // Hands a step to the callbacks; the outcome when the answer is over.
    std::optional<std::string> deliver(openai::StreamDecoder::Step& step) {
        if (step.first_token && !got_first_token_) {
            got_first_token_ = true;
            arm_total();
        }
        if (!step.text.empty() && callbacks_.on_text) {
            if (stopping()) return "";
            callbacks_.on_text(std::move(step.text));
        }
        for (auto& call : step.tool_calls) {
            if (stopping()) return "";
            if (callbacks_.on_tool_call) callbacks_.on_tool_call(std::move(call));
        }
        if (stopping()) return "";
        if (!step.error.empty()) return std::move(step.error);
        if (step.done) return "";
        return std::nullopt;
    }

    asio::any_io_executor strand_;
    std::shared_ptr<const Settings> settings_;
    ChatCallbacks callbacks_;
    std::atomic<bool> canceled_{false};
    // Everything below is touched on the strand only.
    tcp::resolver resolver_;
    asio::steady_timer watchdog_;
    std::optional<beast::tcp_stream> tcp_;                     // http://
    std::optional<beast::ssl_stream<beast::tcp_stream>> tls_;  // https://
    std::array<char, kReadChunk> chunk_{};
    Clock::time_point total_deadline_{};
    std::string abort_reason_;
    bool got_first_token_ = false;
    bool finished_ = false;
};

class OpenAiChat final : public ChatModel {
public:
    OpenAiChat(asio::io_context& io, std::shared_ptr<const Settings> settings)
        : io_(io), settings_(std::move(settings)) {}

    std::shared_ptr<ChatStream> chat(ChatRequest request, ChatCallbacks callbacks) override {
        asio::any_io_executor strand = asio::make_strand(io_);
        auto stream = std::make_shared<OpenAiStream>(strand, settings_, std::move(callbacks));
        std::string body;
        std::string error;
        try {
            body = openai::request_body(settings_->config, request);
        } catch (const std::exception& e) {  // reported through on_done like every other failure
            error = e.what();
        }
        net::spawn_logged(strand, OpenAiStream::run(stream, std::move(body), std::move(error)), "openai chat");
        return stream;
    }

    std::string name() const override { return "openai:" + settings_->config.model; }

private:
    asio::io_context& io_;
    std::shared_ptr<const Settings> settings_;
};

}  // namespace

std::unique_ptr<ChatModel> make_openai_chat(asio::io_context& io, OpenAiConfig config) {
    auto target = net::parse_client_target(openai::completions_url(config.base_url), "http", "https");
    if (!target) {
        throw std::invalid_argument(
            openai::redact("OpenAI base URL must be an http:// or https:// URL, got \"" + config.base_url + "\"",
                           config.api_key));
    }
    auto settings = std::make_shared<Settings>(Settings{std::move(config), std::move(*target)});
    return std::make_unique<OpenAiChat>(io, std::move(settings));
}

}  // namespace va::llm
