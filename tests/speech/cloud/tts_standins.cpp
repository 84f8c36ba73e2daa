#include "speech/cloud/tts_standins.hpp"

#include <boost/json.hpp>

namespace va::test {

namespace json = boost::json;

namespace {

ScriptedReply stream_of(std::string bytes, std::size_t piece_bytes, std::string content_type) {
    ScriptedReply reply;
    reply.headers.emplace_back("Content-Type", std::move(content_type));
    for (std::size_t at = 0; at < bytes.size(); at += piece_bytes) reply.pieces.push_back(bytes.substr(at, piece_bytes));
    return reply;
}

}  // namespace

ElevenLabsStandin::ElevenLabsStandin() {
    server_.set_gate([](const ScriptedRequest& request) -> std::optional<ScriptedReply> {
        const std::string_view path = request.path;
        const std::string_view prefix = "/v1/text-to-speech/";
        const std::string_view suffix = "/stream";
        bool route = request.method == "POST" && path.size() > prefix.size() + suffix.size() &&
                     path.substr(0, prefix.size()) == prefix && path.substr(path.size() - suffix.size()) == suffix;
        if (!route) return error(404, "not_found", "no such route on the stand-in");
        return std::nullopt;
    });
}

ScriptedReply ElevenLabsStandin::audio(std::span<const std::uint8_t> mulaw, std::size_t piece_bytes) {
    return stream_of(std::string(mulaw.begin(), mulaw.end()), piece_bytes, "audio/basic");
}

ScriptedReply ElevenLabsStandin::error(unsigned status, std::string_view code, std::string_view message) {
    json::object detail;
    detail["status"] = code;
    detail["message"] = message;
    json::object body;
    body["detail"] = std::move(detail);
    return ScriptedReply::whole(status, "application/json", json::serialize(body));
}

OpenAiSpeechStandin::OpenAiSpeechStandin() {
    server_.set_gate([](const ScriptedRequest& request) -> std::optional<ScriptedReply> {
        if (request.method != "POST" || request.path != "/v1/audio/speech") return error(404, "no such route on the stand-in");
        return std::nullopt;
    });
}

ScriptedReply OpenAiSpeechStandin::audio(std::span<const std::int16_t> pcm24k, std::size_t piece_bytes) {
    std::string bytes;
    bytes.reserve(pcm24k.size() * 2);
    for (auto sample : pcm24k) {
        auto bits = static_cast<std::uint16_t>(sample);
        bytes += static_cast<char>(bits & 0xFF);
        bytes += static_cast<char>(bits >> 8);
    }
    return stream_of(std::move(bytes), piece_bytes, "audio/pcm");
}

ScriptedReply OpenAiSpeechStandin::error(unsigned status, std::string_view message, std::string_view type) {
    json::object error;
    error["message"] = message;
    error["type"] = type;
    error["param"] = nullptr;
    error["code"] = nullptr;
    json::object body;
    body["error"] = std::move(error);
    return ScriptedReply::whole(status, "application/json", json::serialize(body));
}

}  // namespace va::test
