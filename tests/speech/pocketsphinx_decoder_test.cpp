// One pocketsphinx decoder switching between grammars, as a decoder lent to call after call with
// its prompt's grammar does. Run under ASan (the debug preset), where a cache that touches a freed
// or moved entry is caught on the spot.
#include "speech/pocketsphinx_decoder.hpp"

#include <fstream>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "support/temp_dir.hpp"

namespace va::speech {
namespace {

const std::string kModel = "/usr/share/pocketsphinx/model/en-us";

std::string grammar(const std::string& words) {
    return "#JSGF V1.0;\ngrammar g;\npublic <answer> = " + words + ";\n";
}

class DecoderGrammars : public ::testing::Test {
protected:
    void SetUp() override {
        std::ofstream(dir_.file("base.gram")) << grammar("hello | goodbye");
        files_.hmm = model_.path().string();
        files_.dict = kModel + "/cmudict-en-us.dict";
        files_.jsgf = dir_.file("base.gram");
        files_.second_pass = false;
    }
    // An utterance of silence: the decoder still decodes with whatever search is set.
    static void decode_silence(PocketsphinxDecoder& decoder) {
        auto mean = phone_cepstral_mean();
        decoder.start(mean);
        decoder.process(std::vector<std::int16_t>(3200, 0));
        decoder.finish(mean);
    }
    test::TempDir dir_;
    PhoneAcousticModel model_{kModel + "/en-us"};
    DecoderFiles files_;
};

TEST_F(DecoderGrammars, OneGrammarReusedTwoHundredTimes) {
    PocketsphinxDecoder decoder(files_);
    const auto confirm = grammar("yes | no");
    for (int i = 0; i < 200; ++i) ASSERT_NO_THROW(decoder.use_grammar(confirm)) << "use " << i;
    EXPECT_NO_THROW(decode_silence(decoder));
}

TEST_F(DecoderGrammars, ThreeGrammarsAlternatedTwoHundredTimes) {
    PocketsphinxDecoder decoder(files_);
    const std::vector<std::string> grammars = {grammar("yes | no"), grammar("monday | tuesday"),
                                               grammar("morning | afternoon")};
    for (int i = 0; i < 200; ++i) {
        ASSERT_NO_THROW(decoder.use_grammar(grammars[static_cast<std::size_t>(i) % grammars.size()])) << "use " << i;
        if (i % 50 == 0) {
            ASSERT_NO_THROW(decode_silence(decoder));
        }
    }
    ASSERT_NO_THROW(decoder.use_grammar(""));  // back to the loaded search
    EXPECT_NO_THROW(decode_silence(decoder));
}

TEST_F(DecoderGrammars, MoreGrammarsThanKeptEvictTheOldestAndStillWork) {
    PocketsphinxDecoder decoder(files_);
    for (int i = 0; i < 40; ++i) {
        const auto g = grammar(i % 2 ? "yes | no | maybe" : "yes | no") + "// " + std::to_string(i) + "\n";
        ASSERT_NO_THROW(decoder.use_grammar(g)) << "grammar " << i;
        ASSERT_NO_THROW(decoder.use_grammar(grammar("yes | no")));  // a kept one, moved to the back
    }
    EXPECT_NO_THROW(decode_silence(decoder));
}

}  // namespace
}  // namespace va::speech
