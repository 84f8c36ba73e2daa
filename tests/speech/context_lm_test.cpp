// The call's own language model: its words, and a bigram model whose probabilities add up.
#include "speech/context_lm.hpp"

#include <cmath>
#include <map>
#include <sstream>

#include <gtest/gtest.h>

namespace va::speech {
namespace {

TEST(ContextSentences, SplitsSentencesAndKeepsWordsAsADictionarySpellsThem) {
    EXPECT_EQ(context_sentences("Hello, this is Bright Smile Dental! I'd like... Uh-huh; Dr. O’Neil\nnext line"),
              (std::vector<Sentence>{{"hello", "this", "is", "bright", "smile", "dental"},
                                     {"i'd", "like"},
                                     {"uh", "huh"},
                                     {"dr"},
                                     {"o'neil"},
                                     {"next", "line"}}));
}

TEST(ContextSentences, ATokenWithADigitEndsTheRunAndNothingElseIsLost) {
    EXPECT_EQ(context_sentences("offer 10:30 or tomorrow at ten, room 4b please"),
              (std::vector<Sentence>{{"offer"}, {"or", "tomorrow", "at", "ten", "room"}, {"please"}}));
    EXPECT_TRUE(context_sentences(" 42 ... ,, ").empty());
    EXPECT_EQ(context_arpa({}), "");
}

// The ARPA text read back: unigram and bigram log10 probabilities, backoff weights.
struct Arpa {
    std::map<std::string, double> p1, bow;
    std::map<std::pair<std::string, std::string>, double> p2;
    double p(const std::string& v, const std::string& w) const {
        if (auto it = p2.find({v, w}); it != p2.end()) return std::pow(10.0, it->second);
        return std::pow(10.0, bow.at(v) + p1.at(w));
    }
};

Arpa parse(const std::string& text) {
    Arpa arpa;
    std::istringstream in(text);
    int section = 0;
    for (std::string line; std::getline(in, line);) {
        if (line == "\\1-grams:") section = 1;
        else if (line == "\\2-grams:") section = 2;
        else if (line.empty() || line[0] == '\\' || line.rfind("ngram", 0) == 0) continue;
        else {
            std::istringstream fields(line);
            double logp = 0, bow = 0;
            std::string a, b;
            fields >> logp >> a;
            if (section == 1) {
                arpa.p1[a] = logp;
                if (fields >> bow) arpa.bow[a] = bow;
            } else {
                fields >> b;
                arpa.p2[{a, b}] = logp;
            }
        }
    }
    return arpa;
}

TEST(ContextArpa, EveryHistorysNextWordsAddUpToOne) {
    const auto arpa = parse(context_arpa(context_sentences("Offer tomorrow at ten. Tomorrow at three works. Yes.")));
    ASSERT_EQ(arpa.p1.size(), 9u);  // <s>, </s> and 7 words
    for (const auto& [history, bow] : arpa.bow) {
        double total = 0;
        for (const auto& [w, logp] : arpa.p1)
            if (w != "<s>") total += arpa.p(history, w);
        EXPECT_NEAR(total, 1.0, 1e-4) << "after " << history;
    }
    double unigrams = 0;
    for (const auto& [w, logp] : arpa.p1)
        if (w != "<s>") unigrams += std::pow(10.0, logp);
    EXPECT_NEAR(unigrams, 1.0, 1e-4);
    // A pair the text has is likelier than a word after a history that never preceded it.
    EXPECT_GT(arpa.p("tomorrow", "at"), 0.5);
    EXPECT_GT(arpa.p("tomorrow", "at"), 5 * arpa.p("works", "at"));
}

}  // namespace
}  // namespace va::speech
