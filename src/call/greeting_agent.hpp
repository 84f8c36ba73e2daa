#pragma once
// The agent of a call up to its first words: speaks the greeting (the scheduled call's
// introduction) as soon as the stream starts, from the greeting cache, and listens to nothing
// else yet. The conversation engine takes over from here.
#include <memory>

#include "call/agent.hpp"
#include "call/greeting_cache.hpp"
#include "call/voices.hpp"

namespace va::call {

std::unique_ptr<Agent> make_greeting_agent(const CallInfo& info, CallControl& control, GreetingCache& greetings,
                                           Voices& voices);

// Says `line` in the deployment's voice, then hangs up: for a call that cannot go on (its stream
// could not be admitted because the store failed) but should not end in silence.
std::unique_ptr<Agent> make_farewell_agent(const CallInfo& info, std::string line, CallControl& control,
                                           GreetingCache& greetings, Voices& voices);

}  // namespace va::call
