#include "speech/pronunciation.hpp"

#include <map>

#include "speech/engines.hpp"

namespace va::speech {
namespace {

// espeak-ng's English phoneme names (phsource/ph_english, en-us) → ARPAbet. Diphthongs with an r
// colouring become two phones ("e@" care → EH R); a glottal stop is the t it stands for.
const std::map<std::string_view, std::string_view>& espeak_to_arpabet() {
    static const std::map<std::string_view, std::string_view> table{
        // vowels
        {"a", "AE"}, {"aa", "AE"}, {"a#", "AH"}, {"A:", "AA"}, {"A", "AA"}, {"0", "AA"}, {"A@", "AA R"},
        {"@", "AH"}, {"@2", "AH"}, {"@5", "AH"}, {"@L", "AH L"}, {"@r", "ER"}, {"V", "AH"},
        {"3", "ER"}, {"3:", "ER"}, {"e", "EH"}, {"E", "EH"}, {"e@", "EH R"}, {"eI", "EY"},
        {"i", "IY"}, {"i:", "IY"}, {"i@", "IY AH"}, {"i@3", "IH R"}, {"I", "IH"}, {"I2", "IH"}, {"I#", "IH"},
        {"O", "AO"}, {"O:", "AO"}, {"O2", "AO"}, {"O@", "AO R"}, {"o@", "AO R"}, {"OI", "OY"}, {"oU", "OW"},
        {"U", "UH"}, {"U@", "UH R"}, {"u:", "UW"}, {"aI", "AY"}, {"aI@", "AY ER"}, {"aI3", "AY ER"},
        {"aU", "AW"}, {"aU@", "AW ER"},
        // consonants
        {"p", "P"}, {"b", "B"}, {"t", "T"}, {"t#", "T"}, {"d", "D"}, {"k", "K"}, {"g", "G"}, {"?", "T"},
        {"f", "F"}, {"v", "V"}, {"T", "TH"}, {"D", "DH"}, {"s", "S"}, {"z", "Z"}, {"S", "SH"}, {"Z", "ZH"},
        {"h", "HH"}, {"m", "M"}, {"n", "N"}, {"n-", "N"}, {"N", "NG"}, {"l", "L"}, {"l-", "L"},
        {"r", "R"}, {"r-", "R"}, {"j", "Y"}, {"w", "W"}, {"tS", "CH"}, {"dZ", "JH"}, {"x", "K"},
    };
    return table;
}

}  // namespace

std::optional<std::string> arpabet_from_espeak(std::string_view phonemes) {
    std::string out;
    while (!phonemes.empty()) {
        const auto sep = phonemes.find_first_of("_ ");
        std::string_view name = phonemes.substr(0, sep);
        phonemes = sep == std::string_view::npos ? std::string_view{} : phonemes.substr(sep + 1);
        while (!name.empty() && (name.front() == '\'' || name.front() == ',')) name.remove_prefix(1);  // stress
        if (name.empty()) continue;
        const auto found = espeak_to_arpabet().find(name);
        if (found == espeak_to_arpabet().end()) return std::nullopt;
        if (!out.empty()) out += ' ';
        out += found->second;
    }
    if (out.empty()) return std::nullopt;
    return out;
}

std::optional<std::string> pronounce(const std::string& word) { return arpabet_from_espeak(espeak_phonemes(word)); }

}  // namespace va::speech
