#pragma once
#include <functional>
#include <optional>
#include <set>
#include <string>
#include <vector>
#include "api/rate_limit.hpp"
#include "api/tokens.hpp"
#include "app/agent_config.hpp"
#include "app/dispatch_config.hpp"
#include "app/store_spec.hpp"
#include "net/trusted_proxies.hpp"

namespace va::app {

// What one process does (--role), so that a deployment can grow each tier on its own: `web` serves
// the API, Twilio's webhooks and the Media Streams; `dispatcher` dials, and serves only health
// checks and metrics; `all` does both. They share nothing but the store.
enum class Role { all, web, dispatcher };

struct ServeConfig {
    Role role = Role::all;
    std::string listen = "127.0.0.1:8080";
    // Reverse proxies whose X-Forwarded-For is believed (net/trusted_proxies.hpp).
    net::TrustedProxies trusted_proxies;
    StoreSpec store;
    std::vector<api::ApiToken> api_tokens;  // none = requests from this machine only
    bool insecure_open_api = false;  // serve a tokenless API although the public URL is not loopback
    bool public_metrics = false;     // /metrics without a token although tokens are configured
    api::RateLimit api_rate_limit;
    unsigned max_connections = 10'000;    // 0 = no cap
    unsigned max_connections_per_ip = 256;
    int header_timeout_seconds = 10;
    int live_poll_ms = 1000;  // push streams read their call from the store this often
    unsigned threads = 0;               // network threads; 0 = one per core
    unsigned compute_threads = 0;       // store reads and CPU-bound work; 0 = one per core
    unsigned store_write_threads = 32;  // store writes: each waits for a group commit, so many
    int retention_days = 0;  // purge finished calls older than this (app/housekeeping.hpp); 0 = keep them
    std::string phone_default_region;
    // Destinations: nullopt = the country of TWILIO_FROM_NUMBER; an empty set = every country.
    std::optional<std::set<std::string>> allowed_countries;
    bool allow_premium_numbers = false;
    bool allow_special_numbers = false;
    DispatchConfig dispatch;
    // The call connection (voice webhook and Media Streams); it runs whenever Twilio is configured.
    std::string tts_voice = "espeak:en-us";
    std::string inbound_prompt_id;  // calls to our number use this prompt; unset = declined politely
    int stream_idle_seconds = 15;
    int max_stream_seconds = 4 * 3600;
    bool allow_unsigned_streams = false;
    int shutdown_grace_seconds = 20;  // SIGTERM: live calls get a goodbye and are hung up within this
    AgentConfig agent;
};

// For a caller that embeds the server (the demo): told once it listens, from the thread that
// called serve(), with a function that stops it as SIGTERM would (callable from any thread).
struct ServeHooks {
    std::function<void(unsigned short port, std::function<void()> stop)> on_ready;
};

// Runs the server until SIGINT/SIGTERM (or the hook's stop); returns the process exit code.
int serve(const ServeConfig& config, const ServeHooks& hooks = {});

}  // namespace va::app
