#pragma once
// The dispatcher's settings. Defaults follow Twilio's (1 call per second per account, 60 s ring
// timeout); `app` fills them from flags and the environment.
#include <algorithm>
#include <chrono>
#include <string>

#include "store/model.hpp"

namespace va::dispatch {

using namespace std::chrono_literals;

struct DispatcherOptions {
    std::string owner;        // this worker's name in leases; unique per process
    std::string from_number;  // TWILIO_FROM_NUMBER
    std::string public_url;   // VA_PUBLIC_URL, no trailing slash: Twilio reaches our webhooks here

    double calls_per_second = 1.0;   // across every worker sharing the store
    int max_live_calls = 100;        // dialing or on a call, across every worker
    std::chrono::milliseconds sweep = 30s;  // look for work scheduled by other processes at least this often
    int claim_batch = 256;
    std::chrono::milliseconds lookahead = 2s;  // claim dials whose send slot is at most this far ahead
    // Toll-fraud limits, applied by the store in each claim (so across every worker; see
    // store::ClaimRequest): dials per UTC day, and the least time between dials of one number from
    // different scheduled calls (0 = no cooldown). Redials under a call's retry policy are exempt.
    int max_dials_per_day = 10'000;
    std::chrono::milliseconds min_hours_between_calls_to_a_number = 24h;

    std::chrono::milliseconds request_timeout = 10s;  // one Twilio REST exchange
    std::chrono::milliseconds backoff_initial = 1s;   // after a 429 or a request that never left
    std::chrono::milliseconds backoff_cap = 30s;
    // An ambiguous dial (5xx, timeout, reset after sending) is looked up in Twilio's call list every
    // `reconcile_poll`; if no call shows up within `reconcile_grace` of the dial, none was placed.
    std::chrono::milliseconds reconcile_grace = 60s;
    std::chrono::milliseconds reconcile_poll = 2s;
    std::chrono::milliseconds unplaced_retry_delay = 5s;
    int max_unplaced = 5;  // attempts that never became calls before the recipient is failed
    // A placed call whose final status has not arrived is fetched from Twilio: first `ring_timeout`
    // + `check_margin` after placing it, then every `check_interval` while it lasts.
    std::chrono::milliseconds check_margin = 30s;
    std::chrono::milliseconds check_interval = 60s;

    store::RetryPolicy retry;  // for scheduled calls without a policy of their own
    int ring_timeout_seconds = 60;   // Twilio's Timeout
    int time_limit_seconds = 3600;   // Twilio's TimeLimit: the longest a call may last
    std::string machine_detection;   // "", "Enable" or "DetectMessageEnd"

    // Send slots are this far apart.
    std::chrono::milliseconds slot_interval() const {
        return std::chrono::milliseconds(static_cast<long long>(1000.0 / calls_per_second));
    }
};

// About 20 send slots ahead, between 0.2 s and 2 s: enough to keep the rate, short enough that the
// lease (lookahead + two request timeouts) of a worker that dies runs out soon.
inline std::chrono::milliseconds lookahead_for(double calls_per_second) {
    return std::chrono::milliseconds(std::clamp(static_cast<long long>(20'000.0 / calls_per_second), 200LL, 2000LL));
}

}  // namespace va::dispatch
