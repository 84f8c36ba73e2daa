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
    ElevenLabsTts(boost::asio::io_context& io, ElevenLabsConfig config, std::string url)
        : io_(io), config_(std::move(config)), url_(std::move(url)) {}

    std::shared_ptr<TtsStream> speak(std::string text, TtsCallbacks callbacks) override {
        if (cloud::is_blank(text)) return cloud::speak_nothing(io_, std::move(callbacks));
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
        job.request.first_byte_timeout_error =
            "timeout: no audio within " + std::to_string(config_.first_audio_timeout.count()) + " ms";
        job.request.total_timeout_error =
            "timeout: speech not complete within " + std::to_string(config_.total_timeout.count()) + " ms";
        job.decoder = std::make_unique<MulawDecoder>();
        job.error_text = cloud::http_error_text;
        job.secret = config_.api_key;
        return cloud::speak_over_http(io_, std::move(job), std::move(callbacks));
    }

    std::string name() const override { return "elevenlabs:" + config_.voice_id; }

private:
    boost::asio::io_context& io_;
    const ElevenLabsConfig config_;
    const std::string url_;
};

}  // namespace

std::unique_ptr<TextToSpeech> make_elevenlabs_tts(boost::asio::io_context& io, ElevenLabsConfig config) {
    if (config.voice_id.empty()) throw std::invalid_argument("ElevenLabs voice_id is required");
    auto url = cloud::trim_base(config.base_url) + "/v1/text-to-speech/" + cloud::encode_path_segment(config.voice_id) +
               "/stream?output_format=ulaw_8000";
    cloud::check_url(url, "ElevenLabs base URL", config.api_key);
    return std::make_unique<ElevenLabsTts>(io, std::move(config), std::move(url));
}

}  // namespace va::speech
