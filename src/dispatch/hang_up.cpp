#include "dispatch/hang_up.hpp"

#include <spdlog/spdlog.h>

#include "net/spawn.hpp"

namespace va::dispatch {

namespace {

boost::asio::awaitable<void> hang_up_call(twilio::Calls& twilio, std::string call_sid, store::RecipientStatus status) {
    const bool answered = status == store::RecipientStatus::in_progress;
    twilio::Params params{{"Status", answered ? "completed" : "canceled"}};
    auto result = co_await twilio.update_call(call_sid, std::move(params));
    if (result.ok()) {
        spdlog::info("call {}: hung up, its scheduled call is canceled", call_sid);
    } else {
        spdlog::warn("call {}: could not hang up the canceled call: {}", call_sid, result.detail);
    }
}

}  // namespace

void hang_up(twilio::Calls& twilio, boost::asio::any_io_executor executor, std::string call_sid,
             store::RecipientStatus status) {
    net::spawn_logged(executor, hang_up_call(twilio, std::move(call_sid), status), "hang-up");
}

void hang_up_live(twilio::Calls& twilio, boost::asio::any_io_executor executor, const store::ScheduledCall& call) {
    for (const auto& r : call.recipients) {
        if (!r.call_sid.empty() && !store::is_final(r.status)) hang_up(twilio, executor, r.call_sid, r.status);
    }
}

}  // namespace va::dispatch
