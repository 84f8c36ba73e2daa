// The deployment's voices: made once, refusals remembered, and after a restart made from the
// stored prompts before any call needs them.
#include "app/voice_library.hpp"

#include <gtest/gtest.h>

#include "store/sqlite/sqlite_store.hpp"
#include "support/temp_dir.hpp"

namespace va::app {
namespace {

store::Prompt prompt(int n, const std::string& voice) {
    store::Prompt p;
    p.id = "prompt-" + std::to_string(n);
    p.name = "Prompt " + std::to_string(n);
    p.content = "You remind people of their appointment.";
    p.conversation.tts_voice = voice;
    return p;
}

class VoiceLibraryTest : public ::testing::Test {
protected:
    test::TempDir dir_;
    std::unique_ptr<store::sqlite::SqliteStore> store_ = store::sqlite::SqliteStore::open(dir_.file("store.db"));
    AgentConfig config_;
    VoiceLibrary voices_{"espeak:en", config_};
};

TEST_F(VoiceLibraryTest, WarmMakesEveryVoiceTheStoredPromptsAskFor) {
    // More prompts than one page of the store holds, the last voice on the second page.
    for (int n = 0; n < 230; ++n) {
        const char* voice = n == 3 ? "flite:slt" : n == 7 ? "espeak:en" : n == 229 ? "espeak:en-us" : "";
        store_->prompts().create(prompt(n, voice));
    }
    EXPECT_EQ(voices_.warm(*store_), 3u);
    EXPECT_EQ(voices_.made(), 2u) << "espeak:en is the library's own voice";
    EXPECT_EQ(voices_.get("espeak:en-us").name(), "espeak:en-us");
    EXPECT_EQ(voices_.get("flite:slt").name(), "flite:slt");
    EXPECT_EQ(voices_.made(), 2u) << "nothing made on use";
}

TEST_F(VoiceLibraryTest, AVoiceThatCannotBeMadeIsRefusedWithItsReasonAndTheCallsSpeakWithTheOwnVoice) {
    // Stored before this deployment lost the voice (the API refuses it now).
    store_->prompts().create(prompt(1, "espeak:no-such-voice"));
    EXPECT_EQ(voices_.warm(*store_), 1u);
    EXPECT_EQ(voices_.made(), 0u);
    const auto reason = voices_.check("espeak:no-such-voice");
    ASSERT_TRUE(reason);
    EXPECT_NE(reason->find("no-such-voice"), std::string::npos) << *reason;
    EXPECT_EQ(voices_.check("espeak:no-such-voice"), reason);
    EXPECT_EQ(&voices_.get("espeak:no-such-voice"), &voices_.get(""));
    EXPECT_EQ(voices_.get("").name(), "espeak:en");
}

TEST_F(VoiceLibraryTest, ACloudVoiceIdWithADotSegmentIsRefused) {
    config_.elevenlabs_api_key = "key";
    for (const auto* spec : {"elevenlabs:..", "elevenlabs:.", "elevenlabs:a/../b", "elevenlabs:v1%2F..", "openai:..",
                             "openai:alloy?x=1"}) {
        SCOPED_TRACE(spec);
        try {
            make_voice(spec, config_);
            ADD_FAILURE() << "accepted";
        } catch (const std::invalid_argument& e) {
            EXPECT_NE(std::string(e.what()).find("letters, digits"), std::string::npos) << e.what();
        }
    }
    EXPECT_EQ(make_voice("elevenlabs:21m00Tcm4TlvDq8ikWAM", config_)->name(), "elevenlabs:21m00Tcm4TlvDq8ikWAM");
    EXPECT_EQ(make_voice("openai:alloy", config_)->name(), "openai:alloy");
}

}  // namespace
}  // namespace va::app
