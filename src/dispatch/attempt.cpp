#include "dispatch/attempt.hpp"

#include <algorithm>
#include <set>

#include <spdlog/spdlog.h>

#include "core/id.hpp"
#include "core/phone.hpp"
#include "core/time_format.hpp"
#include "dispatch/backoff.hpp"
#include "dispatch/hang_up.hpp"
#include "dispatch/status_event.hpp"
#include "calling_window/window_check.hpp"
#include "net/offload.hpp"
#include "telephony/twilio/form.hpp"
#include "telephony/twilio/calls.hpp"
#include "timing/time_source.hpp"
#include "telephony/twilio/webhook_paths.hpp"

namespace va::dispatch {

namespace asio = boost::asio;
using core::TimePoint;
using store::Claim;
using store::ClaimKind;
using store::RecipientStatus;
using twilio::RestOutcome;

namespace {

// Twilio dates have whole seconds, and the offset between its clock and ours is known to about a
// second (its Date header): a call created this long before our dial started, on Twilio's clock,
// may still be the one we placed.
constexpr auto kClockSkew = std::chrono::seconds(5);
// Twilio's credentials error: our configuration is wrong, not the number.
constexpr int kAuthenticationFailed = 20003;

std::string attempt_log(const Claim& c) {
    return store::to_string(c.key) + " (" + core::mask_phone(c.phone_number) + ")";
}

store::PlacedCall placed_from(const AttemptContext& ctx, const twilio::CallResource& call, TimePoint now) {
    const auto& o = ctx.context.options;
    store::PlacedCall placed;
    placed.call_sid = call.sid;
    placed.from = call.from.empty() ? o.from_number : call.from;
    auto status = parse_call_status(call.status).value_or(RecipientStatus::queued);
    // Twilio answers a create with queued; anything later arrives as an event.
    placed.status = store::is_final(status) ? RecipientStatus::queued : status;
    placed.log_id = core::new_object_id(now);
    placed.check_at = now + std::chrono::seconds(o.ring_timeout_seconds) + o.check_margin;
    return placed;
}

// The state Twilio reports for a call, as an event for the store (a fetched call, or an adopted one).
store::StatusEvent event_from_resource(const Claim& c, const twilio::CallResource& call, TimePoint now) {
    store::StatusEvent e;
    e.key = c.key;
    e.call_sid = call.sid;
    e.status = parse_call_status(call.status).value_or(RecipientStatus::queued);
    e.answered_by = call.answered_by;
    e.duration = call.duration_s;
    e.at = call.end_time.value_or(now);
    e.log_id = core::new_object_id(now);
    e.from = call.from;
    return e;
}

asio::awaitable<void> apply_current_state(std::shared_ptr<AttemptContext> ctx, Claim c, twilio::CallResource call) {
    auto& d = ctx->context;
    auto event = event_from_resource(c, call, d.time.now());
    if (event.status == RecipientStatus::queued) co_return;
    auto applied =
        co_await net::offload(d.store_pool, [&] { return d.store.apply_status(event, d.options.retry, d.time.now()); });
    if (applied == store::StatusResult::applied_to_canceled) {
        hang_up(d.twilio, co_await asio::this_coro::executor, call.sid, event.status);
    }
    if (store::is_final(event.status)) ctx->wake();
}

twilio::CreateCallRequest create_request(const AttemptContext& ctx, const Claim& c) {
    const auto& o = ctx.context.options;
    twilio::CreateCallRequest r;
    r.to = c.phone_number;
    r.from = o.from_number;
    r.url = voice_url(o.public_url, c.key);
    r.status_callback = status_callback_url(o.public_url, c.key);
    r.status_callback_events = {"initiated", "ringing", "answered", "completed"};
    r.timeout_s = o.ring_timeout_seconds;
    r.time_limit_s = o.time_limit_seconds;
    r.machine_detection = o.machine_detection;
    return r;
}

// An ambiguous dial: Twilio may or may not have placed the call. Look for it in Twilio's call list
// (to this number, from ours, created since the latest send, and not known to belong to another
// attempt); adopt it if it is there, declare the attempt not placed once the grace period has
// passed without it. Never dials.
asio::awaitable<void> reconcile(std::shared_ptr<AttemptContext> ctx, Claim c) {
    auto& d = ctx->context;
    const auto& o = d.options;
    // The grace period must outlast any request still being answered.
    const auto deadline = c.dialed_at + std::max<std::chrono::milliseconds>(o.reconcile_grace, o.request_timeout * 3);
    // If Twilio's call list cannot be read for this long, the outcome stays unknown for good: the
    // recipient is failed (never redialed, which could call them twice).
    const auto give_up = deadline + o.reconcile_grace * 10;
    for (;;) {
        // No StartTime filter: a call Twilio still queues has no start time and might not match.
        // Newest first, so the attempt's call is on the first pages; older ones are skipped below.
        twilio::ListCallsFilter filter;
        filter.to = c.phone_number;
        filter.from = o.from_number;
        auto listed = co_await d.twilio.list_calls(filter);
        auto now = d.time.now();
        if (listed.outcome == RestOutcome::ok) {
            auto known_list = co_await net::offload(d.store_pool, [&] { return d.store.known_call_sids(c.phone_number, c.key); });
            std::set<std::string> known(known_list.begin(), known_list.end());
            // When our dial began, on Twilio's clock: its date_created is compared with nothing else.
            const auto earliest = c.dialed_at + d.twilio.clock_offset() - kClockSkew;
            const twilio::CallResource* found = nullptr;
            for (const auto& call : listed.calls) {
                if (known.contains(call.sid) || !call.date_created) continue;
                if (*call.date_created < earliest) continue;
                if (!found || *call.date_created < *found->date_created) found = &call;
            }
            // A truncated list whose oldest call is still recent may hide ours further back.
            const bool complete = !listed.truncated || listed.calls.empty() || !listed.calls.back().date_created ||
                                  *listed.calls.back().date_created < earliest;
            if (found) {
                auto call = *found;
                auto placed = placed_from(*ctx, call, now);
                bool ok = co_await net::offload(d.store_pool, [&] { return d.store.record_placed(c, placed, now); });
                if (ok) {
                    spdlog::info("dispatch: {} reconciled: adopted {}", attempt_log(c), call.sid);
                    co_await apply_current_state(ctx, c, call);
                    co_return;
                }
                // Another attempt took that call meanwhile (or our lease is gone: renew says so).
            } else if (now >= deadline && complete) {
                bool ok = co_await net::offload(d.store_pool, [&] {
                    return d.store.record_not_placed(c, now, now + o.unplaced_retry_delay, o.max_unplaced,
                                                     "no call was placed: Twilio gave no answer and has no such call");
                });
                spdlog::warn("dispatch: {} reconciled: not placed{}", attempt_log(c), ok ? "" : " (lease lost)");
                ctx->wake();
                co_return;
            }
        } else {
            spdlog::warn("dispatch: {} reconcile: cannot list calls: {}", attempt_log(c), listed.detail);
            if (now >= give_up) {
                co_await net::offload(d.store_pool, [&] {
                    return d.store.record_refused(c, now, 0, "outcome unknown: Twilio's call list could not be read");
                });
                ctx->wake();
                co_return;
            }
        }
        auto lease_until = now + o.reconcile_poll + o.request_timeout * 2;
        bool renewed = co_await net::offload(d.store_pool, [&] { return d.store.renew(c, lease_until); });
        if (!renewed) co_return;
        c.lease_until = lease_until;
        // Poll, but wake at the deadline if it comes first.
        auto wake_at = now + o.reconcile_poll;
        if (deadline > now) wake_at = std::min(wake_at, deadline);
        co_await timing::sleep_until_wall(d.time, wake_at);
    }
}

// False when the recipient must not be dialed now: deferred to its window, or failed because its
// window allows no time at all.
asio::awaitable<bool> inside_window(std::shared_ptr<AttemptContext> ctx, Claim c) {
    auto& d = ctx->context;
    if (!c.call_window) co_return true;
    auto now = d.time.now();
    auto check = calling_window::check_window(std::max(now, c.slot), *c.call_window, c.phone_number, d.country_zones);
    if (check.error.empty() && !check.defer_until) co_return true;
    if (check.defer_until) {
        auto until = *check.defer_until;
        co_await net::offload(d.store_pool, [&] { return d.store.defer(c, until, now); });
        spdlog::info("dispatch: {} outside its calling window: due again at {}", attempt_log(c),
                     core::format_rfc3339(until));
    } else {
        co_await net::offload(d.store_pool, [&] { return d.store.record_refused(c, now, 0, check.error); });
        spdlog::warn("dispatch: {} cannot be called: {}", attempt_log(c), check.error);
    }
    ctx->wake();
    co_return false;
}

asio::awaitable<void> dial(std::shared_ptr<AttemptContext> ctx, Claim c) {
    auto& d = ctx->context;
    const auto& o = d.options;
    if (!co_await inside_window(ctx, c)) co_return;
    Backoff backoff(o.backoff_initial, o.backoff_cap);
    for (int failures = 0;;) {
        co_await timing::sleep_until_wall(d.time, c.slot);
        auto now = d.time.now();
        // The request must be over (answered or timed out) before the lease can run out, or a
        // reconciler could take over while it is still in flight. Leases are granted with a
        // second request timeout to spare, so this renewal (a store write before the send, which
        // would delay it past its slot) is rare.
        if (now + o.request_timeout + o.request_timeout / 2 > c.lease_until) {
            auto until = now + o.request_timeout * 2;
            bool renewed = co_await net::offload(d.store_pool, [&] { return d.store.renew(c, until); });
            if (!renewed) {
                spdlog::warn("dispatch: {} lease lost before dialing", attempt_log(c));
                co_return;
            }
            c.lease_until = until;
        }
        auto result = co_await d.twilio.create_call(create_request(*ctx, c));
        now = d.time.now();
        if (result.outcome == RestOutcome::ok && !result.call) result.outcome = RestOutcome::unknown;
        switch (result.outcome) {
            case RestOutcome::ok: {
                auto placed = placed_from(*ctx, *result.call, now);
                bool ok = co_await net::offload(d.store_pool, [&] { return d.store.record_placed(c, placed, now); });
                spdlog::info("dispatch: {} placed {}{}", attempt_log(c), placed.call_sid, ok ? "" : " (lease lost)");
                co_return;
            }
            case RestOutcome::rejected: {
                auto code = result.error.code;
                auto message = result.error.message.empty() ? result.detail : result.error.message;
                if (code == kAuthenticationFailed) {
                    spdlog::error("dispatch: Twilio refused our credentials (20003): check TWILIO_ACCOUNT_SID / "
                                  "TWILIO_AUTH_TOKEN");
                    co_await net::offload(d.store_pool, [&] {
                        return d.store.record_not_placed(c, now, now + o.backoff_cap, o.max_unplaced,
                                                         "Twilio refused our credentials (20003)");
                    });
                } else {
                    co_await net::offload(d.store_pool, [&] { return d.store.record_refused(c, now, code, message); });
                    spdlog::info("dispatch: {} refused by Twilio: {} {}", attempt_log(c), code, message);
                }
                ctx->wake();
                co_return;
            }
            case RestOutcome::throttled:
            case RestOutcome::not_sent: {
                // Twilio did not process it: the same attempt may be sent again, in a new slot. The
                // slot is reserved after the backoff, not for its end: a reservation seconds ahead
                // would move the shared frontier of free slots past every slot in between.
                auto wait = backoff.next(++failures);
                spdlog::info("dispatch: {} not processed ({}); retry in {} ms", attempt_log(c), result.detail,
                             wait.count());
                auto lease = o.request_timeout * 2;
                auto hold = now + wait + lease;
                bool renewed = co_await net::offload(d.store_pool, [&] { return d.store.renew(c, hold); });
                if (!renewed) co_return;
                co_await timing::sleep_until_wall(d.time, now + wait);
                auto slot = co_await net::offload(d.store_pool, [&] {
                    return d.store.reserve_slot(c, d.time.now(), o.slot_interval(), lease);
                });
                if (!slot) co_return;
                c.slot = *slot;
                c.dialed_at = *slot;  // as the store now has it: reconciliation counts from the send
                c.lease_until = *slot + lease;
                continue;
            }
            case RestOutcome::unknown: {
                spdlog::warn("dispatch: {} outcome unknown ({}): reconciling", attempt_log(c), result.detail);
                auto until = now + o.reconcile_poll + o.request_timeout * 2;
                bool mine = co_await net::offload(d.store_pool, [&] { return d.store.record_unknown(c, now, until); });
                if (!mine) co_return;  // a callback already told us the call exists, or the lease is gone
                c.lease_until = until;
                co_await reconcile(ctx, c);
                co_return;
            }
        }
    }
}

// A placed call whose final status is overdue (a lost callback): ask Twilio how it stands.
asio::awaitable<void> check(std::shared_ptr<AttemptContext> ctx, Claim c) {
    auto& d = ctx->context;
    auto fetched = co_await d.twilio.fetch_call(c.call_sid);
    auto now = d.time.now();
    if (fetched.outcome == RestOutcome::ok && fetched.call) {
        co_await apply_current_state(ctx, c, *fetched.call);
    } else {
        spdlog::warn("dispatch: {} check of {}: {}", attempt_log(c), c.call_sid, fetched.detail);
    }
    auto next = now + d.options.check_interval;
    co_await net::offload(d.store_pool, [&] { return d.store.release_check(c, next); });
}

}  // namespace

std::string voice_url(const std::string& public_url, const store::AttemptKey& key) {
    return public_url + std::string(twilio::kVoiceWebhookPath) + "?" +
           twilio::encode_form({{"scheduled_call_id", key.scheduled_call_id},
                                {"is_scheduled", "true"},
                                {"attempt", store::to_string(key)}});
}

std::string status_callback_url(const std::string& public_url, const store::AttemptKey& key) {
    return public_url + std::string(twilio::kStatusWebhookPath) + "?" + twilio::encode_form({{"attempt", store::to_string(key)}});
}

asio::awaitable<void> run_claim(std::shared_ptr<AttemptContext> ctx, Claim claim) {
    switch (claim.kind) {
        case ClaimKind::dial:
            co_await dial(ctx, std::move(claim));
            break;
        case ClaimKind::reconcile:
            spdlog::warn("dispatch: {} was left mid-dial by another worker: reconciling", attempt_log(claim));
            co_await reconcile(ctx, std::move(claim));
            break;
        case ClaimKind::check:
            co_await check(ctx, std::move(claim));
            break;
    }
}

}  // namespace va::dispatch
