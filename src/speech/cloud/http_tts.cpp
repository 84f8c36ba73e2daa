// One speech = one HTTP request whose body is decoded as it arrives. Everything but cancel() runs
// on the speech's strand: the request's callbacks, the decoding, our callbacks.
#include "speech/cloud/http_tts.hpp"

#include <algorithm>
#include <atomic>
#include <stdexcept>
#include <utility>

#include <boost/asio/post.hpp>
#include <boost/asio/strand.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/value.hpp>

#include "net/client_target.hpp"

namespace va::speech::cloud {

namespace asio = boost::asio;
namespace json = boost::json;

namespace {

class HttpTtsStream final : public TtsStream, public std::enable_shared_from_this<HttpTtsStream> {
public:
    HttpTtsStream(asio::any_io_executor strand, TtsCallbacks callbacks) : strand_(std::move(strand)), callbacks_(std::move(callbacks)) {}

    // Any thread. The strand serialises it with the request's callbacks.
    void cancel() override {
        if (canceled_.exchange(true)) return;
        asio::post(strand_, [self = shared_from_this()] {
            if (self->http_) {
                self->http_->cancel();  // its on_done follows with "canceled" (or what came first)
            } else {
                self->finish("canceled");
            }
        });
    }

    // On the strand.
    static void start(std::shared_ptr<HttpTtsStream> self, HttpTtsJob job) {
        if (self->finished_) return;
        if (self->canceled_.load()) return self->finish("canceled");
        self->decoder_ = std::move(job.decoder);
        self->error_text_ = std::move(job.error_text);
        self->secret_ = std::move(job.secret);
        net::HttpStreamCallbacks callbacks;
        callbacks.on_body = [self](std::string_view piece) { self->on_body(piece); };
        callbacks.on_done = [self](net::HttpStreamEnd end) { self->on_http_done(std::move(end)); };
        self->http_ = net::start_http_stream(self->strand_, std::move(job.request), std::move(callbacks));
    }

    // On the strand.
    void finish(std::string outcome) {
        if (finished_) return;
        finished_ = true;
        if (http_) http_->cancel();
        if (outcome.empty() && canceled_.load()) outcome = "canceled";
        auto on_done = std::move(callbacks_.on_done);
        callbacks_ = {};  // nothing is called after on_done; let go of what the callbacks hold
        if (on_done) on_done(redact(std::move(outcome), secret_));
    }

private:
    void on_body(std::string_view piece) {
        if (finished_ || canceled_.load()) return;
        pcm_.clear();
        decoder_->feed(piece, pcm_);
        deliver();
    }

    void on_http_done(net::HttpStreamEnd end) {
        http_.reset();  // it is over; nothing left to cancel
        if (finished_) return;
        if (!end.error.empty()) return finish(std::move(end.error));
        if (end.status < 200 || end.status > 299) {
            return finish(error_text_ ? error_text_(end.status, end.error_body) : http_error_text(end.status, ""));
        }
        pcm_.clear();
        decoder_->finish(pcm_);
        deliver();
        finish("");
    }

    // pcm_ to on_audio in chunks of at most kMaxChunkSamples; stops at once when canceled.
    void deliver() {
        std::size_t at = 0;
        while (at < pcm_.size() && !canceled_.load() && !finished_) {
            auto n = std::min(kMaxChunkSamples, pcm_.size() - at);
            std::vector<std::int16_t> chunk(pcm_.begin() + static_cast<std::ptrdiff_t>(at),
                                            pcm_.begin() + static_cast<std::ptrdiff_t>(at + n));
            at += n;
            if (callbacks_.on_audio) callbacks_.on_audio(std::move(chunk));
        }
    }

    asio::any_io_executor strand_;
    TtsCallbacks callbacks_;
    std::atomic<bool> canceled_{false};
    // Everything below is touched on the strand only.
    std::shared_ptr<net::HttpStream> http_;  // while the request runs
    std::unique_ptr<AudioDecoder> decoder_;
    std::function<std::string(unsigned, std::string_view)> error_text_;
    std::string secret_;
    std::vector<std::int16_t> pcm_;
    bool finished_ = false;
};

const json::value* member(const json::value& value, std::string_view key) {
    const auto* object = value.if_object();
    if (!object) return nullptr;
    auto it = object->find(key);
    return it == object->end() ? nullptr : &it->value();
}

// A message from a provider's error JSON, "" when there is none.
std::string error_message(const json::value& body) {
    for (const char* key : {"detail", "error"}) {
        const auto* part = member(body, key);
        if (!part) continue;
        if (part->is_string()) return std::string(part->get_string());
        if (const auto* message = member(*part, "message"); message && message->is_string())
            return std::string(message->get_string());
    }
    if (const auto* message = member(body, "message"); message && message->is_string())
        return std::string(message->get_string());
    return "";
}

}  // namespace

std::shared_ptr<TtsStream> speak_over_http(asio::io_context& io, HttpTtsJob job, TtsCallbacks callbacks) {
    asio::any_io_executor strand = asio::make_strand(io);
    auto stream = std::make_shared<HttpTtsStream>(strand, std::move(callbacks));
    asio::post(strand, [stream, job = std::move(job)]() mutable { HttpTtsStream::start(stream, std::move(job)); });
    return stream;
}

std::shared_ptr<TtsStream> speak_nothing(asio::io_context& io, TtsCallbacks callbacks) {
    asio::any_io_executor strand = asio::make_strand(io);
    auto stream = std::make_shared<HttpTtsStream>(strand, std::move(callbacks));
    asio::post(strand, [stream] { stream->finish(""); });
    return stream;
}

std::string http_error_text(unsigned status, std::string_view body) {
    std::string text = "HTTP " + std::to_string(status);
    boost::system::error_code ec;
    auto value = json::parse(body, ec);
    if (ec) return text;
    auto message = error_message(value);
    if (message.empty()) return text;
    return text + ": " + message;
}

std::string redact(std::string text, std::string_view secret) {
    if (secret.empty()) return text;
    for (auto at = text.find(secret); at != std::string::npos; at = text.find(secret, at + 10)) {
        text.replace(at, secret.size(), "[redacted]");
    }
    return text;
}

bool is_blank(std::string_view text) {
    return std::all_of(text.begin(), text.end(),
                       [](char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v'; });
}

std::string encode_path_segment(std::string_view segment) {
    static constexpr char kHex[] = "0123456789ABCDEF";
    std::string out;
    for (unsigned char c : segment) {
        if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_' ||
            c == '.' || c == '~') {
            out += static_cast<char>(c);
        } else {
            out += '%';
            out += kHex[c >> 4];
            out += kHex[c & 0x0F];
        }
    }
    return out;
}

std::string trim_base(std::string_view base_url) {
    while (!base_url.empty() && base_url.back() == '/') base_url.remove_suffix(1);
    return std::string(base_url);
}

void check_url(std::string_view url, std::string_view what, std::string_view secret) {
    if (net::parse_client_target(url, "http", "https")) return;
    throw std::invalid_argument(redact(std::string(what) + " must be an http:// or https:// URL, got \"" +
                                           std::string(url) + "\"",
                                       secret));
}

}  // namespace va::speech::cloud
