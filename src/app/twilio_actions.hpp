#pragma once
// The conversation's CallActions through Twilio's Calls API: hang up with Status=completed,
// transfer by redirecting the live call to <Dial> (connected for at most `transfer_limit`). A call that has already ended answers with an
// error we only log. Here in app, so that the conversation does not depend on the REST client.
#include <chrono>
#include <memory>

#include "conversation/ports.hpp"
#include "telephony/twilio/calls.hpp"

namespace va::app {

std::unique_ptr<conversation::CallActions> make_twilio_actions(twilio::Calls& twilio, std::chrono::seconds transfer_limit);

}  // namespace va::app
