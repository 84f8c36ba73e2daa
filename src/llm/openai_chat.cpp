// The streaming Chat Completions client: each answer is one net::HttpStream on a strand of its own,
// which alone calls the callbacks; this file reads the Server-Sent Events as they arrive and keeps
// the model's deadlines (first token, whole answer). cancel() and the deadlines reach it the same
// way: abort() on the strand records why and cancels the request, and the recorded reason, not
// the error that caused, becomes on_done's text.
#include "llm/openai_chat.hpp"

#include <atomic>
#include <optional>
#include <stdexcept>
#include <utility>

#include <boost/asio/post.hpp>
#include <boost/asio/strand.hpp>

#include "llm/openai_wire.hpp"
#include "llm/sse.hpp"
#include "net/client_target.hpp"
#include "net/http_stream.hpp"
#include "timing/time_source.hpp"

namespace va::llm {

namespace asio = boost::asio;

namespace {

constexpr std::size_t kErrorBodyLimit = 64 * 1024;  // of a non-2xx answer: enough for its message

// What every answer of one model shares; immutable.
struct Settings {
    OpenAiConfig config;
    std::string url;  // {base_url}/chat/completions, checked to be http(s)
};

class OpenAiStream final : public ChatStream, public std::enable_shared_from_this<OpenAiStream> {
public:
    OpenAiStream(asio::any_io_executor strand, std::shared_ptr<const Settings> settings, ChatCallbacks callbacks)
        : strand_(std::move(strand)), settings_(std::move(settings)), callbacks_(std::move(callbacks)),
          watchdog_(timing::real_time(), strand_) {}

    // Any thread. No lock: the strand serialises abort() with the request's callbacks.
    void cancel() override {
        if (canceled_.exchange(true)) return;
        asio::post(strand_, [self = shared_from_this()] { self->abort("canceled"); });
    }

    // On the strand: the answer's start. `request_error` is set when the request could not be built.
    static void start(std::shared_ptr<OpenAiStream> self, std::string body, std::string request_error) {
        if (!request_error.empty() || self->stopping()) {
            self->finish(std::move(request_error));
            return;
        }
        self->start_deadlines();
        try {
            self->send(self, std::move(body));
        } catch (const std::exception& e) {  // an allocation failed
            self->finish(e.what());
        }
    }

private:
    bool stopping() const { return !abort_reason_.empty() || canceled_.load(); }

    void send(const std::shared_ptr<OpenAiStream>& self, std::string body) {
        const auto& config = settings_->config;
        net::HttpStreamRequest request;
        request.method = "POST";
        request.url = settings_->url;
        request.headers.emplace_back("Content-Type", "application/json");
        request.headers.emplace_back("Accept", "text/event-stream");
        if (!config.api_key.empty()) request.headers.emplace_back("Authorization", "Bearer " + config.api_key);
        request.body = std::move(body);
        request.error_body_limit = kErrorBodyLimit;
        // No deadlines there: ours are about tokens, not bytes.
        net::HttpStreamCallbacks callbacks;
        callbacks.on_body = [self](std::string_view piece) { self->on_body(piece); };
        callbacks.on_done = [self](net::HttpStreamEnd end) { self->on_http_done(std::move(end)); };
        http_ = net::start_http_stream(strand_, std::move(request), std::move(callbacks));
    }

    // On the strand. The first reason wins: a timeout that fires while a cancel is on its way
    // still ends as the timeout.
    void abort(std::string reason) {
        if (finished_) return;
        if (abort_reason_.empty()) abort_reason_ = std::move(reason);
        watchdog_.cancel();
        if (http_) http_->cancel();  // its on_done follows and finishes the answer
    }

    void arm(timing::SteadyTime at, std::string reason) {
        watchdog_.expires_at(at);  // cancels the previous wait, if any
        watchdog_.async_wait([self = shared_from_this(), reason = std::move(reason)](boost::system::error_code ec) {
            if (!ec) self->abort(reason);
        });
    }

    void start_deadlines() {
        const auto& config = settings_->config;
        auto now = timing::real_time().steady_now();  // request deadlines: the machine's time
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
        if (http_) http_->cancel();  // closes the connection when the answer ended before the body did
        if (!abort_reason_.empty()) {
            outcome = abort_reason_;
        } else if (canceled_.load()) {
            outcome = "canceled";
        }
        auto on_done = std::move(callbacks_.on_done);
        callbacks_ = {};  // nothing is called after on_done; let go of what the callbacks hold
        if (on_done) on_done(openai::redact(std::move(outcome), settings_->config.api_key));
    }

    // Each piece of a 2xx body, on the strand.
    void on_body(std::string_view piece) {
        if (finished_) return;
        if (stopping()) return finish("");
        events_.clear();
        if (!sse_.feed(piece, events_)) return finish(sse_.error());
        for (auto& event : events_) {
            if (event.type != "message") continue;  // Chat Completions sends data-only events
            auto step = decoder_.on_data(event.data);
            if (auto outcome = deliver(step)) return finish(std::move(*outcome));
        }
    }

    void on_http_done(net::HttpStreamEnd end) {
        http_.reset();  // it is over; nothing left to cancel
        if (finished_) return;
        if (!end.error.empty()) return finish(std::move(end.error));
        if (end.status < 200 || end.status > 299) return finish(openai::http_error(end.status, end.error_body));
        auto step = decoder_.on_end();
        if (auto outcome = deliver(step)) return finish(std::move(*outcome));
        finish("");
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
    timing::Timer watchdog_;
    std::shared_ptr<net::HttpStream> http_;  // while the request runs
    SseParser sse_;
    openai::StreamDecoder decoder_;
    std::vector<SseEvent> events_;
    timing::SteadyTime total_deadline_{};
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
        asio::post(strand, [stream, body = std::move(body), error = std::move(error)]() mutable {
            OpenAiStream::start(stream, std::move(body), std::move(error));
        });
        return stream;
    }

    std::string name(const std::string& model) const override {
        return "openai:" + (model.empty() ? settings_->config.model : model);
    }

private:
    asio::io_context& io_;
    std::shared_ptr<const Settings> settings_;
};

}  // namespace

std::unique_ptr<ChatModel> make_openai_chat(asio::io_context& io, OpenAiConfig config) {
    auto url = openai::completions_url(config.base_url);
    if (!net::parse_client_target(url, "http", "https")) {
        throw std::invalid_argument(
            openai::redact("OpenAI base URL must be an http:// or https:// URL, got \"" + config.base_url + "\"",
                           config.api_key));
    }
    auto settings = std::make_shared<Settings>(Settings{std::move(config), std::move(url)});
    return std::make_unique<OpenAiChat>(io, std::move(settings));
}

}  // namespace va::llm
