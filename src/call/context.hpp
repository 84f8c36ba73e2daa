#pragma once
// Everything the call endpoints share: settings, the store, the token issuer, the voices and
// their greeting cache, and how to make an agent. Built once by the app; the handlers keep a reference.
#include <chrono>
#include <optional>
#include <string>
#include <string_view>

#include <boost/asio/any_io_executor.hpp>

#include "call/agent.hpp"
#include "call/greeting_cache.hpp"
#include "call/live_calls.hpp"
#include "call/playout.hpp"
#include "call/stream_token.hpp"
#include "call/voices.hpp"
#include "core/metrics.hpp"
#include "store/store.hpp"
#include "timing/time_source.hpp"

namespace va::call {

// What the agent says and does on a call to our number (there is no scheduled call to read).
struct InboundPrompt {
    std::string content;       // system prompt
    std::string introduction;  // greeting
    store::ConversationOverrides conversation;
};

struct SessionLimits {
    std::chrono::milliseconds start_timeout{10'000};  // from the upgrade to a valid `start`
    std::chrono::milliseconds idle_timeout{15'000};   // no inbound media for this long: close
    std::chrono::milliseconds max_session{4 * 3600 * 1000};  // Twilio's own maximum call length is 4 h
    std::size_t max_queued_messages = 512;  // outbound; more means Twilio stopped reading: close
    int logged_bad_messages = 5;            // per session; the rest are only counted
};

struct CallOptions {
    std::string public_url;   // VA_PUBLIC_URL, no trailing slash
    std::string auth_token;   // TWILIO_AUTH_TOKEN: webhook and upgrade signatures
    std::string account_sid;  // TWILIO_ACCOUNT_SID: a stream's start must name it
    std::string from_number;  // TWILIO_FROM_NUMBER, for call logs the stream creates
    // Twilio signs the stream's upgrade; accept an unsigned one only when this is false.
    bool require_stream_signature = true;
    std::chrono::milliseconds token_lifetime{60'000};  // Twilio opens the stream within seconds of the TwiML
    std::optional<InboundPrompt> inbound;  // unset: calls to our number are declined politely
    SessionLimits limits;
    PlayoutOptions playout;
};

struct CallContext {
    store::Store& store;
    boost::asio::any_io_executor store_pool;  // blocking store calls run here (net/offload.hpp)
    timing::TimeSource& time;
    core::MetricsRegistry& metrics;
    GreetingCache& greetings;
    Voices& voices;
    AgentFactory make_agent;
    CallOptions options;
    StreamTokens tokens{options.auth_token};
    std::shared_ptr<LiveCalls> live = std::make_shared<LiveCalls>();  // for a shutdown
};

// What a callee hears when the store fails as their call is answered, before the hang-up.
inline constexpr std::string_view kStoreDownLine =
    "We're sorry, we can't take this call right now. Please try again later. Goodbye.";

// VA_PUBLIC_URL with https → wss (http → ws, for local use with the simulator).
std::string websocket_base(const std::string& public_url);
// websocket_base + the stream's path: the <Stream url> of our TwiML.
std::string stream_url(const std::string& public_url);

}  // namespace va::call
