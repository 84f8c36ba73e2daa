#include "sim/fake_agent.hpp"

#include <boost/asio/ip/tcp.hpp>

#include "net/router.hpp"
#include "net/websocket.hpp"
#include "telephony/twilio/signature.hpp"
#include "telephony/twilio/twiml.hpp"

namespace va::sim::test {

namespace asio = boost::asio;

struct FakeAgent::Shared {
    std::string auth_token;
    AgentBehaviour behaviour;
    std::string base_url;
    mutable std::mutex mutex;
    std::condition_variable changed;
    Log log;

    void record(const std::function<void(Log&)>& change) {
        {
            std::lock_guard lock(mutex);
            change(log);
        }
        changed.notify_all();
    }
};

namespace {

using SharedPtr = std::shared_ptr<FakeAgent::Shared>;

net::Response reply(unsigned status, std::string content_type, std::string body) {
    net::Response response;
    response.status = status;
    response.content_type = std::move(content_type);
    response.body = std::move(body);
    return response;
}

bool signed_ok(const FakeAgent::Shared& shared, const net::Request& request, const twilio::Params& params) {
    auto signature = request.header("X-Twilio-Signature");
    return signature && twilio::validate_signature(shared.auth_token, shared.base_url + request.target, params, *signature);
}

asio::awaitable<net::Response> voice(SharedPtr shared, net::Request request) {
    auto params = twilio::parse_form(request.body).value_or(twilio::Params{});
    if (!signed_ok(*shared, request, params)) {
        shared->record([](auto& log) { ++log.bad_signatures; });
        co_return reply(403, "text/plain", "bad signature");
    }
    shared->record([&](auto& log) { log.voice_requests.push_back(params); });
    auto stream_url = "ws" + shared->base_url.substr(4) + "/stream";
    auto body = shared->behaviour.twiml.empty()
                    ? twilio::build_connect_stream(stream_url, {{"ScheduledCallId", "sc1"}, {"Token", "t&<>\"'"}})
                    : shared->behaviour.twiml;
    co_return reply(200, "text/xml", body);
}

asio::awaitable<net::Response> status(SharedPtr shared, net::Request request) {
    auto params = twilio::parse_form(request.body).value_or(twilio::Params{});
    if (!signed_ok(*shared, request, params)) {
        shared->record([](auto& log) { ++log.bad_signatures; });
        co_return reply(403, "text/plain", "bad signature");
    }
    shared->record([&](auto& log) { log.status_callbacks.push_back(params); });
    co_return reply(204, "text/plain", "");
}

asio::awaitable<void> stream_session(SharedPtr shared, std::unique_ptr<net::WebSocket> socket) {
    std::string stream_sid;
    bool greeting_playing = false;
    bool cleared = false;
    bool heard_speech = false;
    int silent_frames = 0;
    bool replied = false;
    while (auto message = co_await socket->read()) {
        auto parsed = twilio::parse_inbound(message->data);
        if (auto* error = std::get_if<twilio::MessageError>(&parsed)) {
            shared->record([&](auto& log) { log.stream_events.push_back("bad:" + error->message); });
            continue;
        }
        auto& in = std::get<twilio::ParsedInbound>(parsed);
        std::string name;
        bool speech = false;
        std::visit(
            [&](const auto& m) {
                using T = std::decay_t<decltype(m)>;
                if constexpr (std::is_same_v<T, twilio::Connected>) name = "connected";
                if constexpr (std::is_same_v<T, twilio::Start>) name = "start";
                if constexpr (std::is_same_v<T, twilio::Media>) {
                    name = "media";
                    for (auto b : m.payload) speech = speech || b != 0xFF;
                }
                if constexpr (std::is_same_v<T, twilio::Dtmf>) name = "dtmf:" + m.digit;
                if constexpr (std::is_same_v<T, twilio::Mark>) name = "mark:" + m.name;
                if constexpr (std::is_same_v<T, twilio::Stop>) name = "stop";
            },
            in.message);
        shared->record([&](auto& log) {
            if (name != "media" || log.stream_events.empty() || log.stream_events.back() != "media")
                log.stream_events.push_back(name);
            if (speech) ++log.speech_frames;
            if (auto* start = std::get_if<twilio::Start>(&in.message)) log.starts.push_back(*start);
        });
        if (auto* start = std::get_if<twilio::Start>(&in.message)) {
            stream_sid = start->stream_sid;
            auto samples = static_cast<std::size_t>(shared->behaviour.greeting_ms) * 8;
            auto greeting = twilio::to_json(twilio::OutboundMedia{std::vector<std::uint8_t>(samples, 0x20)}, stream_sid);
            co_await socket->write_text(std::move(greeting));
            auto mark = twilio::to_json(twilio::OutboundMark{"greeting"}, stream_sid);
            co_await socket->write_text(std::move(mark));
            greeting_playing = true;
        } else if (std::holds_alternative<twilio::Mark>(in.message)) {
            greeting_playing = false;
            if (shared->behaviour.close_after_greeting) {
                co_await socket->close("done");
                break;
            }
        } else if (std::holds_alternative<twilio::Media>(in.message) && shared->behaviour.reply_ms > 0 && !replied) {
            heard_speech = heard_speech || speech;
            silent_frames = speech ? 0 : silent_frames + 1;
            if (heard_speech && silent_frames == 10) {
                replied = true;
                auto samples = static_cast<std::size_t>(shared->behaviour.reply_ms) * 8;
                auto reply = twilio::to_json(twilio::OutboundMedia{std::vector<std::uint8_t>(samples, 0x30)}, stream_sid);
                co_await socket->write_text(std::move(reply));
            }
        } else if (speech && greeting_playing && shared->behaviour.clear_on_speech && !cleared) {
            cleared = true;
            auto clear = twilio::to_json(twilio::Clear{}, stream_sid);
            co_await socket->write_text(std::move(clear));
        }
    }
    shared->record([](auto& log) { log.stream_closed = true; });
}

asio::awaitable<net::Response> stream(SharedPtr shared, net::Request request) {
    auto signature = request.header("X-Twilio-Signature");
    auto url = "ws" + shared->base_url.substr(4) + request.path;
    if (!request.websocket_upgrade || !signature || !twilio::validate_signature(shared->auth_token, url, {}, *signature)) {
        shared->record([](auto& log) { ++log.bad_signatures; });
        co_return reply(403, "text/plain", "bad signature");
    }
    shared->record([&](auto& log) { log.upgrade_signature = std::string(*signature); });
    net::Response accept;
    accept.accept_websocket = [shared](std::unique_ptr<net::WebSocket> socket) {
        return stream_session(shared, std::move(socket));
    };
    co_return accept;
}

}  // namespace

FakeAgent::FakeAgent(asio::io_context& io, std::string auth_token, AgentBehaviour behaviour)
    : shared_(std::make_shared<Shared>()) {
    shared_->auth_token = std::move(auth_token);
    shared_->behaviour = std::move(behaviour);
    auto router = std::make_shared<net::Router>();
    auto s = shared_;
    router->add("POST", "/voice", [s](net::Request r) { return voice(s, std::move(r)); });
    router->add("POST", "/status", [s](net::Request r) { return status(s, std::move(r)); });
    router->add("GET", "/stream", [s](net::Request r) { return stream(s, std::move(r)); });
    server_ = std::make_unique<net::HttpServer>(
        io, [router](net::Request r) { return router->dispatch(std::move(r)); }, metrics_);
    auto endpoint = server_->listen({asio::ip::make_address("127.0.0.1"), 0});
    base_url_ = "http://127.0.0.1:" + std::to_string(endpoint.port());
    shared_->base_url = base_url_;
}

FakeAgent::~FakeAgent() { server_->shutdown(); }

bool FakeAgent::wait(const std::function<bool(const Log&)>& done, std::chrono::milliseconds timeout) {
    std::unique_lock lock(shared_->mutex);
    return shared_->changed.wait_for(lock, timeout, [&] { return done(shared_->log); });
}

FakeAgent::Log FakeAgent::snapshot() const {
    std::lock_guard lock(shared_->mutex);
    return shared_->log;
}

}  // namespace va::sim::test
