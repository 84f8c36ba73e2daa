#include "conversation/sentences.hpp"

#include <algorithm>
#include <array>
#include <cctype>

namespace va::conversation {

namespace {

constexpr std::size_t kLongClause = 120;  // characters; past this a comma ends a piece
constexpr std::size_t kOpening = 32;      // characters; an answer's first clause up to this is a piece

// "Dr. Smith" and "e.g. this" do not end a sentence.
bool abbreviation_before(std::string_view text, std::size_t dot) {
    static constexpr std::array<std::string_view, 12> kShort = {"mr", "mrs", "ms", "dr", "st", "vs",
                                                                "e.g", "i.e", "etc", "no", "jr", "sr"};
    std::size_t start = dot;
    while (start > 0 && !std::isspace(static_cast<unsigned char>(text[start - 1]))) --start;
    std::string word(text.substr(start, dot - start));
    std::transform(word.begin(), word.end(), word.begin(), [](unsigned char c) { return std::tolower(c); });
    if (word.size() == 1 && std::isalpha(static_cast<unsigned char>(word[0]))) return true;  // an initial
    return std::find(kShort.begin(), kShort.end(), word) != kShort.end();
}

std::string trimmed(std::string_view text) {
    auto first = text.find_first_not_of(" \t\r\n");
    if (first == std::string_view::npos) return {};
    auto last = text.find_last_not_of(" \t\r\n");
    return std::string(text.substr(first, last - first + 1));
}

}  // namespace

std::vector<std::string> SentenceSplitter::push(std::string_view delta) {
    std::vector<std::string> out;
    pending_ += delta;
    std::size_t from = 0;
    for (std::size_t i = 0; i + 1 < pending_.size(); ++i) {
        const char c = pending_[i];
        const bool space_next = std::isspace(static_cast<unsigned char>(pending_[i + 1])) != 0;
        bool cut = false;
        if (c == '\n') {
            cut = true;
        } else if ((c == '.' || c == '!' || c == '?') && space_next) {
            cut = c != '.' || !abbreviation_before(pending_, i);
        } else if ((c == ',' || c == ';' || c == ':') && space_next) {
            cut = i - from >= kLongClause || (!opened_ && i - from <= kOpening);
        }
        if (!cut) continue;
        if (auto piece = trimmed(std::string_view(pending_).substr(from, i + 1 - from)); !piece.empty()) {
            out.push_back(std::move(piece));
            opened_ = true;
        }
        from = i + 1;
    }
    pending_.erase(0, from);
    return out;
}

std::vector<std::string> SentenceSplitter::flush() {
    std::vector<std::string> out;
    if (auto piece = trimmed(pending_); !piece.empty()) out.push_back(std::move(piece));
    pending_.clear();
    opened_ = false;
    return out;
}

}  // namespace va::conversation
