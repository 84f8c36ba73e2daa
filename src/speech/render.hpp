#pragma once
// Offline speech synthesis to telephone-rate audio, for the phone simulator's scripted callee and
// as the basis of the offline TTS engines. Engine headers stay in render.cpp.
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "speech/voice.hpp"

namespace va::speech {

// Speaks text (UTF-8) and returns 8 kHz mono 16-bit PCM, with whatever leading and trailing
// silence the engine produces. Thread-safe: each engine keeps process-global state, so calls to
// one engine are serialised internally (both engines are far faster than real time).
// flite output is reproducible (same text, same samples: rand() is reseeded per call); espeak-ng
// output varies slightly from call to call (pitch flutter state carried between utterances).
// Throws std::runtime_error when the engine or voice cannot be loaded or synthesis fails.
std::vector<std::int16_t> render_8k(const Voice& voice, std::string_view text);

// The same, with where each word ends: what a streaming recogniser's stand-in needs to say each
// word when it is heard. Only flite reports word times; espeak-ng's `words` are empty.
struct TimedWord {
    std::string text;  // lower case, as the engine normalised it ("ten" for "10")
    std::chrono::milliseconds end{0};
};
struct Rendering {
    std::vector<std::int16_t> pcm;
    std::vector<TimedWord> words;
};
Rendering render_8k_timed(const Voice& voice, std::string_view text);

// A recorded prompt as 8 kHz mono: read_wav, average the channels, resample.
// Throws std::runtime_error (the message includes the path).
std::vector<std::int16_t> load_wav_8k(const std::filesystem::path& path);

}  // namespace va::speech
