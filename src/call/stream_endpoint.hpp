#pragma once
// GET /webhooks/twilio/stream: the Media Streams WebSocket. The upgrade's X-Twilio-Signature is
// checked against the wss:// stream URL (required unless configured otherwise; a bad or missing
// one gets 403 before any WebSocket exists); the stream token is checked by the session.
#include "call/context.hpp"
#include "net/http.hpp"

namespace va::call {

// The handler keeps a reference: the context must outlive the server.
net::Handler stream_endpoint(CallContext& context);

}  // namespace va::call
