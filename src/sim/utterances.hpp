#pragma once
// Every utterance the scenario's callees can say, rendered once at start-up (never on a call's
// thread), with what the report and a speech recogniser's stand-in need to know about each: where
// its voice begins and ends, how loud it is, and where each word ends.
#include <cstdint>
#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include "sim/scenario.hpp"
#include "speech/render.hpp"

namespace va::sim {

struct Utterance {
    std::vector<std::uint8_t> mulaw;        // as the callee sends it
    std::vector<speech::TimedWord> words;   // where each word ends (flite voices only; none for WAVs)
    Millis lead{0};     // silence before the first voiced 20 ms frame
    Millis voiced{0};   // from the first voiced frame to the end of the last
    double level = 0;   // RMS over the voiced frames: the speech level line noise is measured against
    std::size_t voiced_samples = 0;
};

using Utterances = std::map<std::string, Utterance, std::less<>>;

// Where a step's audio lives in Utterances.
std::string audio_key(const NumberScenario& scenario, const Step& step);

// Renders (or reads, for `wav` steps; relative paths start at `scenario_dir`) every `say` step
// of every entry. Throws std::runtime_error naming what could not be rendered or read.
Utterances render_utterances(const Scenario& scenario, const std::filesystem::path& scenario_dir);

// The speech level of everything `scenario` says (RMS over the voiced frames of all its say
// steps), 0 when it says nothing.
double speech_level(const NumberScenario& scenario, const Utterances& utterances);

}  // namespace va::sim
