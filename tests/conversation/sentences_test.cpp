#include "conversation/sentences.hpp"

#include <gtest/gtest.h>

namespace va::conversation {
namespace {

using Pieces = std::vector<std::string>;

Pieces all(SentenceSplitter& s, const Pieces& deltas) {
    Pieces out;
    for (const auto& d : deltas) {
        auto p = s.push(d);
        out.insert(out.end(), p.begin(), p.end());
    }
    auto rest = s.flush();
    out.insert(out.end(), rest.begin(), rest.end());
    return out;
}

TEST(SentenceSplitter, ASentenceIsOutOnceTheSpaceAfterItArrives) {
    SentenceSplitter s;
    EXPECT_EQ(s.push("Hello there."), Pieces{});
    EXPECT_EQ(s.push(" How"), Pieces{"Hello there."});
    EXPECT_EQ(s.push(" are you?"), Pieces{});
    EXPECT_EQ(s.flush(), Pieces{"How are you?"});
    EXPECT_EQ(s.flush(), Pieces{});
}

TEST(SentenceSplitter, TokenBoundariesDoNotMatter) {
    const std::string text = "Yes! Dr. Smith sees you at 3.30 on Monday. Is that fine?\nGreat.";
    const Pieces expected{"Yes!", "Dr. Smith sees you at 3.30 on Monday.", "Is that fine?", "Great."};
    for (std::size_t cut = 1; cut < text.size(); ++cut) {
        SentenceSplitter s;
        EXPECT_EQ(all(s, {text.substr(0, cut), text.substr(cut)}), expected) << cut;
    }
    SentenceSplitter s;
    Pieces chars;
    for (char c : text) chars.emplace_back(1, c);
    EXPECT_EQ(all(s, chars), expected);
}

TEST(SentenceSplitter, AVeryLongSentenceIsCutAtAComma) {
    SentenceSplitter s;
    const std::string clause(130, 'a');
    const auto pieces = all(s, {clause + ", and then more words follow here."});
    ASSERT_EQ(pieces.size(), 2u);
    EXPECT_EQ(pieces[0], clause + ",");
}

// The opening is out as soon as its comma is, so it is spoken (and, with many answers due at
// once, synthesised) ahead of the rest; only the first clause, and only a short one.
TEST(SentenceSplitter, AnAnswersShortOpeningIsAPieceOfItsOwn) {
    SentenceSplitter s;
    EXPECT_EQ(s.push("Sure, I can"), Pieces{"Sure,"});
    EXPECT_EQ(all(s, {" move it, if you like. Then, we are done, 1,000 times."}),
              (Pieces{"I can move it, if you like.", "Then, we are done, 1,000 times."}));
    EXPECT_EQ(all(s, {"I am sorry to hear that, we can look at next week."}),
              (Pieces{"I am sorry to hear that,", "we can look at next week."}))
        << "the next answer has an opening again";
    EXPECT_EQ(all(s, {"Let me look at the calendar for you, it will take a moment."}),
              Pieces{"Let me look at the calendar for you, it will take a moment."})
        << "a long first clause stays with its sentence";
    EXPECT_EQ(all(s, {"We have 1,000 slots, all free."}), (Pieces{"We have 1,000 slots,", "all free."}));
}

TEST(SentenceSplitter, WhitespaceAloneIsNothingToSay) {
    SentenceSplitter s;
    EXPECT_EQ(all(s, {"  ", "\n", " "}), Pieces{});
}

}  // namespace
}  // namespace va::conversation
