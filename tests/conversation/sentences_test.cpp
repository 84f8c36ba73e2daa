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

TEST(SentenceSplitter, WhitespaceAloneIsNothingToSay) {
    SentenceSplitter s;
    EXPECT_EQ(all(s, {"  ", "\n", " "}), Pieces{});
}

}  // namespace
}  // namespace va::conversation
