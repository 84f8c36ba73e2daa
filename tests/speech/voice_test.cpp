#include "speech/voice.hpp"

#include <gtest/gtest.h>

namespace va::speech {
namespace {

TEST(ParseVoice, AcceptsTheLinkedFliteVoices) {
    for (const char* name : {"rms", "awb", "slt", "kal"}) {
        auto voice = parse_voice(std::string("flite:") + name);
        ASSERT_TRUE(voice) << name;
        EXPECT_EQ(voice->engine, Engine::flite);
        EXPECT_EQ(voice->name, name);
        EXPECT_EQ(voice->words_per_minute, 0);
    }
}

TEST(ParseVoice, AcceptsAnyWellFormedEspeakName) {
    for (const char* name : {"en-us", "en", "en+f3", "mb-en1", "gmw/en-GB-x-rp", "whatever"}) {
        auto voice = parse_voice(std::string("espeak:") + name);
        ASSERT_TRUE(voice) << name;
        EXPECT_EQ(voice->engine, Engine::espeak);
        EXPECT_EQ(voice->name, name);
    }
}

TEST(ParseVoice, RejectsMalformedSpecs) {
    for (const char* spec : {"", "rms", "flite", "flite:", "flite:kal16", "flite:RMS", "Flite:rms", "festival:rms",
                             "espeak:", "espeak:en us", "espeak:../../etc/passwd", ":rms", "flite:rms:x"}) {
        EXPECT_FALSE(parse_voice(spec)) << spec;
    }
}

TEST(ParseVoice, DefaultVoiceIsFliteRms) {
    Voice voice;
    EXPECT_EQ(voice.engine, Engine::flite);
    EXPECT_EQ(voice.name, "rms");
    EXPECT_EQ(to_string(voice), "flite:rms");
}

TEST(ParseVoice, ToStringIsTheInverse) {
    for (const char* spec : {"flite:kal", "espeak:en-us"}) EXPECT_EQ(to_string(*parse_voice(spec)), spec);
}

}  // namespace
}  // namespace va::speech
