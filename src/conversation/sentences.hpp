#pragma once
// Cuts an LLM's streamed text into pieces to speak: whole sentences as soon as their end is
// certain (the punctuation and the space after it have arrived), so the first words go to the
// TTS while the model is still writing the rest. A very long sentence is cut at a comma, and so
// is the answer's opening ("Sure,", "Of course,"): it is spoken while the model writes on, and
// when many answers are due at once their openings are synthesised before anyone's whole
// sentence (the TTS takes pieces in the order they come).
#include <string>
#include <string_view>
#include <vector>

namespace va::conversation {

class SentenceSplitter {
public:
    // Adds streamed text; returns the pieces it completed, in order (trimmed, never empty).
    std::vector<std::string> push(std::string_view delta);
    // The end of the answer: what is left, if anything.
    std::vector<std::string> flush();

private:
    std::string pending_;
    bool opened_ = false;  // a piece is out: no more opening to cut
};

}  // namespace va::conversation
