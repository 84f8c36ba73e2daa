#pragma once
// Where Twilio reaches us, defined once: the URLs the dispatcher gives Twilio, the TwiML's stream
// URL, and the routes that answer them all use these paths.
#include <string_view>

namespace va::twilio {

inline constexpr std::string_view kVoiceWebhookPath = "/webhooks/twilio/incoming";  // TwiML for an answered call
inline constexpr std::string_view kStatusWebhookPath = "/webhooks/twilio/status";   // call progress
inline constexpr std::string_view kStreamPath = "/webhooks/twilio/stream";          // the Media Streams WebSocket

}  // namespace va::twilio
