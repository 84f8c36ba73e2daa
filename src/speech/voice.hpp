#pragma once
// Which offline synthesiser and voice to speak with, written as "engine:voice" in configuration
// and scenario files (e.g. "flite:rms", "espeak:en-us").
#include <optional>
#include <string>
#include <string_view>

namespace va::speech {

enum class Engine { espeak, flite };

struct Voice {
    // flite rms is the default: speech recognisers understand it far better than espeak.
    Engine engine = Engine::flite;
    std::string name = "rms";
    int words_per_minute = 0;  // 0 = engine default
};

// "flite:rms|awb|slt|kal" or "espeak:<any espeak voice name>"; nullopt when malformed or when the
// flite voice is not one we link. espeak names are only checked when rendering (render_8k throws).
std::optional<Voice> parse_voice(std::string_view spec);

// The "engine:voice" spelling, the inverse of parse_voice.
std::string to_string(const Voice& voice);

}  // namespace va::speech
