// The Deepgram stand-in: net::HttpServer on its own io_context thread, and its scripted mode; see
// deepgram_standin.hpp (the listening mode: deepgram_standin_listening.cpp).
#include "support/deepgram_standin.hpp"

#include <algorithm>
#include <mutex>
#include <thread>
#include <utility>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/address.hpp>
#include <boost/json.hpp>

#include "core/metrics.hpp"
#include "net/server.hpp"
#include "net/websocket.hpp"
#include "support/deepgram_standin_state.hpp"

namespace va::test {

namespace asio = boost::asio;
namespace json = boost::json;

std::size_t DeepgramStandinLog::count(const std::string& type) const {
    return static_cast<std::size_t>(std::count(controls.begin(), controls.end(), type));
}

std::string message_type(const std::string& text) {
    boost::system::error_code ec;
    auto value = json::parse(text, ec);
    if (ec || !value.is_object()) return "<not json>";
    const auto* type = value.get_object().if_contains("type");
    return type && type->is_string() ? std::string(type->get_string()) : "<no type>";
}

namespace {

using StatePtr = std::shared_ptr<DeepgramStandin::State>;

std::string results(const std::string& transcript, bool is_final, bool from_finalize) {
    json::object alternative;
    alternative["transcript"] = transcript;
    alternative["confidence"] = 0.9;
    alternative["words"] = json::array();
    json::array alternatives;
    alternatives.push_back(std::move(alternative));
    json::object channel;
    channel["alternatives"] = std::move(alternatives);
    json::object message;
    message["type"] = "Results";
    message["channel_index"] = json::array{0, 1};
    message["duration"] = 1.0;
    message["start"] = 0.0;
    message["is_final"] = is_final;
    message["speech_final"] = is_final;
    message["from_finalize"] = from_finalize;
    message["channel"] = std::move(channel);
    return json::serialize(message);
}

// What one incoming message makes the stand-in say (and whether it then closes).
struct Reply {
    std::vector<std::string> messages;
    bool close = false;
};

Reply on_binary(const StatePtr& state, const std::string& data, bool& first_audio) {
    return state->update([&](DeepgramStandinScript& script, DeepgramStandinLog& log) {
        Reply reply;
        log.audio.insert(log.audio.end(), data.begin(), data.end());
        ++log.audio_frames;
        if (first_audio)
            for (const auto& r : script.on_audio) reply.messages.push_back(results(r.transcript, r.is_final, false));
        first_audio = false;
        reply.close = script.close_after_audio_frames && log.audio_frames >= *script.close_after_audio_frames;
        return reply;
    });
}

Reply on_text(const StatePtr& state, const std::string& data, bool& first_audio) {
    return state->update([&](DeepgramStandinScript& script, DeepgramStandinLog& log) {
        Reply reply;
        const auto type = message_type(data);
        log.controls.push_back(type);
        if (type == "CloseStream") {
            reply.messages.push_back(R"({"type":"Metadata","request_id":"standin"})");
            reply.close = true;
        }
        if (type != "Finalize" || script.ignore_finalize) return reply;
        if (!script.error_on_finalize.empty()) {
            json::object error;
            error["type"] = "Error";
            error["description"] = script.error_on_finalize;
            error["message"] = "standin error";
            reply.messages.push_back(json::serialize(error));
            return reply;
        }
        if (script.close_on_finalize) {
            reply.close = true;
            return reply;
        }
        first_audio = true;
        std::vector<std::string> finals = script.on_later_finalize;
        if (!script.on_finalize.empty()) {
            finals = std::move(script.on_finalize.front());
            script.on_finalize.pop_front();
        }
        if (finals.empty()) finals.emplace_back();
        for (std::size_t i = 0; i < finals.size(); ++i)
            reply.messages.push_back(results(finals[i], true, i + 1 == finals.size()));
        return reply;
    });
}

// One connection in the scripted mode: the reader answers each message itself.
asio::awaitable<void> scripted_session(StatePtr state, std::unique_ptr<net::WebSocket> socket) {
    bool first_audio = true;
    while (true) {
        auto message = co_await socket->read();
        if (!message) break;
        Reply reply;
        if (message->text) {
            reply = on_text(state, message->data, first_audio);
        } else {
            reply = on_binary(state, message->data, first_audio);
        }
        bool ok = true;
        for (auto& text : reply.messages) {
            if (ok) ok = co_await socket->write_text(std::move(text));
        }
        if (reply.close) {
            co_await socket->close("standin closes");
            break;
        }
    }
    state->update([](DeepgramStandinScript&, DeepgramStandinLog& log) { ++log.disconnects; });
}

asio::awaitable<net::Response> upgrade(StatePtr state, net::Request request) {
    const auto authorization = std::string(request.header("Authorization").value_or(""));
    const unsigned refuse = state->update([&](DeepgramStandinScript& script, DeepgramStandinLog& log) {
        ++log.upgrades;
        log.target = request.target;
        log.authorization = authorization;
        return script.refuse_status;
    });
    net::Response response;
    if (request.path != "/v1/listen" || !request.websocket_upgrade) {
        response.status = 404;
        response.body = R"({"err_code":"NOT_FOUND"})";
        co_return response;
    }
    if (refuse != 0) {
        response.status = refuse;
        response.body = R"({"err_code":"INVALID_AUTH","err_msg":"Invalid credentials."})";
        co_return response;
    }
    response.accept_websocket = [state](std::unique_ptr<net::WebSocket> socket) {
        return state->phrasebook ? listening_session(state, std::move(socket)) : scripted_session(state, std::move(socket));
    };
    co_return response;
}

}  // namespace

struct DeepgramStandin::Runtime {
    asio::io_context io;
    core::MetricsRegistry metrics;
    std::unique_ptr<net::HttpServer> server;
    std::thread thread;
};

DeepgramStandin::DeepgramStandin(DeepgramStandinScript script)
    : state_(std::make_shared<State>()), runtime_(std::make_unique<Runtime>()) {
    if (!script.phrases.empty()) state_->phrasebook = std::make_shared<const Phrasebook>(make_phrasebook(script.phrases));
    state_->script = std::move(script);
    auto state = state_;
    runtime_->server = std::make_unique<net::HttpServer>(
        runtime_->io, [state](net::Request r) { return upgrade(state, std::move(r)); }, runtime_->metrics);
    const auto endpoint = runtime_->server->listen({asio::ip::make_address("127.0.0.1"), 0});
    base_url_ = "ws://127.0.0.1:" + std::to_string(endpoint.port());
    runtime_->thread = std::thread([io = &runtime_->io] { io->run(); });
}

DeepgramStandin::~DeepgramStandin() {
    runtime_->server->shutdown();
    runtime_->io.stop();  // upgraded connections are not the server's to close: drop them
    runtime_->thread.join();
    runtime_->server.reset();
}

std::string DeepgramStandin::base_url() const { return base_url_; }

DeepgramStandinLog DeepgramStandin::log() const {
    std::lock_guard lock(state_->mutex);
    return state_->log;
}

bool DeepgramStandin::wait(const std::function<bool(const DeepgramStandinLog&)>& done,
                           std::chrono::milliseconds timeout) const {
    std::unique_lock lock(state_->mutex);
    return state_->changed.wait_for(lock, timeout, [&] { return done(state_->log); });
}

}  // namespace va::test
