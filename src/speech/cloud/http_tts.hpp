#pragma once
// Internal to speech/cloud/: what every HTTP text-to-speech provider shares. One synthesis is one
// net::fetch_streamed on the caller's executor; the provider says how to ask (the request) and how
// to read the answer (an AudioDecoder from its body bytes to 8 kHz PCM, a text for its errors).
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include <boost/asio/awaitable.hpp>

#include "net/http_stream.hpp"
#include "speech/tts.hpp"

namespace va::speech::cloud {

// A response body → 8 kHz mono PCM, piece by piece (pieces split anywhere, even inside a sample).
class AudioDecoder {
public:
    virtual ~AudioDecoder() = default;
    // Appends the samples these bytes complete to `out`.
    virtual void feed(std::string_view bytes, std::vector<std::int16_t>& out) = 0;
    // The body is complete: appends whatever is still held.
    virtual void finish(std::vector<std::int16_t>& out) = 0;
};

struct HttpTtsJob {
    net::HttpStreamRequest request;  // timeouts and their texts included
    std::unique_ptr<AudioDecoder> decoder;
    // The text of a non-2xx answer, from its status and (bounded) body.
    std::function<std::string(unsigned status, std::string_view body)> error_text;
    std::string secret;  // replaced by "[redacted]" in every error text
    std::string name;    // the provider's TextToSpeech::name(), for the log
};

// TextToSpeech::synthesize through `job`: chunks are what arrived, cut to at most kMaxChunkSamples.
// A failure is logged (redacted) and answered as unreachable (nothing reached the provider), refused
// (an HTTP 4xx) or failed (anything else).
boost::asio::awaitable<engine::Result<void>> synthesize_over_http(HttpTtsJob job, AudioSink on_audio);

inline constexpr std::size_t kMaxChunkSamples = 800;  // 100 ms at 8 kHz

// "HTTP 401: <message>" from the JSON bodies providers send ({"detail":{"message":..}},
// {"detail":".."}, {"error":{"message":..}}, {"message":..}), "HTTP 401" for anything else.
std::string http_error_text(unsigned status, std::string_view body);
// `text` with every occurrence of `secret` replaced by "[redacted]" (nothing when it is empty).
std::string redact(std::string text, std::string_view secret);
// True when `text` holds nothing but ASCII whitespace.
bool is_blank(std::string_view text);
// `segment` percent-encoded for a URL path (unreserved characters kept).
std::string encode_path_segment(std::string_view segment);
// base_url without trailing slashes.
std::string trim_base(std::string_view base_url);
// Throws std::invalid_argument(what + ...) unless `url` is http:// or https://; never quotes `secret`.
void check_url(std::string_view url, std::string_view what, std::string_view secret);

}  // namespace va::speech::cloud
