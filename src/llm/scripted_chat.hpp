#pragma once
// A chat model that plays a script: what answers when no LLM is configured (the demo), and the
// model of the tests. It answers by how far the conversation has gone: a request with k "user"
// messages gets replies[k-1] (none yet: the first reply; past the end: the last one).
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "llm/chat.hpp"

namespace va::llm {

struct ScriptedReply {
    std::string text;
    std::optional<ToolCall> tool;  // called after the text; an empty id gets one made up
};

// Streams each reply word by word (one on_text per word with the spaces after it), then the tool
// call, each word after a turn of the caller's executor, as a real provider's tokens would come.
// Cancelling stops it between words. No replies: every answer is empty.
std::unique_ptr<ChatModel> make_scripted_chat(std::vector<ScriptedReply> replies);

// Three friendly turns in plain words (a speech recogniser checks them in the end-to-end tests);
// the last one says goodbye and calls end_call with "{}".
std::vector<ScriptedReply> default_demo_script();

}  // namespace va::llm
