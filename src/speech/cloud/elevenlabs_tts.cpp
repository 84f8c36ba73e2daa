#include "speech/cloud/elevenlabs_tts.hpp"

#include <stdexcept>
#include <utility>

#include <boost/json/object.hpp>
#include <boost/json/serialize.hpp>

#include "media/mulaw.hpp"
#include "speech/cloud/http_tts.hpp"

namespace va::speech {

namespace {

namespace json = boost::json;

// μ-law bytes are whole samples: every byte decodes on its own.
class MulawDecoder final : public cloud::AudioDecoder {
public:
    void feed(std::string_view bytes, std::vector<std::int16_t>& out) override {
        out.reserve(out.size() + bytes.size());
        for (char byte : bytes) out.push_back(media::mulaw_decode(static_cast<std::uint8_t>(byte)));
    }
    void finish(std::vector<std::int16_t>&) override {}
};

class ElevenLabsTts final : public TextToSpeech {
public:
    ElevenLabsTts(ElevenLabsConfig config, std::string url)
        : config_(std::move(config)), url_(std::move(url)) {}

    boost::asio::awaitable<engine::Result<void>> synthesize(std::string text, AudioSink on_audio) override {
        if (cloud::is_blank(text)) co_return engine::Result<void>{};  // nothing to say: no request
        json::object body;
        body["text"] = text;
        body["model_id"] = config_.model_id;
        cloud::HttpTtsJob job;
        job.request.method = "POST";
        job.request.url = url_;
        job.request.headers.emplace_back("xi-api-key", config_.api_key);
        job.request.headers.emplace_back("Content-Type", "application/json");
        job.request.body = json::serialize(body);
        job.request.first_byte_timeout = config_.first_audio_timeout;
        job.request.total_timeout = config_.total_timeout;
        job.decoder = std::make_unique<MulawDecoder>();
        job.error_text = cloud::http_error_text;
        job.secret = config_.api_key;
        job.name = name();
        co_return co_await cloud::synthesize_over_http(std::move(job), std::move(on_audio));
    }

    std::string name() const override { return "elevenlabs:" + config_.voice_id; }

private:
    const ElevenLabsConfig config_;
    const std::string url_;
};

}  // namespace

std::unique_ptr<TextToSpeech> make_elevenlabs_tts(ElevenLabsConfig config) {
    if (config.voice_id.empty()) throw std::invalid_argument("ElevenLabs voice_id is required");
    auto url = cloud::trim_base(config.base_url) + "/v1/text-to-speech/" + cloud::encode_path_segment(config.voice_id) +
               "/stream?output_format=ulaw_8000";
    cloud::check_url(url, "ElevenLabs base URL", config.api_key);
    return std::make_unique<ElevenLabsTts>(std::move(config), std::move(url));
}

}  // namespace va::speech
