#pragma once
// The conversation engine: the call's agent from the greeting to the goodbye. It listens (VAD,
// turn detection, STT), thinks (the LLM with the scheduled call's prompt as system prompt and
// end_call / transfer_call tools), speaks sentence by sentence as the answer streams (TTS), and
// yields the floor when the callee talks over it, keeping in the history only what was heard.
#include <memory>

#include "call/agent.hpp"
#include "conversation/ports.hpp"

namespace va::conversation {

std::unique_ptr<call::Agent> make_conversation(const call::CallInfo& info, call::CallControl& control,
                                               ConversationContext& context);

}  // namespace va::conversation
