#pragma once
// What the callee's words (the recogniser's interim or final words of one utterance) say about
// the turn: whether speech over the agent's voice is only a backchannel ("uh-huh", "okay") or
// more, and how much silence ends the turn after them. Table driven (callee_words.cpp); the
// recogniser's words come lower-cased or not, with or without punctuation.
#include <chrono>
#include <string>
#include <string_view>

namespace va::conversation {

using std::chrono::milliseconds;

enum class OverAgent {
    unknown,      // no words yet, or too few to tell
    backchannel,  // every word so far belongs to a backchannel ("uh huh", "yeah okay", "got")
    more,         // something a backchannel does not say: the callee takes the floor
};
// `min_words`: words that are not a backchannel take the floor once there are this many, or at
// once when one of them asks for it ("wait", "no", "sorry", "excuse me", "what"); fewer are an
// aside, as a misheard "uh-huh" is ("you have"). 1: any word that is not a backchannel.
OverAgent over_agent(std::string_view words, std::size_t min_words = 1);

// The silence that ends the callee's turn after `words`: longer after a trailing conjunction, a
// filler or a cut-off phrase ("and", "um", "I'd like the"), shorter after a complete short answer
// or a question ("yes", "that works", "can you hear me"), else `base` (the prompt's endOfTurnMs).
milliseconds end_of_turn(std::string_view words, milliseconds base);

// What a recogniser should expect to hear on a call (SttOptions::context): the prompt, the
// greeting, then the backchannels and complete short answers any callee may say, a phrase a line.
std::string expected_words(std::string_view prompt, std::string_view greeting);

}  // namespace va::conversation
