// One speech = one HTTP request whose body is decoded as it arrives, on the caller's executor.
#include "speech/cloud/http_tts.hpp"

#include <algorithm>
#include <stdexcept>
#include <utility>

#include <boost/asio/this_coro.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/value.hpp>
#include <spdlog/spdlog.h>

#include "engine/inbox.hpp"
#include "net/client_target.hpp"

namespace va::speech::cloud {

namespace asio = boost::asio;
namespace json = boost::json;

namespace {

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

asio::awaitable<engine::Result<void>> synthesize_over_http(HttpTtsJob job, AudioSink on_audio) {
    std::vector<std::int16_t> pcm;
    const auto caller = co_await asio::this_coro::cancellation_state;
    // pcm to on_audio in chunks of at most kMaxChunkSamples; none once the caller has gone (it may
    // leave from inside on_audio).
    auto deliver = [&] {
        for (std::size_t at = 0; at < pcm.size() && caller.cancelled() == asio::cancellation_type::none;
             at += kMaxChunkSamples) {
            auto end = std::min(pcm.size(), at + kMaxChunkSamples);
            on_audio(std::vector<std::int16_t>(pcm.begin() + static_cast<std::ptrdiff_t>(at),
                                               pcm.begin() + static_cast<std::ptrdiff_t>(end)));
        }
        pcm.clear();
    };
    auto& decoder = *job.decoder;
    const auto first_audio = job.request.first_byte_timeout, total = job.request.total_timeout;
    auto answer = co_await net::fetch_streamed(std::move(job.request), [&](std::string_view piece) {
        decoder.feed(piece, pcm);
        deliver();
        return true;
    });
    auto fail = [&](engine::Errc errc, std::string what) {
        spdlog::warn("speech synthesis ({}) failed: {}", job.name, redact(std::move(what), job.secret));
        return engine::Result<void>(errc);
    };
    if (!answer) {
        const auto& failure = answer.error();
        if (failure.what == net::HttpStreamErrc::first_byte_timeout) {
            co_return fail(engine::Errc::failed, "timeout: no audio within " + std::to_string(first_audio.count()) + " ms");
        }
        if (failure.what == net::HttpStreamErrc::total_timeout) {
            co_return fail(engine::Errc::failed,
                           "timeout: speech not complete within " + std::to_string(total.count()) + " ms");
        }
        co_return fail(failure.before_sending() ? engine::Errc::unreachable : engine::Errc::failed, failure.message());
    }
    if (!answer->ok()) {
        auto text = job.error_text ? job.error_text(answer->status, answer->error_body) : http_error_text(answer->status, "");
        co_return fail(answer->status < 500 ? engine::Errc::refused : engine::Errc::failed, std::move(text));
    }
    decoder.finish(pcm);
    deliver();
    co_await engine::stop_if_cancelled();
    co_return engine::Result<void>{};
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
