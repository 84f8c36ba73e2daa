// An acceptor and one coroutine per connection on a private io_context. Written against Beast
// directly (not net::HttpServer) because it must misbehave on purpose.
#include "net/scripted_http_server.hpp"

#include <algorithm>
#include <array>
#include <cctype>
#include <condition_variable>
#include <deque>
#include <mutex>
#include <set>
#include <thread>
#include <tuple>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http.hpp>

namespace va::test {

namespace asio = boost::asio;
namespace http = boost::beast::http;
using asio::ip::tcp;

struct ScriptedHttpServer::State {
    asio::io_context io;
    tcp::acceptor acceptor{io};
    std::thread thread;
    unsigned short port = 0;
    // Server thread only.
    bool released = false;
    std::set<asio::steady_timer*> holds;

    mutable std::mutex mutex;
    mutable std::condition_variable changed;
    std::deque<ScriptedReply> queue;
    std::function<std::optional<ScriptedReply>(const ScriptedRequest&)> gate;
    std::vector<ScriptedRequest> requests;
    std::size_t disconnects = 0;

    ScriptedReply next_reply(const ScriptedRequest& request) {
        std::function<std::optional<ScriptedReply>(const ScriptedRequest&)> ask;
        {
            std::lock_guard lock(mutex);
            ask = gate;
        }
        if (ask) {
            if (auto reply = ask(request)) return std::move(*reply);
        }
        std::lock_guard lock(mutex);
        if (queue.empty()) return ScriptedReply::whole(500, "text/plain", "no reply scripted");
        auto reply = std::move(queue.front());
        queue.pop_front();
        return reply;
    }

    void record(ScriptedRequest request) {
        {
            std::lock_guard lock(mutex);
            requests.push_back(std::move(request));
        }
        changed.notify_all();
    }

    void note_disconnect() {
        {
            std::lock_guard lock(mutex);
            ++disconnects;
        }
        changed.notify_all();
    }
};

namespace {

constexpr auto use_tuple = asio::as_tuple(asio::use_awaitable);

ScriptedRequest record_of(const http::request<http::string_body>& request) {
    ScriptedRequest out;
    out.method = std::string(request.method_string());
    out.target = std::string(request.target());
    auto question = out.target.find('?');
    out.path = out.target.substr(0, question);
    if (question != std::string::npos) out.query = out.target.substr(question + 1);
    for (const auto& field : request) {
        std::string name(field.name_string());
        std::transform(name.begin(), name.end(), name.begin(), [](unsigned char c) { return std::tolower(c); });
        out.headers[name] = std::string(field.value());
    }
    out.body = request.body();
    return out;
}

asio::awaitable<void> wait_for_client_to_leave(tcp::socket& socket) {
    std::array<char, 512> scratch{};
    for (;;) {
        auto [ec, n] = co_await socket.async_read_some(asio::buffer(scratch), use_tuple);
        if (ec) co_return;
    }
}

asio::awaitable<void> pause(std::chrono::milliseconds delay) {
    if (delay.count() <= 0) co_return;
    asio::steady_timer timer(co_await asio::this_coro::executor, delay);
    co_await timer.async_wait(use_tuple);
}

asio::awaitable<void> hold(ScriptedHttpServer::State* state) {
    if (state->released) co_return;
    asio::steady_timer timer(state->io, asio::steady_timer::time_point::max());
    state->holds.insert(&timer);
    co_await timer.async_wait(use_tuple);
    state->holds.erase(&timer);
}

// Writes one reply; true when the connection may serve another request.
asio::awaitable<bool> answer(ScriptedHttpServer::State* state, tcp::socket& socket, ScriptedReply reply, bool keep_alive) {
    if (reply.never_answer) {
        co_await wait_for_client_to_leave(socket);
        co_return false;
    }
    http::response<http::empty_body> response{static_cast<http::status>(reply.status), 11};
    for (const auto& [name, value] : reply.headers) response.insert(name, value);
    if (reply.chunked) {
        response.chunked(true);
    } else {
        std::size_t length = 0;
        for (const auto& piece : reply.pieces) length += piece.size();
        response.content_length(length);
    }
    response.keep_alive(keep_alive);
    http::response_serializer<http::empty_body> serializer{response};
    auto [header_ec, header_bytes] = co_await http::async_write_header(socket, serializer, use_tuple);
    if (header_ec) co_return false;
    const auto& pieces = reply.pieces;
    for (std::size_t i = 0; i <= pieces.size(); ++i) {
        if (reply.hold_after && *reply.hold_after == i) co_await hold(state);
        if (reply.drop_after && *reply.drop_after == i) co_return false;
        if (reply.stall_after && *reply.stall_after == i) {
            co_await wait_for_client_to_leave(socket);
            co_return false;
        }
        if (i == pieces.size()) break;
        co_await pause(i == 0 ? reply.first_piece_delay : reply.piece_delay);
        if (pieces[i].empty()) continue;
        boost::system::error_code ec;
        if (reply.chunked) {
            auto chunk = http::make_chunk(asio::buffer(pieces[i]));  // named: g++ 12 mishandles such temporaries in a co_await
            std::tie(ec, std::ignore) = co_await asio::async_write(socket, chunk, use_tuple);
        } else {
            auto buffer = asio::buffer(pieces[i]);
            std::tie(ec, std::ignore) = co_await asio::async_write(socket, buffer, use_tuple);
        }
        if (ec) co_return false;
    }
    if (reply.chunked) {
        auto last = http::make_chunk_last();
        auto [ec, n] = co_await asio::async_write(socket, last, use_tuple);
        if (ec) co_return false;
    }
    co_return keep_alive;
}

asio::awaitable<void> session(ScriptedHttpServer::State* state, tcp::socket socket) {
    socket.set_option(tcp::no_delay(true));
    boost::beast::flat_buffer buffer;
    for (;;) {
        http::request_parser<http::string_body> parser;
        parser.body_limit(16 * 1024 * 1024);
        auto [ec, n] = co_await http::async_read(socket, buffer, parser, use_tuple);
        if (ec) break;
        auto request = parser.release();
        auto recorded = record_of(request);
        const bool keep_alive = request.keep_alive();
        auto reply = state->next_reply(recorded);
        state->record(std::move(recorded));
        if (!co_await answer(state, socket, std::move(reply), keep_alive)) break;
    }
    boost::system::error_code ignored;
    socket.shutdown(tcp::socket::shutdown_both, ignored);
    socket.close(ignored);
    state->note_disconnect();
}

asio::awaitable<void> accept_loop(ScriptedHttpServer::State* state) {
    for (;;) {
        auto [ec, socket] = co_await state->acceptor.async_accept(use_tuple);
        if (ec) co_return;
        asio::co_spawn(state->io, session(state, std::move(socket)), asio::detached);
    }
}

}  // namespace

ScriptedReply ScriptedReply::whole(unsigned status, std::string content_type, std::string body) {
    ScriptedReply reply;
    reply.status = status;
    reply.headers.emplace_back("Content-Type", std::move(content_type));
    reply.pieces.push_back(std::move(body));
    reply.chunked = false;
    return reply;
}

std::string ScriptedRequest::header(const std::string& name) const {
    auto it = headers.find(name);
    return it == headers.end() ? "" : it->second;
}

ScriptedHttpServer::ScriptedHttpServer() : state_(std::make_unique<State>()) {
    tcp::endpoint endpoint(asio::ip::make_address("127.0.0.1"), 0);
    state_->acceptor.open(endpoint.protocol());
    state_->acceptor.set_option(tcp::acceptor::reuse_address(true));
    state_->acceptor.bind(endpoint);
    state_->acceptor.listen();
    state_->port = state_->acceptor.local_endpoint().port();
    asio::co_spawn(state_->io, accept_loop(state_.get()), asio::detached);
    state_->thread = std::thread([state = state_.get()] { state->io.run(); });
}

ScriptedHttpServer::~ScriptedHttpServer() {
    state_->io.stop();
    state_->thread.join();
}

unsigned short ScriptedHttpServer::port() const { return state_->port; }

std::string ScriptedHttpServer::base_url() const { return "http://127.0.0.1:" + std::to_string(port()); }

void ScriptedHttpServer::enqueue(ScriptedReply reply) {
    std::lock_guard lock(state_->mutex);
    state_->queue.push_back(std::move(reply));
}

void ScriptedHttpServer::set_gate(std::function<std::optional<ScriptedReply>(const ScriptedRequest&)> gate) {
    std::lock_guard lock(state_->mutex);
    state_->gate = std::move(gate);
}

void ScriptedHttpServer::release() {
    asio::post(state_->io, [state = state_.get()] {
        state->released = true;
        for (auto* timer : state->holds) timer->cancel();
    });
}

std::vector<ScriptedRequest> ScriptedHttpServer::requests() const {
    std::lock_guard lock(state_->mutex);
    return state_->requests;
}

std::size_t ScriptedHttpServer::disconnects() const {
    std::lock_guard lock(state_->mutex);
    return state_->disconnects;
}

bool ScriptedHttpServer::wait_for_requests(std::size_t n, std::chrono::milliseconds timeout) const {
    std::unique_lock lock(state_->mutex);
    return state_->changed.wait_for(lock, timeout, [&] { return state_->requests.size() >= n; });
}

bool ScriptedHttpServer::wait_for_disconnects(std::size_t n, std::chrono::milliseconds timeout) const {
    std::unique_lock lock(state_->mutex);
    return state_->changed.wait_for(lock, timeout, [&] { return state_->disconnects >= n; });
}

}  // namespace va::test
