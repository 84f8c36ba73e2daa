#include "sim/utterances.hpp"

#include <gtest/gtest.h>

namespace va::sim {
namespace {

Scenario scenario_of(std::string_view json) {
    auto parsed = parse_scenario(json);
    if (auto* e = std::get_if<ScenarioError>(&parsed)) ADD_FAILURE() << e->message;
    return std::get<Scenario>(std::move(parsed));
}

TEST(SimUtterances, ALengthIsTheVoicedPartsLength) {
    const auto scenario = scenario_of(R"({"default": {"script": [
        {"say": "uh-huh", "lengthMs": 150}, {"say": "uh-huh", "lengthMs": 800}, {"say": "uh-huh"}]}})");
    const auto utterances = render_utterances(scenario, ".");
    ASSERT_EQ(utterances.size(), 3u);  // the length is part of the key
    const auto& entry = scenario.defaults;
    const auto& short_one = utterances.at(audio_key(entry, entry.script[0]));
    const auto& long_one = utterances.at(audio_key(entry, entry.script[1]));
    EXPECT_NEAR(static_cast<double>(short_one.voiced.count()), 150, 50);
    EXPECT_NEAR(static_cast<double>(long_one.voiced.count()), 800, 160);
    // What is measured is the voice: silence before it, and it fits in the clip.
    for (const auto* u : {&short_one, &long_one}) {
        EXPECT_GT(u->level, 300.0);
        EXPECT_LE((u->lead + u->voiced).count(), static_cast<std::int64_t>(u->mulaw.size() / 8));
        ASSERT_FALSE(u->words.empty());
        EXPECT_LE(u->words.back().end.count(), static_cast<std::int64_t>(u->mulaw.size() / 8));
    }
    EXPECT_GT(speech_level(entry, utterances), 300.0);
}

TEST(SimUtterances, WordsComeWithTheirEnds) {
    const auto scenario = scenario_of(R"({"default": {"script": [{"say": "Wait, actually Tuesday does not work."}]}})");
    const auto utterances = render_utterances(scenario, ".");
    const auto& u = utterances.at(audio_key(scenario.defaults, scenario.defaults.script[0]));
    ASSERT_EQ(u.words.size(), 6u);
    EXPECT_EQ(u.words[0].text, "wait");
    EXPECT_EQ(u.words[5].text, "work");
    EXPECT_GT(u.words[0].end, u.lead);
}

TEST(SimUtterances, AMissingRecordingIsAnError) {
    const auto scenario = scenario_of(R"({"default": {"script": [{"wav": "no-such.wav"}]}})");
    EXPECT_THROW(render_utterances(scenario, "/nonexistent"), std::runtime_error);
}

}  // namespace
}  // namespace va::sim
