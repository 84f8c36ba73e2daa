// One pocketsphinx decoder switching between grammars, as a decoder lent to call after call with
// its prompt's grammar does. Run under ASan (the debug preset), where a cache that touches a freed
// or moved entry is caught on the spot.
#include "speech/pocketsphinx_decoder.hpp"

#include "speech/context_lm.hpp"

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

// The generic language model with call models coming and going, as calls of many prompts bring
// them: a model evicted while another shares the generic one must not free it (ASan).
TEST(DecoderVocabularies, CallModelsComeAndGoBesideGrammarsAndTheGenericModel) {
    PhoneAcousticModel model(kModel + "/en-us");
    DecoderFiles files;
    files.hmm = model.path().string();
    files.dict = kModel + "/cmudict-en-us.dict";
    files.lm = kModel + "/en-us.lm.bin";
    files.second_pass = false;
    PocketsphinxDecoder decoder(files);
    auto decode_silence = [&] {
        auto mean = phone_cepstral_mean();
        decoder.start(mean);
        decoder.process(std::vector<std::int16_t>(3200, 0));
        return decoder.finish(mean);
    };
    for (int i = 0; i < 17; ++i) {  // one more than a decoder keeps, beside the grammar
        const auto arpa = context_arpa(context_sentences("Book with Doctor Okonkwo. Offer slot " + std::string(1, static_cast<char>('a' + i))));
        const CallVocabulary vocabulary{.arpa = arpa,
                                        .words = {"book", "with", "doctor", "okonkwo", "offer", "slot"},
                                        .new_words = {{"okonkwo", "AA K AO NG K W OW"}}};
        ASSERT_NO_THROW(decoder.use_vocabulary(vocabulary)) << "model " << i;
        ASSERT_NO_THROW(decode_silence());
        ASSERT_NO_THROW(decoder.use_grammar(grammar("yes | no")));
        ASSERT_NO_THROW(decoder.use_vocabulary({}));  // the generic model alone
    }
    ASSERT_NO_THROW(decode_silence());
    // A pronunciation the acoustic model cannot say leaves the decoder as it was.
    EXPECT_THROW(decoder.use_vocabulary({.arpa = context_arpa({{"zyx"}}), .words = {"zyx"}, .new_words = {{"zyx", "QQ XX"}}}),
                 std::runtime_error);
    EXPECT_NO_THROW(decode_silence());
}

TEST_F(DecoderGrammars, ADecoderLoadedWithAGrammarRefusesACallModel) {
    PocketsphinxDecoder decoder(files_);
    EXPECT_THROW(decoder.use_vocabulary({.arpa = context_arpa({{"yes"}})}), std::runtime_error);
    EXPECT_NO_THROW(decode_silence(decoder));
}

}  // namespace
}  // namespace va::speech
