#pragma once
// Stand-ins for the call tests: a TTS that "speaks" a fixed tone per text (without waiting, or
// failing on demand), and a WebSocket that plays a recorded Twilio message sequence to the
// session and records what the session writes back.
#include <atomic>
#include <chrono>
#include <cmath>
#include <deque>
#include <functional>
#include <string>
#include <variant>
#include <vector>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "net/websocket.hpp"
#include "speech/tts.hpp"
#include "telephony/twilio/stream_message.hpp"
#include "timing/time_source.hpp"

namespace va::call::test {

// 100 ms of a 440 Hz tone per character of text, in chunks of 40 ms.
class FakeTts final : public speech::TextToSpeech {
public:
    boost::asio::awaitable<engine::Result<void>> synthesize(std::string text, speech::AudioSink on_audio) override {
        ++calls;
        if (fail) co_return engine::Result<void>(engine::Errc::failed);
        const std::size_t total = text.size() * 800;
        for (std::size_t at = 0; at < total; at += 320) {
            std::vector<std::int16_t> chunk;
            for (std::size_t i = at; i < std::min(total, at + 320); ++i)
                chunk.push_back(static_cast<std::int16_t>(8000 * std::sin(2 * 3.14159265 * 440 * double(i) / 8000)));
            on_audio(std::move(chunk));
        }
        co_return engine::Result<void>{};
    }
    std::string name() const override { return "fake"; }

    std::atomic<int> calls{0};
    bool fail = false;
};

// One step of a recorded Twilio conversation, as the session's peer.
struct Send {
    std::string text;
    bool binary = false;
};
struct WaitFor {  // until the session has written something that satisfies this
    std::function<bool(const std::vector<std::string>& written)> done;
};
struct EchoMarks {};  // echo every mark the session sent so far, as Twilio does once audio has played
using ScriptStep = std::variant<Send, WaitFor, EchoMarks>;

// What happened on a ScriptedSocket; outlives the socket (the session owns and destroys it).
struct SocketLog {
    std::vector<std::string> written;  // text frames the session wrote, in order
    bool closed_by_session = false;
    std::string close_reason;  // the session's
    bool timed_out = false;    // a WaitFor never came true
};

class ScriptedSocket final : public net::WebSocket {
public:
    // `close_at_end`: when the script is over, Twilio hangs up (true) or the socket stays open.
    ScriptedSocket(boost::asio::io_context& io, timing::TimeSource& time, std::string stream_sid,
                   std::vector<ScriptStep> script, std::shared_ptr<SocketLog> log, bool close_at_end = true)
        : io_(io),
          time_(time),
          signal_(time, io.get_executor()),
          stream_sid_(std::move(stream_sid)),
          script_(script.begin(), script.end()),
          log_(std::move(log)),
          close_at_end_(close_at_end) {}

    boost::asio::awaitable<std::optional<net::WebSocketMessage>> read() override {
        const auto deadline = time_.steady_now() + std::chrono::seconds(10);
        while (!log_->closed_by_session) {
            if (script_.empty()) {
                if (close_at_end_) co_return std::nullopt;
                co_await wait(deadline);
                if (time_.steady_now() >= deadline) co_return std::nullopt;
                continue;
            }
            auto step = script_.front();
            if (auto* send = std::get_if<Send>(&step)) {
                script_.pop_front();
                co_return net::WebSocketMessage{!send->binary, send->text};
            }
            if (std::holds_alternative<EchoMarks>(step)) {
                script_.pop_front();
                echo_marks();
                continue;
            }
            if (std::get<WaitFor>(step).done(log_->written)) {
                script_.pop_front();
                continue;
            }
            if (time_.steady_now() >= deadline) {
                log_->timed_out = true;
                co_return std::nullopt;
            }
            co_await wait(deadline);
        }
        co_return std::nullopt;
    }
    boost::asio::awaitable<bool> write_text(std::string text) override {
        if (log_->closed_by_session) co_return false;
        log_->written.push_back(std::move(text));
        signal_.cancel();
        co_return true;
    }
    boost::asio::awaitable<void> close(std::string reason) override {
        log_->closed_by_session = true;
        log_->close_reason = std::move(reason);
        signal_.cancel();
        co_return;
    }
    void abort() override {
        log_->closed_by_session = true;
        signal_.cancel();
    }
    std::string close_reason() const override { return log_->closed_by_session ? "closed by us" : "closed by Twilio"; }
    boost::asio::any_io_executor get_executor() override { return io_.get_executor(); }

private:
    boost::asio::awaitable<void> wait(timing::SteadyTime deadline) {
        signal_.expires_at(deadline);
        co_await signal_.async_wait(boost::asio::as_tuple(boost::asio::use_awaitable));
    }
    // Twilio's echo of every mark written since the last echo, ahead of the rest of the script.
    void echo_marks() {
        std::vector<ScriptStep> echoes;
        for (; echoed_ < log_->written.size(); ++echoed_) {
            auto parsed = twilio::parse_outbound(log_->written[echoed_]);
            auto* ok = std::get_if<twilio::ParsedOutbound>(&parsed);
            if (!ok) continue;
            if (auto* mark = std::get_if<twilio::OutboundMark>(&ok->message))
                echoes.push_back(Send{twilio::to_json(twilio::Mark{mark->name}, ++sequence_, stream_sid_)});
        }
        script_.insert(script_.begin(), echoes.begin(), echoes.end());
    }

    boost::asio::io_context& io_;
    timing::TimeSource& time_;
    timing::Timer signal_;
    std::string stream_sid_;
    std::deque<ScriptStep> script_;
    std::shared_ptr<SocketLog> log_;
    bool close_at_end_;
    std::size_t echoed_ = 0;       // written[0, echoed_) have been looked at for marks
    std::uint64_t sequence_ = 1000;  // of the echoed marks
};

}  // namespace va::call::test
