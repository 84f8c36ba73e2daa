#include "speech/context_lm.hpp"

#include <cctype>
#include <cmath>
#include <cstdio>
#include <map>

namespace va::speech {
namespace {

// What an observed word pair gives up to the unigram distribution (of a count of 1, half).
constexpr double kDiscount = 0.5;

std::string log10_text(double p) {
    char buffer[32];
    std::snprintf(buffer, sizeof buffer, "%.6f", std::log10(p));
    return buffer;
}

bool ends_sentence(char c) { return c == '.' || c == '!' || c == '?' || c == ';' || c == ':' || c == '\n' || c == '\r'; }

}  // namespace

std::vector<Sentence> context_sentences(std::string_view text) {
    std::vector<Sentence> sentences(1);
    std::string word;
    bool has_digit = false;
    auto end_word = [&](bool end_run) {
        while (!word.empty() && word.back() == '\'') word.pop_back();
        if (has_digit) end_run = true;
        else if (!word.empty()) sentences.back().push_back(word);
        word.clear();
        has_digit = false;
        if (end_run && !sentences.back().empty()) sentences.emplace_back();
    };
    for (std::size_t i = 0; i < text.size(); ++i) {
        const auto c = static_cast<unsigned char>(text[i]);
        if (std::isalpha(c)) {
            word += static_cast<char>(std::tolower(c));
        } else if (std::isdigit(c)) {
            has_digit = true;
        } else if (c == '\'' || text.substr(i, 3) == "\xE2\x80\x99") {  // ' or ’ inside a word
            if (!word.empty()) word += '\'';
            if (c != '\'') i += 2;
        } else if (c >= 0x80) {
            word += static_cast<char>(c);  // other UTF-8 letters, kept as they are
        } else {
            end_word(ends_sentence(static_cast<char>(c)));
        }
    }
    end_word(true);
    if (sentences.back().empty()) sentences.pop_back();
    return sentences;
}

std::string context_arpa(const std::vector<Sentence>& sentences) {
    std::map<std::string, double> unigrams;                     // word → count (</s> included)
    std::map<std::string, std::map<std::string, double>> pairs;  // history → next → count
    double tokens = 0;
    for (const auto& sentence : sentences) {
        if (sentence.empty()) continue;
        std::string previous = "<s>";
        for (std::size_t i = 0; i <= sentence.size(); ++i) {
            const std::string& word = i < sentence.size() ? sentence[i] : "</s>";
            ++unigrams[word];
            ++pairs[previous][word];
            ++tokens;
            previous = word;
        }
    }
    if (tokens == 0) return "";
    auto unigram = [&](const std::string& w) { return unigrams.at(w) / tokens; };
    // Interpolated: P(w|v) = max(c(v,w) - D, 0) / c(v) + bow(v) P(w), bow(v) = D * |followers of v| / c(v).
    std::map<std::string, double> backoff;
    std::size_t bigram_count = 0;
    for (const auto& [history, next] : pairs) {
        double total = 0;
        for (const auto& [w, n] : next) total += n;
        backoff[history] = kDiscount * static_cast<double>(next.size()) / total;
        bigram_count += next.size();
    }
    std::string arpa = "\\data\\\nngram 1=" + std::to_string(unigrams.size() + 1) + "\nngram 2=" +
                       std::to_string(bigram_count) + "\n\n\\1-grams:\n";
    arpa += "-99.000000 <s> " + log10_text(backoff.at("<s>")) + "\n";
    for (const auto& [w, n] : unigrams) {
        arpa += log10_text(unigram(w)) + " " + w;
        if (auto b = backoff.find(w); b != backoff.end()) arpa += " " + log10_text(b->second);
        arpa += "\n";
    }
    arpa += "\n\\2-grams:\n";
    for (const auto& [history, next] : pairs) {
        double total = 0;
        for (const auto& [w, n] : next) total += n;
        for (const auto& [w, n] : next)
            arpa += log10_text((n - kDiscount) / total + backoff.at(history) * unigram(w)) + " " + history + " " + w + "\n";
    }
    arpa += "\n\\end\\\n";
    return arpa;
}

}  // namespace va::speech
