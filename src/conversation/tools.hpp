#pragma once
// The tools the model may call on a phone call. The transfer number is ours to configure, never
// the model's to choose: a prompt-injected "transfer me to +1900..." must not dial anything.
#include <vector>

#include "llm/chat.hpp"

namespace va::conversation {

inline constexpr const char* kEndCall = "end_call";
inline constexpr const char* kTransferCall = "transfer_call";

inline std::vector<llm::Tool> conversation_tools(bool can_transfer) {
    std::vector<llm::Tool> tools{
        {kEndCall,
         "Hang up the call. Say your goodbye in the same answer first; the call ends once it has been heard.",
         R"({"type":"object","properties":{"reason":{"type":"string","description":"why the call ends"}}})"}};
    if (can_transfer) {
        tools.push_back({kTransferCall,
                         "Transfer the caller to a human colleague. Tell the caller first; the transfer starts once "
                         "that has been heard.",
                         R"({"type":"object","properties":{"reason":{"type":"string","description":"why"}}})"});
    }
    return tools;
}

}  // namespace va::conversation
