#pragma once
// How the agent takes turns, yields the floor and gives up on silence. Chosen per deployment
// (serve flags); a prompt can override most of it (store::ConversationOverrides).
#include <chrono>
#include <string>

#include "store/model.hpp"

namespace va::conversation {

using std::chrono::milliseconds;

struct TurnSettings {
    milliseconds min_speech{200};    // speech shorter than this is noise, not a turn
    milliseconds end_silence{600};   // this much silence after speech ends the callee's turn
    milliseconds max_turn{30'000};   // a turn this long ends even without a pause
    milliseconds preroll{200};       // audio before the VAD's onset handed to the STT with the turn
};

struct BargeInSettings {
    bool enabled = true;
    // Speech over the agent interrupts it as soon as its interim words are more than a backchannel
    // (callee_words.hpp); words that are only a backchannel never do. This much voice interrupts
    // (a run of it, TurnDetector::voice_run) while the words have said nothing yet: longer than the longest
    // backchannel (800 ms) and the lag of its words behind it (a quarter of a second or more).
    milliseconds min_speech{1500};
    // This much voice over the agent within 400 ms (TurnDetector::recent_voice; at most that)
    // holds its audio back while the words decide: the callee hears it stop within the playout's
    // lead. Words that are only a backchannel, or none, release it where it stopped; more cut
    // the reply. 0: never held.
    milliseconds hold_after{200};
    // Words over the agent that are not a backchannel cut it once there are this many, or at once
    // when one asks for the floor ("wait", "sorry"); fewer are an aside. 0: the recogniser's
    // (SpeechToText::words_to_take_floor: 1 for Deepgram, 3 for pocketsphinx).
    std::size_t min_words = 0;
    bool during_greeting = true;   // false: the greeting always plays in full
};

struct SilenceSettings {
    milliseconds reprompt_after{8'000};  // callee silent this long after the agent spoke: re-prompt
    milliseconds hangup_after{20'000};   // silent this long (re-prompts included): say goodbye and hang up
    std::string reprompt_text = "Are you still there?";
    std::string goodbye_text = "I will let you go now. Goodbye.";
};

struct ConversationSettings {
    TurnSettings turn;
    BargeInSettings barge_in;
    SilenceSettings silence;
    milliseconds max_call{15 * 60 * 1000};  // then a polite goodbye and hang-up
    std::string transfer_number;            // E.164; empty: the LLM gets no transfer_call tool
    // What one call may cost: past this many requests to the LLM (retries included) the agent
    // says limit_goodbye and hangs up, and a transfer that fails is tried once more, no more.
    int max_llm_requests = 60;
    int max_transfer_attempts = 2;
    std::string limit_goodbye = "I am sorry, I have to end our call here. Someone will follow up with you. Goodbye.";
    std::string default_goodbye = "Goodbye.";  // said when end_call comes without words
    std::string apology = "Sorry, I had a problem there. Give me a moment.";
    std::string failure_goodbye = "I am sorry, I am having technical trouble. We will call you back. Goodbye.";
    std::string not_heard = "Sorry, I did not catch that. Could you say it again?";
    std::string shutdown_goodbye = "Sorry, I have to go now. Goodbye.";  // the server is stopping
    milliseconds dtmf_gap{1'500};  // digits pressed within this of each other reach the LLM together
    // A slow model is covered: when its first words take longer than this after the callee's turn,
    // the agent says filler_text (once per answer; the answer's first audio cuts it). 0: never,
    // the default; a prompt turns it on (fillerAfterMs).
    milliseconds filler_after{0};
    std::string filler_text = "Let me check.";
};

// The deployment's settings with what the call's prompt sets instead.
ConversationSettings with_overrides(ConversationSettings settings, const store::ConversationOverrides& prompt);

}  // namespace va::conversation
