#pragma once
// One coroutine per claim, following the attempt state machine of src/dispatch/README.md:
// dial → placed | refused | throttled (backoff, new slot) | unknown → reconcile → adopted | not placed.
// Every store write is conditional on the claim's fence: a worker that lost its lease changes nothing.
#include <functional>
#include <memory>

#include <boost/asio/awaitable.hpp>

#include "dispatch/dispatcher.hpp"

namespace va::dispatch {

struct AttemptContext {
    DispatchContext context;
    std::function<void()> wake;  // the schedule changed: let the claim loop look again
};

boost::asio::awaitable<void> run_claim(std::shared_ptr<AttemptContext> ctx, store::Claim claim);

// <public>/webhooks/twilio/incoming?scheduled_call_id=..&is_scheduled=true&attempt=.. (DESIGN.md)
std::string voice_url(const std::string& public_url, const store::AttemptKey& key);
// <public>/webhooks/twilio/status?attempt=..
std::string status_callback_url(const std::string& public_url, const store::AttemptKey& key);

}  // namespace va::dispatch
