// Deepgram's live streaming wire format: see deepgram_wire.hpp.
#include "speech/cloud/deepgram_wire.hpp"

#include <algorithm>
#include <cctype>
#include <set>

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

std::string listen_url(const DeepgramConfig& config, const std::vector<std::string>& terms) {
    std::string base = config.base_url;
    while (!base.empty() && base.back() == '/') base.pop_back();
    auto url = base + "/v1/listen?encoding=mulaw&sample_rate=8000&channels=1&model=" + percent_encode(config.model) +
               "&language=" + percent_encode(config.language) + "&interim_results=true&punctuate=true&smart_format=true";
    if (config.model.starts_with("nova-3")) {
        for (const auto& term : terms) url += "&keyterm=" + percent_encode(term);
        return url;
    }
    // Keywords are Nova-2's and its elders'; Whisper and the rest refuse parameters they lack.
    const bool keywords = config.model.starts_with("nova") || config.model.starts_with("enhanced") ||
                          config.model.starts_with("base");
    if (!keywords) return url;
    std::set<std::string_view> words;
    for (const auto& term : terms) {
        for (std::size_t at = 0; at < term.size();) {
            const auto end = std::min(term.find(' ', at), term.size());
            const auto word = std::string_view(term).substr(at, end - at);
            if (!word.empty() && words.insert(word).second) url += "&keywords=" + percent_encode(word);
            at = end + 1;
        }
    }
    return url;
}

std::vector<std::string> key_terms(std::string_view context) {
    std::vector<std::string> terms;
    std::set<std::string> seen;
    std::vector<std::string> run;
    bool run_starts_sentence = false;
    auto end_run = [&] {
        const bool name = run.size() > 1 || (run.size() == 1 && !run_starts_sentence);
        if (name && terms.size() < kMaxKeyTerms) {
            std::string term;
            for (std::size_t i = 0; i < std::min(run.size(), kMaxTermWords); ++i) term += (i ? " " : "") + run[i];
            if (seen.insert(term).second) terms.push_back(std::move(term));
        }
        run.clear();
    };
    bool sentence_start = true;
    std::size_t at = 0;
    while (at < context.size()) {
        const auto space = context.find_first_of(" \t\r\n", at);
        const auto end = space == std::string_view::npos ? context.size() : space;
        auto token = context.substr(at, end - at);
        const bool line_ends = end < context.size() && context[end] == '\n';
        at = end + 1;
        if (token.empty()) continue;
        const char last = token.back();
        const bool stops = last == '.' || last == '!' || last == '?';
        const bool breaks = stops || last == ',' || last == ';' || last == ':';
        // The word without the punctuation around it (apostrophes and hyphens inside stay).
        while (!token.empty() && !std::isalnum(static_cast<unsigned char>(token.back()))) token.remove_suffix(1);
        while (!token.empty() && !std::isalnum(static_cast<unsigned char>(token.front()))) token.remove_prefix(1);
        const bool capitalised = !token.empty() && std::isupper(static_cast<unsigned char>(token.front())) &&
                                 token != "I" && !token.starts_with("I'");
        if (capitalised) {
            if (run.empty()) run_starts_sentence = sentence_start;
            run.emplace_back(token);
        } else {
            end_run();
        }
        if (breaks || line_ends) end_run();
        sentence_start = stops || line_ends;
    }
    end_run();
    return terms;
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
