#pragma once
// What the agent is told and says on one recipient's call: the scheduled call's snapshot of its
// prompt with the recipient's variables in place of its {{placeholders}}. In the greeting they
// are spoken inline. In the system prompt they stand in place on one line each, with < and >
// replaced, and are listed after the prompt in a delimited block of data: no value can break out
// of its line or the block, and nothing of them reaches the model's tools.
#include <string>
#include <string_view>

#include "store/model.hpp"

namespace va::call {

struct RecipientPrompt {
    std::string system_prompt;
    std::string greeting;
};

// The recipient an attempt of `call` dials (nullptr when its id names none of them).
const store::Recipient* recipient_of(const store::ScheduledCall& call, std::string_view attempt_id);
// The call's prompt for `recipient`; without one, placeholders say their defaults.
RecipientPrompt prompt_for(const store::ScheduledCall& call, const store::Recipient* recipient);

}  // namespace va::call
