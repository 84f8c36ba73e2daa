// The stand-in's server: an acceptor and one coroutine per connection on a private io_context.
// Written against Beast directly (not net::HttpServer) because it must misbehave on purpose:
// stream chunk by chunk, stop mid-body, hold a connection open without answering.
#include "support/openai_standin.hpp"

#include <algorithm>
#include <array>
#include <cctype>
#include <condition_variable>
#include <deque>
#include <mutex>
#include <thread>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http.hpp>
#include <boost/json.hpp>

namespace va::test {

namespace asio = boost::asio;
namespace http = boost::beast::http;
namespace json = boost::json;
using asio::ip::tcp;

struct OpenAiStandin::State {
    asio::io_context io;
    tcp::acceptor acceptor{io};
    std::thread thread;
    unsigned short port = 0;

    mutable std::mutex mutex;
    mutable std::condition_variable changed;
    std::deque<StandinReply> queue;
    std::function<StandinReply(const RecordedRequest&)> responder;
    std::vector<RecordedRequest> requests;
    std::size_t disconnects = 0;
    std::size_t answers = 0;  // stand-in thread only: numbers the chunk ids

    StandinReply next_reply(const RecordedRequest& request) {
        std::function<StandinReply(const RecordedRequest&)> ask;
        {
            std::lock_guard lock(mutex);
            if (!queue.empty()) {
                auto reply = std::move(queue.front());
                queue.pop_front();
                return reply;
            }
            ask = responder;
        }
        if (ask) return ask(request);
        return StandinReply::error(500, "the stand-in has no reply scripted for this request", "server_error");
    }

    void record(RecordedRequest request) {
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

// {key: value}, spelled out: a one-pair braced list is ambiguous to Boost.JSON.
json::object one(std::string_view key, json::value value) {
    json::object out;
    out[key] = std::move(value);
    return out;
}

std::string event(const std::string& id, const std::string& model, json::object delta, json::value finish_reason) {
    json::object choice;
    choice["index"] = 0;
    choice["delta"] = std::move(delta);
    choice["logprobs"] = nullptr;
    choice["finish_reason"] = std::move(finish_reason);
    json::object chunk;
    chunk["id"] = id;
    chunk["object"] = "chat.completion.chunk";
    chunk["created"] = 1700000000;
    chunk["model"] = model;
    chunk["system_fingerprint"] = "fp_standin";
    chunk["choices"] = json::array{std::move(choice)};
    return "data: " + json::serialize(chunk) + "\n\n";
}

// The events of a streamed answer, as OpenAI sends them.
std::vector<std::string> stream_events(const StandinReply& reply, const std::string& id, const std::string& model) {
    if (!reply.raw_events.empty()) return reply.raw_events;
    std::vector<std::string> out;
    auto role = one("role", "assistant");
    if (reply.text.empty() && !reply.tool_calls.empty()) {
        role["content"] = nullptr;
    } else {
        role["content"] = "";
    }
    out.push_back(event(id, model, std::move(role), nullptr));
    for (const auto& piece : reply.text) out.push_back(event(id, model, one("content", json::string(piece)), nullptr));
    for (std::size_t i = 0; i < reply.tool_calls.size(); ++i) {
        const auto& call = reply.tool_calls[i];
        json::object first{{"index", i}, {"id", call.id}, {"type", "function"}};
        first["function"] = json::object{{"name", call.name}, {"arguments", ""}};
        out.push_back(event(id, model, one("tool_calls", json::array{std::move(first)}), nullptr));
        for (const auto& fragment : call.argument_fragments) {
            auto more = one("index", i);
            more["function"] = one("arguments", json::string(fragment));
            out.push_back(event(id, model, one("tool_calls", json::array{std::move(more)}), nullptr));
        }
    }
    out.push_back(event(id, model, json::object{}, reply.tool_calls.empty() ? "stop" : "tool_calls"));
    out.push_back("data: [DONE]\n\n");
    return out;
}

RecordedRequest record_of(const http::request<http::string_body>& request) {
    RecordedRequest out;
    out.method = std::string(request.method_string());
    out.target = std::string(request.target());
    for (const auto& field : request) {
        std::string name(field.name_string());
        std::transform(name.begin(), name.end(), name.begin(), [](unsigned char c) { return std::tolower(c); });
        out.headers[name] = std::string(field.value());
    }
    out.body = request.body();
    boost::system::error_code ec;
    auto value = json::parse(out.body, ec);
    if (!ec) out.json = std::move(value);
    return out;
}

// Waits until the client closes its end (or the stand-in stops).
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

asio::awaitable<bool> write_error(tcp::socket& socket, StandinReply reply) {
    http::response<http::string_body> response{static_cast<http::status>(reply.status), 11};
    response.set(http::field::content_type, "application/json");
    response.body() = std::move(reply.error_body);
    response.prepare_payload();
    response.keep_alive(false);
    co_await http::async_write(socket, response, use_tuple);
    co_return false;
}

// Streams one answer; true when the connection may serve another request.
asio::awaitable<bool> stream(tcp::socket& socket, StandinReply reply, std::vector<std::string> events, bool keep_alive) {
    if (reply.never_answer) {
        co_await wait_for_client_to_leave(socket);
        co_return false;
    }
    if (reply.status != 200) co_return co_await write_error(socket, std::move(reply));
    http::response<http::empty_body> response{http::status::ok, 11};
    response.set(http::field::content_type, "text/event-stream; charset=utf-8");
    response.set(http::field::cache_control, "no-cache");
    response.chunked(true);
    response.keep_alive(keep_alive);
    http::response_serializer<http::empty_body> serializer{response};
    auto [header_ec, header_bytes] = co_await http::async_write_header(socket, serializer, use_tuple);
    if (header_ec) co_return false;
    for (std::size_t i = 0; i <= events.size(); ++i) {
        if (reply.drop_after && *reply.drop_after == i) co_return false;
        if (reply.stall_after && *reply.stall_after == i) {
            co_await wait_for_client_to_leave(socket);
            co_return false;
        }
        if (i == events.size()) break;
        co_await pause(i == 0 ? reply.first_chunk_delay : reply.chunk_delay);
        std::string_view rest = events[i];
        while (!rest.empty()) {
            auto size = reply.max_write_bytes > 0 ? std::min(rest.size(), reply.max_write_bytes) : rest.size();
            auto chunk = http::make_chunk(asio::buffer(rest.data(), size));  // named: g++ 12 mishandles such temporaries in a co_await
            auto [ec, n] = co_await asio::async_write(socket, chunk, use_tuple);
            if (ec) co_return false;
            rest.remove_prefix(size);
        }
    }
    auto last = http::make_chunk_last();
    auto [ec, n] = co_await asio::async_write(socket, last, use_tuple);
    co_return !ec && keep_alive;
}

asio::awaitable<void> session(OpenAiStandin::State* state, tcp::socket socket) {
    socket.set_option(tcp::no_delay(true));
    boost::beast::flat_buffer buffer;
    for (;;) {
        http::request_parser<http::string_body> parser;
        parser.body_limit(64 * 1024 * 1024);
        auto [ec, n] = co_await http::async_read(socket, buffer, parser, use_tuple);
        if (ec) break;
        auto request = parser.release();
        auto recorded = record_of(request);
        const bool keep_alive = request.keep_alive();
        StandinReply reply;
        if (request.method() != http::verb::post || request.target() != "/v1/chat/completions") {
            reply = StandinReply::error(404, "no such route on the stand-in");
        } else {
            reply = state->next_reply(recorded);
        }
        std::string model = "standin";
        if (const auto* object = recorded.json.if_object()) {
            if (auto it = object->find("model"); it != object->end() && it->value().is_string())
                model = it->value().get_string();
        }
        auto events = stream_events(reply, "chatcmpl-standin-" + std::to_string(++state->answers), model);
        state->record(std::move(recorded));
        if (!co_await stream(socket, std::move(reply), std::move(events), keep_alive)) break;
    }
    boost::system::error_code ignored;
    socket.shutdown(tcp::socket::shutdown_both, ignored);
    socket.close(ignored);
    state->note_disconnect();
}

asio::awaitable<void> accept_loop(OpenAiStandin::State* state) {
    for (;;) {
        auto [ec, socket] = co_await state->acceptor.async_accept(use_tuple);
        if (ec) co_return;
        asio::co_spawn(state->io, session(state, std::move(socket)), asio::detached);
    }
}

}  // namespace

StandinReply StandinReply::words(std::string_view text) {
    StandinReply reply;
    while (!text.empty()) {
        auto end = text.find(' ');
        end = end == std::string_view::npos ? text.size() : text.find_first_not_of(' ', end);
        if (end == std::string_view::npos) end = text.size();
        reply.text.emplace_back(text.substr(0, end));
        text.remove_prefix(end);
    }
    return reply;
}

StandinReply StandinReply::error(unsigned status, std::string_view message, std::string_view type) {
    StandinReply reply;
    reply.status = status;
    json::object error{{"message", message}, {"type", type}, {"param", nullptr}, {"code", nullptr}};
    reply.error_body = json::serialize(one("error", std::move(error)));
    return reply;
}

OpenAiStandin::OpenAiStandin() : state_(std::make_unique<State>()) {
    tcp::endpoint endpoint(asio::ip::make_address("127.0.0.1"), 0);
    state_->acceptor.open(endpoint.protocol());
    state_->acceptor.set_option(tcp::acceptor::reuse_address(true));
    state_->acceptor.bind(endpoint);
    state_->acceptor.listen();
    state_->port = state_->acceptor.local_endpoint().port();
    asio::co_spawn(state_->io, accept_loop(state_.get()), asio::detached);
    state_->thread = std::thread([state = state_.get()] { state->io.run(); });
}

OpenAiStandin::~OpenAiStandin() {
    state_->io.stop();
    state_->thread.join();
}

unsigned short OpenAiStandin::port() const { return state_->port; }

std::string OpenAiStandin::base_url() const { return "http://127.0.0.1:" + std::to_string(port()) + "/v1"; }

void OpenAiStandin::enqueue(StandinReply reply) {
    std::lock_guard lock(state_->mutex);
    state_->queue.push_back(std::move(reply));
}

void OpenAiStandin::set_responder(std::function<StandinReply(const RecordedRequest&)> responder) {
    std::lock_guard lock(state_->mutex);
    state_->responder = std::move(responder);
}

std::vector<RecordedRequest> OpenAiStandin::requests() const {
    std::lock_guard lock(state_->mutex);
    return state_->requests;
}

std::size_t OpenAiStandin::disconnects() const {
    std::lock_guard lock(state_->mutex);
    return state_->disconnects;
}

bool OpenAiStandin::wait_for_requests(std::size_t n, std::chrono::milliseconds timeout) const {
    std::unique_lock lock(state_->mutex);
    return state_->changed.wait_for(lock, timeout, [&] { return state_->requests.size() >= n; });
}

bool OpenAiStandin::wait_for_disconnects(std::size_t n, std::chrono::milliseconds timeout) const {
    std::unique_lock lock(state_->mutex);
    return state_->changed.wait_for(lock, timeout, [&] { return state_->disconnects >= n; });
}

}  // namespace va::test
