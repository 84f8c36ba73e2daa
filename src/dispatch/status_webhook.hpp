#pragma once
// POST /webhooks/twilio/status?attempt=<attempt id>: Twilio's status callbacks for the calls the
// dispatcher placed. The signature is checked against VA_PUBLIC_URL + path + query (a bad one gets
// 403 and changes nothing); the event is applied forward-only (store::DispatchRepository::apply_status),
// so duplicated, reordered and late callbacks are harmless. A callback for a live call of a canceled
// scheduled call hangs that call up (a call that was still being dialed when it was canceled).
#include <functional>
#include <string>

#include <boost/asio/thread_pool.hpp>

#include "core/clock.hpp"
#include "net/http.hpp"
#include "store/dispatch.hpp"
#include "telephony/twilio/calls.hpp"

namespace va::dispatch {

struct StatusWebhookContext {
    store::DispatchRepository& store;
    boost::asio::thread_pool& store_pool;
    core::Clock& clock;
    std::string public_url;  // no trailing slash
    std::string auth_token;
    store::RetryPolicy default_retry;
    std::function<void()> on_final;  // a call ended: capacity is free, or a redial may be due
    twilio::Calls* twilio = nullptr;  // hangs up a live call of a canceled scheduled call (null: not)
};

// The handler keeps a reference: the context must outlive the server.
net::Handler status_webhook(StatusWebhookContext& context);

}  // namespace va::dispatch
