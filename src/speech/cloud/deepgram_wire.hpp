#pragma once
// Internal: Deepgram's live streaming wire format (the listen URL, control messages, the server's
// JSON messages), apart from the session so that it can be tested and read on its own.
#include <string>
#include <string_view>
#include <vector>

namespace va::speech {

struct DeepgramConfig;

namespace deepgram {

inline constexpr std::string_view kKeepAlive = R"({"type":"KeepAlive"})";
inline constexpr std::string_view kFinalize = R"({"type":"Finalize"})";
inline constexpr std::string_view kCloseStream = R"({"type":"CloseStream"})";

// {base_url}/v1/listen?encoding=mulaw&sample_rate=8000&channels=1&model=..&language=..
// &interim_results=true&punctuate=true&smart_format=true (model and language percent-encoded),
// then the call's names as Deepgram boosts them: a Nova-3 model gets each term as a `keyterm`
// (phrases work), Nova-2 and older each of their words as a `keywords` (single words only),
// other models (Whisper) nothing.
std::string listen_url(const DeepgramConfig& config, const std::vector<std::string>& terms = {});

// The names in a call's text (SttOptions::context), for listen_url: runs of capitalised words
// ("Bright Smile Dental", "Doctor Okonkwo", "Thursday"), but not a lone word that only starts a
// sentence or line ("You", "Sure"), nor "I". In order of first appearance, each once, at most
// kMaxKeyTerms of at most kMaxTermWords words (Deepgram allows 100 keyterms in 500 tokens).
std::vector<std::string> key_terms(std::string_view context);
inline constexpr std::size_t kMaxKeyTerms = 50;
inline constexpr std::size_t kMaxTermWords = 4;

// One server text message, reduced to what the session needs.
struct ServerMessage {
    enum class Kind { results, error, other };
    Kind kind = Kind::other;
    std::string transcript;  // results: the first alternative's
    bool is_final = false;
    bool from_finalize = false;
    std::string error;  // error: Deepgram's description (or message)
};

// Never throws: a message that is not JSON or has no "type" is `other` (ignored).
ServerMessage parse_server_message(std::string_view text);

}  // namespace deepgram
}  // namespace va::speech
