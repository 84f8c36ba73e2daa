#pragma once
// A call's own words (its prompt, its greeting, what callees say over an agent) as a small bigram
// language model in ARPA text. A recogniser interpolates it with its generic model: the words and
// word pairs a call is about become likely, and every word of the generic model stays possible.
#include <string>
#include <string_view>
#include <vector>

namespace va::speech {

using Sentence = std::vector<std::string>;

// The text's sentences (split at . ! ? ; : and line breaks) as lower-case words. Hyphens and other
// punctuation split words ("uh-huh" is "uh huh"); apostrophes inside a word stay ("i'd"). A token
// with a digit in it ends the run of words: a pronunciation dictionary spells numbers as words.
std::vector<Sentence> context_sentences(std::string_view text);

// The interpolated absolute-discounting bigram model of `sentences`, with <s> and </s>, in ARPA
// format (log10 probabilities); "" when they hold no word. Its vocabulary is closed: a word it
// has not seen gets its probability from the model it is interpolated with.
std::string context_arpa(const std::vector<Sentence>& sentences);

}  // namespace va::speech
