#include "speech/cloud/openai_tts.hpp"

#include <algorithm>
#include <optional>
#include <utility>

#include <boost/json/object.hpp>
#include <boost/json/serialize.hpp>

#include "media/resampler.hpp"
#include "speech/cloud/http_tts.hpp"

namespace va::speech {

namespace {

namespace json = boost::json;

constexpr int kProviderRate = 24000;
constexpr int kLineRate = 8000;

// 24 kHz s16le bytes → 8 kHz samples. A piece may end inside a sample: its first byte waits for
// the next piece. The resampler's filter delay is dropped from the front, so that the output lines
// up with the input (as media::resample does for whole clips).
class Pcm24kDecoder final : public cloud::AudioDecoder {
public:
    Pcm24kDecoder() : resampler_(kProviderRate, kLineRate), delay_(static_cast<std::size_t>(resampler_.output_latency())) {}

    void feed(std::string_view bytes, std::vector<std::int16_t>& out) override {
        samples_.clear();
        samples_.reserve(bytes.size() / 2 + 1);
        std::size_t at = 0;
        if (odd_byte_ && !bytes.empty()) {
            samples_.push_back(sample(*odd_byte_, bytes[0]));
            odd_byte_.reset();
            at = 1;
        }
        for (; at + 1 < bytes.size(); at += 2) samples_.push_back(sample(bytes[at], bytes[at + 1]));
        if (at < bytes.size()) odd_byte_ = bytes[at];
        if (!samples_.empty()) append(resampler_.process(samples_), out);
    }

    void finish(std::vector<std::int16_t>& out) override { append(resampler_.flush(), out); }

private:
    static std::int16_t sample(char low, char high) {
        auto bits = static_cast<std::uint16_t>(static_cast<std::uint8_t>(low) |
                                               static_cast<std::uint16_t>(static_cast<std::uint8_t>(high) << 8));
        return static_cast<std::int16_t>(bits);
    }

    void append(const std::vector<std::int16_t>& pcm, std::vector<std::int16_t>& out) {
        std::size_t skip = std::min(delay_, pcm.size());
        delay_ -= skip;
        out.insert(out.end(), pcm.begin() + static_cast<std::ptrdiff_t>(skip), pcm.end());
    }

    media::Resampler resampler_;
    std::size_t delay_;  // output samples still to drop
    std::optional<char> odd_byte_;
    std::vector<std::int16_t> samples_;
};

class OpenAiTts final : public TextToSpeech {
public:
    OpenAiTts(OpenAiTtsConfig config, std::string url)
        : config_(std::move(config)), url_(std::move(url)) {}

    boost::asio::awaitable<engine::Result<void>> synthesize(std::string text, AudioSink on_audio) override {
        if (cloud::is_blank(text)) co_return engine::Result<void>{};  // nothing to say: no request
        json::object body;
        body["model"] = config_.model;
        body["input"] = text;
        body["voice"] = config_.voice;
        body["response_format"] = "pcm";
        cloud::HttpTtsJob job;
        job.request.method = "POST";
        job.request.url = url_;
        job.request.headers.emplace_back("Content-Type", "application/json");
        if (!config_.api_key.empty()) job.request.headers.emplace_back("Authorization", "Bearer " + config_.api_key);
        job.request.body = json::serialize(body);
        job.request.first_byte_timeout = config_.first_audio_timeout;
        job.request.total_timeout = config_.total_timeout;
        job.decoder = std::make_unique<Pcm24kDecoder>();
        job.error_text = cloud::http_error_text;
        job.secret = config_.api_key;
        job.name = name();
        co_return co_await cloud::synthesize_over_http(std::move(job), std::move(on_audio));
    }

    std::string name() const override { return "openai:" + config_.voice; }

private:
    const OpenAiTtsConfig config_;
    const std::string url_;
};

}  // namespace

std::unique_ptr<TextToSpeech> make_openai_tts(OpenAiTtsConfig config) {
    auto url = cloud::trim_base(config.base_url) + "/audio/speech";
    cloud::check_url(url, "OpenAI base URL", config.api_key);
    return std::make_unique<OpenAiTts>(std::move(config), std::move(url));
}

}  // namespace va::speech
