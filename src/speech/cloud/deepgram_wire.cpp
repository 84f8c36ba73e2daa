// Deepgram's live streaming wire format: see deepgram_wire.hpp.
#include "speech/cloud/deepgram_wire.hpp"

#include <boost/json/parse.hpp>
#include <boost/json/value.hpp>

#include "speech/cloud/deepgram_stt.hpp"

namespace va::speech::deepgram {

namespace json = boost::json;

namespace {

std::string percent_encode(std::string_view value) {
    static constexpr char kHex[] = "0123456789ABCDEF";
    std::string out;
    for (const char c : value) {
        const auto u = static_cast<unsigned char>(c);
        const bool unreserved = (u >= 'a' && u <= 'z') || (u >= 'A' && u <= 'Z') || (u >= '0' && u <= '9') ||
                                c == '-' || c == '_' || c == '.' || c == '~';
        if (unreserved) {
            out += c;
        } else {
            out += '%';
            out += kHex[u >> 4];
            out += kHex[u & 0x0F];
        }
    }
    return out;
}

const json::value* member(const json::value& value, std::string_view key) {
    const auto* object = value.if_object();
    return object ? object->if_contains(key) : nullptr;
}

bool flag(const json::value& value, std::string_view key) {
    const auto* v = member(value, key);
    return v && v->is_bool() && v->get_bool();
}

std::string text_of(const json::value* value) {
    if (!value || !value->is_string()) return {};
    return std::string(value->get_string());
}

}  // namespace

std::string listen_url(const DeepgramConfig& config) {
    std::string base = config.base_url;
    while (!base.empty() && base.back() == '/') base.pop_back();
    return base + "/v1/listen?encoding=mulaw&sample_rate=8000&channels=1&model=" + percent_encode(config.model) +
           "&language=" + percent_encode(config.language) + "&interim_results=true&punctuate=true&smart_format=true";
}

ServerMessage parse_server_message(std::string_view text) {
    ServerMessage out;
    boost::system::error_code ec;
    const json::value message = json::parse(text, ec);
    if (ec) return out;
    const auto type = text_of(member(message, "type"));
    if (type == "Results") {
        out.kind = ServerMessage::Kind::results;
        out.is_final = flag(message, "is_final");
        out.from_finalize = flag(message, "from_finalize");
        const auto* channel = member(message, "channel");
        const auto* alternatives = channel ? member(*channel, "alternatives") : nullptr;
        if (alternatives && alternatives->is_array() && !alternatives->get_array().empty())
            out.transcript = text_of(member(alternatives->get_array().front(), "transcript"));
    } else if (type == "Error") {
        out.kind = ServerMessage::Kind::error;
        out.error = text_of(member(message, "description"));
        if (out.error.empty()) out.error = text_of(member(message, "message"));
        if (out.error.empty()) out.error = "error message from the server";
    }
    return out;
}

}  // namespace va::speech::deepgram
