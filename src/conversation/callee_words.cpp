#include "conversation/callee_words.hpp"

#include <algorithm>
#include <array>
#include <cctype>
#include <span>
#include <string>
#include <vector>

namespace va::conversation {

namespace {

using Words = std::vector<std::string>;

// Lower case, split at anything but letters, digits, apostrophes and hyphens; "uh-huh" and
// "uh huh" are the same words.
Words words_of(std::string_view text) {
    Words out;
    std::string word;
    auto flush = [&] {
        if (!word.empty()) out.push_back(std::move(word));
        word.clear();
    };
    for (char c : text) {
        const auto u = static_cast<unsigned char>(c);
        if (std::isalnum(u) || c == '\'') {
            word += static_cast<char>(std::tolower(u));
        } else {
            flush();
        }
    }
    flush();
    return out;
}

// What people say to show they are listening, not to take the floor. Each entry is one phrase;
// an utterance is a backchannel when it is a run of them ("yeah okay", "uh huh right").
constexpr std::array kBackchannels = {
    "uh huh", "uh", "huh", "uhhuh", "mm hmm", "mmhmm", "mhm", "mm", "hmm", "hm", "mm hm", "um hum",
    "yeah", "yes", "yep", "yup", "ya", "okay", "ok", "right", "sure", "alright", "all right", "oh",
    "ah", "i see", "got it", "cool", "great", "good", "uh yeah", "oh okay", "that's right",
};

// Words that ask for the floor however few they are: a callee who says only these wants the agent
// to stop.
constexpr std::array kFloorWords = {
    "wait", "stop", "no", "nope", "sorry", "excuse", "pardon", "hold", "hang", "actually", "what",
    "hello", "hey", "but", "repeat",
};

// A complete short answer: the whole utterance is one of these.
constexpr std::array kShortAnswers = {
    "yes", "no", "yeah", "yep", "nope", "sure", "okay", "ok", "right", "correct", "exactly", "absolutely",
    "definitely", "that works", "that's fine", "that's right", "that's correct", "sounds good", "no thanks",
    "no thank you", "yes please", "thank you", "thanks", "perfect", "great", "fine", "bye", "goodbye",
    "of course", "not really", "i don't know", "that's all",
};

// A turn that ends on one of these is not over: a conjunction, a filler, or a phrase cut off
// before its noun or verb.
constexpr std::array kUnfinishedEndings = {
    // conjunctions
    "and", "or", "but", "because", "so", "then", "if", "when", "while", "although",
    // fillers
    "um", "uh", "er", "erm", "hmm", "like", "well", "mean",
    // cut off: articles, prepositions, possessives, subjects, auxiliaries
    "the", "a", "an", "to", "of", "for", "with", "in", "on", "at", "from", "about", "into", "by",
    "my", "your", "our", "their", "his", "her", "its", "i", "we", "they", "he", "she", "i'm", "i'd",
    "i'll", "we're", "we'd", "is", "are", "was", "were", "be", "am", "will", "would", "could",
    "should", "can", "do", "does", "did", "have", "has", "had", "maybe", "think", "guess",
};

// A question, by how it starts (recognisers give no question marks).
constexpr std::array kQuestionStarts = {
    "what", "who", "when", "where", "why", "how", "which", "can", "could", "would", "will", "do",
    "does", "did", "is", "are", "should", "may", "shall",
};

struct Rule {
    int percent_of_base;
};
constexpr Rule kUnfinished{250};
constexpr Rule kShortAnswer{50};
constexpr Rule kQuestion{50};
constexpr std::size_t kLongestShortAnswer = 4;
constexpr std::size_t kShortestQuestion = 3;

template <std::size_t N>
std::vector<Words> phrases(const std::array<const char*, N>& table) {
    std::vector<Words> out;
    for (const char* phrase : table) out.push_back(words_of(phrase));
    return out;
}

template <std::size_t N>
bool one_of(const std::string& word, const std::array<const char*, N>& table) {
    return std::find(table.begin(), table.end(), word) != table.end();
}

// Whether `words` is a run of backchannel phrases, the last of which may be unfinished.
bool only_backchannels(const Words& words) {
    static const auto known = phrases(kBackchannels);
    std::size_t at = 0;
    while (at < words.size()) {
        const std::size_t left = words.size() - at;
        std::size_t matched = 0;
        bool could_continue = false;
        for (const auto& phrase : known) {
            const std::size_t n = std::min(phrase.size(), left);
            if (!std::equal(phrase.begin(), phrase.begin() + static_cast<std::ptrdiff_t>(n),
                            words.begin() + static_cast<std::ptrdiff_t>(at)))
                continue;
            if (n == phrase.size()) matched = std::max(matched, n);
            else could_continue = true;  // the words so far begin this phrase
        }
        if (matched == 0) return could_continue;
        at += matched;
    }
    return true;
}

bool is_short_answer(const Words& words) {
    static const auto known = phrases(kShortAnswers);
    return words.size() <= kLongestShortAnswer && std::find(known.begin(), known.end(), words) != known.end();
}

}  // namespace

OverAgent over_agent(std::string_view text, std::size_t min_words) {
    const auto words = words_of(text);
    if (words.empty()) return OverAgent::unknown;
    if (only_backchannels(words)) return OverAgent::backchannel;
    const bool asks = std::any_of(words.begin(), words.end(), [](const std::string& w) { return one_of(w, kFloorWords); });
    return asks || words.size() >= min_words ? OverAgent::more : OverAgent::unknown;
}

milliseconds end_of_turn(std::string_view text, milliseconds base) {
    const auto words = words_of(text);
    if (words.empty()) return base;
    auto scaled = [base](Rule rule) { return base * rule.percent_of_base / 100; };
    if (one_of(words.back(), kUnfinishedEndings)) return scaled(kUnfinished);
    if (is_short_answer(words)) return scaled(kShortAnswer);
    if (words.size() >= kShortestQuestion && one_of(words.front(), kQuestionStarts)) return scaled(kQuestion);
    return base;
}

std::string expected_words(std::string_view prompt, std::string_view greeting) {
    std::string out = std::string(prompt) + "\n" + std::string(greeting) + "\n";
    for (const auto& table : {std::span<const char* const>(kBackchannels), std::span<const char* const>(kShortAnswers)})
        for (const char* phrase : table) out.append(phrase).append("\n");
    return out;
}

}  // namespace va::conversation
