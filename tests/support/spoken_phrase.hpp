#pragma once
// A phrase for the Deepgram stand-in's listening mode as the phone simulator's callee would say
// it: flite's 8 kHz audio and where flite put each word's end. Link va_speech.
#include <string>

#include "speech/render.hpp"
#include "support/deepgram_standin.hpp"

namespace va::test {

inline DeepgramStandinPhrase spoken_phrase(const std::string& text, const char* voice = "flite:kal") {
    auto rendering = speech::render_8k_timed(*speech::parse_voice(voice), text);
    DeepgramStandinPhrase phrase;
    phrase.text = text;
    phrase.pcm = std::move(rendering.pcm);
    for (auto& word : rendering.words) phrase.words.push_back({std::move(word.text), word.end});
    return phrase;
}

}  // namespace va::test
