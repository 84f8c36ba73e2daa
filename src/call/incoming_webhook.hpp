#pragma once
// POST (or GET) /webhooks/twilio/incoming: Twilio asks what to do with a call that was answered
// (one we dialed, with ?scheduled_call_id=…&attempt=…) or that rang our number (without). The
// signature is checked against VA_PUBLIC_URL + path + query; a bad one gets 403 and nothing else
// happens. The answer is the TwiML of DESIGN.md: <Connect><Stream> to our stream URL, with
// ScheduledCallId, IsOutbound and a stream token as <Parameter>s; or a polite hang-up when the
// call is unknown, canceled, or inbound with no inbound prompt configured.
#include "call/context.hpp"
#include "net/http.hpp"

namespace va::call {

// The handler keeps a reference: the context must outlive the server.
net::Handler incoming_webhook(CallContext& context);

}  // namespace va::call
