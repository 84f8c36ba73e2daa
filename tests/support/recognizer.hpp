#pragma once
// pocketsphinx restricted to a JSGF grammar of expected phrases, to check what a recording says
// (a grammar never rejects, so give it distractors: the right phrase winning is the evidence).
#include <cstdint>
#include <span>
#include <string>
#include <vector>

namespace va::test {

// `pcm`: 8 kHz mono; it is upsampled to the model's 16 kHz and led with silence. `phrases`:
// lower-case words from the model's dictionary. Returns the recognised phrase ("" for none).
std::string recognize_phrase(std::span<const std::int16_t> pcm, const std::vector<std::string>& phrases);

}  // namespace va::test
