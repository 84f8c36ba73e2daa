#pragma once
// Ending calls of a canceled scheduled call: a recipient's live call is hung up through Twilio's
// REST API, `canceled` before it is answered and `completed` after (Twilio takes no other way).
// Its final status callback then records the recipient `canceled` (store::apply_status).
#include <string>

#include <boost/asio/any_io_executor.hpp>

#include "store/model.hpp"
#include "telephony/twilio/calls.hpp"

namespace va::dispatch {

// Hangs up `call_sid`, last known in `status`, in a coroutine of its own on `executor`; a failure
// is logged (the call may have ended by itself meanwhile).
void hang_up(twilio::Calls& twilio, boost::asio::any_io_executor executor, std::string call_sid,
             store::RecipientStatus status);

// Every recipient of `call` with a call that is still live (a CallSid, no final status). Those
// still being dialed have no CallSid yet: their first status callback hangs them up.
void hang_up_live(twilio::Calls& twilio, boost::asio::any_io_executor executor, const store::ScheduledCall& call);

}  // namespace va::dispatch
