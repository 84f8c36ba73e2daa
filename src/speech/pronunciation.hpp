#pragma once
// Pronunciations for words a recogniser's dictionary lacks (a practice's name, a surname), from
// espeak-ng's phonemizer, in the CMU dictionary's ARPAbet phones.
#include <optional>
#include <string>
#include <string_view>

namespace va::speech {

// espeak-ng's phoneme names for English, separated by '_' with stress marks ("b_r_'aI_t"), as
// ARPAbet without stress ("B R AY T"); nullopt when a name has no ARPAbet equivalent.
std::optional<std::string> arpabet_from_espeak(std::string_view phonemes);

// The word's pronunciation by espeak-ng's American English rules, in ARPAbet; nullopt when
// espeak-ng gives none that ARPAbet can spell. Throws std::runtime_error when espeak-ng cannot be
// loaded.
std::optional<std::string> pronounce(const std::string& word);

}  // namespace va::speech
