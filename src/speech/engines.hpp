#pragma once
// Internal to speech/: the two offline engines at their native sample rates, chunk by chunk.
// espeak-ng and flite keep process-global state, so each engine serialises its calls with a mutex
// of its own; a sink must not call back into the same engine.
#include <cstdint>
#include <functional>
#include <span>
#include <string>
#include <vector>

#include "speech/voice.hpp"

namespace va::speech {

// Receives each chunk of audio with its sample rate; returns false to stop the synthesis early.
using NativeSink = std::function<bool(std::span<const std::int16_t> samples, int sample_rate)>;

// A spoken word and where it ends in the audio, as the synthesiser planned it.
struct NativeWord {
    std::string text;  // as the engine normalised it ("ten" for "10")
    double end_seconds = 0;
};

// Synthesises `text` (UTF-8) with `voice`, calling `sink` as audio is produced: espeak-ng in
// chunks of ~48 ms as it synthesises, flite once with the whole utterance. Throws
// std::runtime_error when the engine or voice cannot be loaded or synthesis fails. With `words`,
// flite also reports each word's end (espeak-ng leaves it empty).
void synthesize_native(const Voice& voice, const std::string& text, const NativeSink& sink,
                       std::vector<NativeWord>* words = nullptr);

// espeak-ng's phonemes for `word` in its American English voice: its own phoneme names, separated
// by '_', with stress marks ("b_r_'aI_t"); "" when it gives none. Throws std::runtime_error when
// espeak-ng cannot be loaded.
std::string espeak_phonemes(const std::string& word);

}  // namespace va::speech
