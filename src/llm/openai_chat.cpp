// The streaming Chat Completions client: each answer is a coroutine on the caller's executor that
// reads the Server-Sent Events as they arrive (net::fetch_streamed), beside a watch on the model's
// deadlines (first token, whole answer); whichever ends first cancels the other.
#include "llm/openai_chat.hpp"

#include <optional>
#include <stdexcept>
#include <utility>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/deferred.hpp>
#include <boost/asio/experimental/parallel_group.hpp>
#include <boost/asio/this_coro.hpp>
#include <spdlog/spdlog.h>

#include "engine/inbox.hpp"
#include "llm/openai_wire.hpp"
#include "llm/sse.hpp"
#include "net/client_target.hpp"
#include "net/http_stream.hpp"
#include "timing/deadline.hpp"

namespace va::llm {

namespace asio = boost::asio;

namespace {

constexpr std::size_t kErrorBodyLimit = 64 * 1024;  // of a non-2xx answer: enough for its message

using Fetched = boost::system::result<net::HttpAnswer, net::HttpStreamFailure>;

// One answer as it streams in: the events become text and tool calls for the sink.
class Reading {
public:
    Reading(ChatSink& sink, timing::StagedDeadline& deadline, asio::cancellation_state caller)
        : sink_(sink), deadline_(deadline), caller_(caller) {}

    // A piece of the body; false once the answer is over (complete or broken).
    bool feed(std::string_view piece) {
        events_.clear();
        if (!sse_.feed(piece, events_)) {
            failure_ = sse_.error();
            return false;
        }
        for (auto& event : events_) {
            if (event.type != "message") continue;  // Chat Completions sends data-only events
            auto step = decoder_.on_data(event.data);
            if (!hand_over(step)) return false;
        }
        return true;
    }

    // The body ended: complete when the answer said so.
    void end() {
        if (complete_ || failure_) return;
        auto step = decoder_.on_end();
        hand_over(step);
    }

    const std::optional<std::string>& failure() const { return failure_; }

private:
    bool hand_over(openai::StreamDecoder::Step& step) {
        if (step.first_token) deadline_.started = true;
        // A caller cancelled from inside the sink hears nothing more.
        const auto gone = [&] { return caller_.cancelled() != asio::cancellation_type::none; };
        if (!step.text.empty() && sink_.on_text && !gone()) sink_.on_text(std::move(step.text));
        for (auto& call : step.tool_calls) {
            if (sink_.on_tool_call && !gone()) sink_.on_tool_call(std::move(call));
        }
        if (gone()) return false;
        if (step.error) {
            failure_ = std::move(step.error);
            return false;
        }
        complete_ = step.done;
        return !complete_;
    }

    ChatSink& sink_;
    timing::StagedDeadline& deadline_;
    asio::cancellation_state caller_;
    SseParser sse_;
    openai::StreamDecoder decoder_;
    std::vector<SseEvent> events_;
    std::optional<std::string> failure_;  // what broke the answer
    bool complete_ = false;
};

class OpenAiChat final : public ChatModel {
public:
    OpenAiChat(OpenAiConfig config, std::string url) : config_(std::move(config)), url_(std::move(url)) {}

    asio::awaitable<engine::Result<void>> answer(ChatRequest request, ChatSink sink) override {
        const auto asked = name(request.model);
        auto fail = [&](engine::Errc errc, std::string what) {
            spdlog::warn("the chat model ({}) failed: {}", asked, openai::redact(std::move(what), config_.api_key));
            return engine::Result<void>(errc);
        };
        net::HttpStreamRequest http;
        http.method = "POST";
        http.url = url_;
        http.headers.emplace_back("Content-Type", "application/json");
        http.headers.emplace_back("Accept", "text/event-stream");
        if (!config_.api_key.empty()) http.headers.emplace_back("Authorization", "Bearer " + config_.api_key);
        try {
            http.body = openai::request_body(config_, request);
        } catch (const std::exception& e) {
            co_return fail(engine::Errc::failed, e.what());
        }
        http.error_body_limit = kErrorBodyLimit;  // and no byte deadlines there: ours are about tokens

        const auto now = timing::real_time().steady_now();  // a remote service: the machine's time
        timing::StagedDeadline deadline;
        if (config_.first_token_timeout < config_.total_timeout) deadline.first = now + config_.first_token_timeout;
        deadline.total = now + config_.total_timeout;
        Reading reading(sink, deadline, co_await asio::this_coro::cancellation_state);
        const auto executor = co_await asio::this_coro::executor;
        auto [order, fetch_error, fetched, expiry_error, passed] =
            co_await asio::experimental::make_parallel_group(
                asio::co_spawn(executor, net::fetch_streamed(std::move(http), [&](std::string_view piece) {
                                   return reading.feed(piece);
                               }),
                               asio::deferred),
                asio::co_spawn(executor, timing::expiry(timing::real_time(), deadline), asio::deferred))
                .async_wait(asio::experimental::wait_for_one(), asio::deferred);
        co_await engine::stop_if_cancelled();

        if (order[0] == 1 && !expiry_error) {
            co_return fail(engine::Errc::failed,
                           passed == timing::Passed::first
                               ? "timeout: no first token within " + std::to_string(config_.first_token_timeout.count()) + " ms"
                               : "timeout: no complete answer within " + std::to_string(config_.total_timeout.count()) + " ms");
        }
        if (fetch_error) std::rethrow_exception(fetch_error);  // the sink threw
        if (!fetched) {
            const auto& failure = fetched.error();
            co_return fail(failure.before_sending() ? engine::Errc::unreachable : engine::Errc::failed, failure.message());
        }
        if (!fetched->ok()) {
            co_return fail(fetched->status < 500 ? engine::Errc::refused : engine::Errc::failed,
                           openai::http_error(fetched->status, fetched->error_body));
        }
        reading.end();
        if (reading.failure()) co_return fail(engine::Errc::failed, *reading.failure());
        co_return engine::Result<void>{};
    }

    std::string name(const std::string& model) const override {
        return "openai:" + (model.empty() ? config_.model : model);
    }

private:
    const OpenAiConfig config_;
    const std::string url_;  // {base_url}/chat/completions, checked to be http(s)
};

}  // namespace

std::unique_ptr<ChatModel> make_openai_chat(OpenAiConfig config) {
    auto url = openai::completions_url(config.base_url);
    if (!net::parse_client_target(url, "http", "https")) {
        throw std::invalid_argument(
            openai::redact("OpenAI base URL must be an http:// or https:// URL, got \"" + config.base_url + "\"",
                           config.api_key));
    }
    return std::make_unique<OpenAiChat>(std::move(config), std::move(url));
}

}  // namespace va::llm
