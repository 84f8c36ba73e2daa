#pragma once
// What the API handlers need, wired once by app/. Outlives the server, so handlers keep a reference.
#include <chrono>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include <boost/asio/awaitable.hpp>
#include <boost/asio/thread_pool.hpp>

#include "api/errors.hpp"
#include "api/rate_limit.hpp"
#include "api/tokens.hpp"
#include "core/clock.hpp"
#include "timing/time_source.hpp"
#include "core/metrics.hpp"
#include "core/phone.hpp"
#include "calling_window/time_zones.hpp"
#include "store/store.hpp"

namespace va::api {

// The largest body POST /api/scheduled-calls reads: 10,000 recipients with their variables.
constexpr std::size_t kScheduleBodyLimit = 8 * 1024 * 1024;

struct ApiOptions {
    std::vector<ApiToken> tokens;  // empty = requests local to this machine only (local_access.hpp)
    std::string public_url;        // VA_PUBLIC_URL: pages from its origin may use a tokenless API
    RateLimit rate_limit;          // per token (per client address without tokens), per process
    bool public_metrics = false;   // /metrics without a token even when tokens are configured
    std::size_t max_recipients = 10'000;
    std::chrono::minutes past_tolerance{5};     // a time this recent counts as "now"
    std::chrono::days max_ahead{365};
    std::chrono::hours idempotency_window{24};  // how long an Idempotency-Key is remembered
    // How often a push stream (GET /api/scheduled-calls/{id}/events) reads its call again: the
    // store is the only way changes made by other processes arrive.
    std::chrono::milliseconds live_poll{1000};
    // Health, readiness and metrics only, no /api routes: a process that only dials (--role dispatcher).
    bool operations_only = false;
};

struct ApiContext {
    store::Store& store;
    // Blocking work runs off the network threads, in two pools. compute_pool (one thread per core)
    // takes store reads and CPU-bound work such as phone-number parsing: few threads that stay
    // awake, since each hand-off to a sleeping thread costs a wake-up, and libphonenumber's regex
    // cache is a mutex that many threads would fight over. write_pool takes store writes, each of
    // which waits for its group commit, so it needs many threads.
    boost::asio::thread_pool& compute_pool;
    boost::asio::thread_pool& write_pool;
    timing::TimeSource& clock;  // also the timers of server push (scheduled_call_events.cpp)
    core::MetricsRegistry& metrics;
    core::PhoneValidator phones;
    const calling_window::CountryZones& country_zones;  // to check calling windows
    ApiOptions options;
    // Told about every created or rescheduled call (the dispatcher's wake-up); may be empty.
    std::function<void(const store::ScheduledCall&)> on_schedule_changed;
    // A call was canceled: hang up its recipients' live calls (app wires the dispatcher's hang_up_live).
    std::function<void(const store::ScheduledCall&)> on_canceled;
    // What this deployment can do with a prompt's conversation settings (e.g. whether its
    // recogniser can compile the grammar): the first problem, or nullopt. May be empty.
    std::function<ApiResult<>(const store::ConversationOverrides&)> check_conversation;
    // The prompt's introduction as a WAV file in its voice (GET /api/prompts/{id}/introduction.wav);
    // nullopt when it could not be synthesised. Empty: this process has no voices (no Twilio).
    std::function<boost::asio::awaitable<std::optional<std::string>>(const store::Prompt&)> speak_introduction = {};
    // Hangs up a live call through Twilio (POST /api/call-logs/{id}/hangup); its final status
    // callback records the end. Empty: this process has no Twilio.
    std::function<void(const std::string& call_sid)> hang_up_call = {};
};

}  // namespace va::api
