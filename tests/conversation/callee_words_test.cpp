#include "conversation/callee_words.hpp"

#include <gtest/gtest.h>

namespace va::conversation {
namespace {

using namespace std::chrono_literals;

TEST(CalleeWords, OverTheAgentABackchannelIsOnlyABackchannel) {
    struct Case {
        const char* words;
        OverAgent is;
    };
    for (const auto& c : std::initializer_list<Case>{
             {"", OverAgent::unknown},
             {" , ", OverAgent::unknown},
             {"uh-huh", OverAgent::backchannel},
             {"Uh huh.", OverAgent::backchannel},
             {"mm hmm", OverAgent::backchannel},
             {"yeah", OverAgent::backchannel},
             {"okay", OverAgent::backchannel},
             {"yeah okay right", OverAgent::backchannel},
             {"sure", OverAgent::backchannel},
             {"i", OverAgent::backchannel},       // could still be "i see": wait for the next word
             {"i see", OverAgent::backchannel},
             {"got", OverAgent::backchannel},     // "got it"
             {"i'm", OverAgent::more},
             {"i think", OverAgent::more},
             {"wait", OverAgent::more},
             {"okay wait", OverAgent::more},       // a backchannel, then the floor
             {"yeah but", OverAgent::more},
             {"no", OverAgent::more},              // not a backchannel: it disagrees
             {"the blood", OverAgent::more},
             {"sorry can i ask", OverAgent::more},
         }) {
        EXPECT_EQ(over_agent(c.words), c.is) << '"' << c.words << '"';
    }
}

// A recogniser that mishears "uh-huh" as other words needs more of them before the callee is
// taken to want the floor, unless a word asks for it.
TEST(CalleeWords, WithAMinimumOfWordsFewerAreAnAsideUnlessTheyAskForTheFloor) {
    struct Case {
        const char* words;
        OverAgent is;
    };
    for (const auto& c : std::initializer_list<Case>{
             {"uh huh", OverAgent::backchannel},
             {"the blood", OverAgent::unknown},       // a misheard "uh-huh"
             {"bride", OverAgent::unknown},           // a misheard "sure"
             {"thursday works", OverAgent::unknown},
             {"the blood is", OverAgent::more},       // three words: the callee is talking
             {"wait", OverAgent::more},
             {"no", OverAgent::more},
             {"Sorry,", OverAgent::more},
             {"excuse me", OverAgent::more},
             {"hold on", OverAgent::more},
             {"what", OverAgent::more},
             {"okay but", OverAgent::more},
         }) {
        EXPECT_EQ(over_agent(c.words, 3), c.is) << '"' << c.words << '"';
    }
}

TEST(CalleeWords, TheSilenceThatEndsATurnDependsOnItsLastWords) {
    struct Case {
        const char* words;
        std::chrono::milliseconds silence;
    };
    for (const auto& c : std::initializer_list<Case>{
             {"", 600ms},
             {"yes", 300ms},
             {"Yes.", 300ms},
             {"that works", 300ms},
             {"no thanks", 300ms},
             {"thank you", 300ms},
             {"can you hear me", 300ms},               // a question
             {"what time is it", 300ms},
             {"i'd like the", 1500ms},                 // cut off
             {"tuesday and", 1500ms},                  // a trailing conjunction
             {"let me see um", 1500ms},                // a filler
             {"can i ask about the", 1500ms},          // a question cut off is cut off
             {"my husband usually drives me", 600ms},  // complete, not short: the base
             {"yes i would like to book the morning appointment please", 600ms},
         }) {
        EXPECT_EQ(end_of_turn(c.words, 600ms), c.silence) << '"' << c.words << '"';
    }
    EXPECT_EQ(end_of_turn("yes", 800ms), 400ms);  // scaled from the prompt's endOfTurnMs
    EXPECT_EQ(end_of_turn("and", 800ms), 2000ms);
}

}  // namespace
}  // namespace va::conversation
