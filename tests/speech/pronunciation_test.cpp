// Pronunciations for words the dictionary lacks: espeak-ng's phonemes in ARPAbet.
#include "speech/pronunciation.hpp"

#include <set>
#include <sstream>

#include <gtest/gtest.h>

namespace va::speech {
namespace {

TEST(ArpabetFromEspeak, MapsPhonemesAndDropsStress) {
    EXPECT_EQ(arpabet_from_espeak("b_r_'aI_t"), "B R AY T");
    EXPECT_EQ(arpabet_from_espeak("tS_'E_k_V_p"), "CH EH K AH P");
    EXPECT_EQ(arpabet_from_espeak("k_'e@"), "K EH R");  // an r-coloured vowel is two phones
    EXPECT_EQ(arpabet_from_espeak("b_'V_?_n-"), "B AH T N");
}

TEST(ArpabetFromEspeak, AnUnknownPhonemeOrNothingIsNoPronunciation) {
    EXPECT_EQ(arpabet_from_espeak("b_'Q_t"), std::nullopt);
    EXPECT_EQ(arpabet_from_espeak(""), std::nullopt);
    EXPECT_EQ(arpabet_from_espeak("'_,"), std::nullopt);
}

// The phones of the acoustic model (CMU's 39): a pronunciation outside them cannot be added.
std::set<std::string> model_phones() {
    return {"AA", "AE", "AH", "AO", "AW", "AY", "B",  "CH", "D",  "DH", "EH", "ER", "EY",
                                 "F",  "G",  "HH", "IH", "IY", "JH", "K",  "L",  "M",  "N",  "NG", "OW", "OY",
                                 "P",  "R",  "S",  "SH", "T",  "TH", "UH", "UW", "V",  "W",  "Y",  "Z",  "ZH"};
}

TEST(Pronounce, NamesTheDictionaryLacksGetPhonesTheModelHas) {
    const auto phones = model_phones();
    for (const char* word : {"okonkwo", "brightsmile", "adebayo", "lindqvist"}) {
        const auto pronunciation = pronounce(word);
        ASSERT_TRUE(pronunciation) << word;
        std::istringstream in(*pronunciation);
        for (std::string phone; in >> phone;) EXPECT_TRUE(phones.contains(phone)) << word << ": " << phone;
    }
    EXPECT_EQ(pronounce("bright"), "B R AY T");  // as the dictionary has it
}

}  // namespace
}  // namespace va::speech
