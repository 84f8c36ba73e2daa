#pragma once
// One Media Streams connection, from the upgrade to its end, as one task group of five joined
// coroutines: a reader turns Twilio's messages into Agent calls; a single writer is the only one
// to write to the socket, fed by a bounded queue; a watchdog enforces the start, idle and length
// limits; a pump paces the agent's audio out (playout.hpp); the agent's run() does its own work
// (the conversation's replies and listening). The first to end ends the call: the
// others are cancelled and awaited, then the end is recorded once. All time comes from the
// context's TimeSource, so tests run a whole call on simulated time.
//
// Nothing is touched before the stream proves itself: `start` must carry a valid stream token
// (stream_token.hpp) whose call log takes this stream (single use). Bad messages (not JSON,
// wrong types, bad base64, unknown events, binary frames, media before start) are logged and
// ignored; they never end the call and never touch another one.
#include <memory>

#include <boost/asio/awaitable.hpp>

#include "call/context.hpp"
#include "net/websocket.hpp"

namespace va::call {

// Runs the session to its end; call it on the socket's executor (its network thread).
boost::asio::awaitable<void> run_stream_session(CallContext& context, std::unique_ptr<net::WebSocket> socket);

}  // namespace va::call
