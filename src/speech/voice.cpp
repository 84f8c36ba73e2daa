#include "speech/voice.hpp"

#include <algorithm>
#include <array>

namespace va::speech {
namespace {

// The flite voices linked into the binary (see va_flite in the top-level CMakeLists.txt).
constexpr std::array<std::string_view, 4> kFliteVoices{"rms", "awb", "slt", "kal"};

// espeak voice names look like "en-us", "en+f3", "mb-en1", "gmw/en-GB-x-rp": refuse anything
// else (spaces, control characters, "..") so a name from a config file cannot surprise espeak.
bool plausible_espeak_name(std::string_view name) {
    if (name.empty() || name.size() > 64 || name.find("..") != std::string_view::npos) return false;
    return std::all_of(name.begin(), name.end(), [](char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
               c == '_' || c == '+' || c == '/';
    });
}

}  // namespace

std::optional<Voice> parse_voice(std::string_view spec) {
    const auto colon = spec.find(':');
    if (colon == std::string_view::npos) return std::nullopt;
    const auto engine = spec.substr(0, colon);
    const auto name = spec.substr(colon + 1);
    Voice voice;
    voice.name = std::string(name);
    if (engine == "flite") {
        if (std::find(kFliteVoices.begin(), kFliteVoices.end(), name) == kFliteVoices.end()) return std::nullopt;
        voice.engine = Engine::flite;
        return voice;
    }
    if (engine == "espeak") {
        if (!plausible_espeak_name(name)) return std::nullopt;
        voice.engine = Engine::espeak;
        return voice;
    }
    return std::nullopt;
}

std::string to_string(const Voice& voice) {
    return (voice.engine == Engine::flite ? "flite:" : "espeak:") + voice.name;
}

}  // namespace va::speech
