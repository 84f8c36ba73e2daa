#include "app/twilio_actions.hpp"

#include <spdlog/spdlog.h>

#include "telephony/twilio/twiml.hpp"

namespace va::app {

namespace {

namespace asio = boost::asio;

// Twilio's outcome in the engines' words: "refused" when Twilio answered no (the call has
// already ended, say), "unreachable" when the request never left, "failed" otherwise.
engine::Errc to_errc(twilio::RestOutcome outcome) {
    switch (outcome) {
        case twilio::RestOutcome::rejected:
        case twilio::RestOutcome::throttled: return engine::Errc::refused;
        case twilio::RestOutcome::not_sent: return engine::Errc::unreachable;
        default: return engine::Errc::failed;
    }
}

class TwilioActions final : public conversation::CallActions {
public:
    TwilioActions(twilio::Calls& rest, std::chrono::seconds transfer_limit)
        : rest_(rest), transfer_limit_(transfer_limit) {}

    asio::awaitable<engine::Result<void>> complete(std::string call_sid) override {
        twilio::Params hang_up{{"Status", "completed"}};
        return update("hang-up", std::move(call_sid), std::move(hang_up));
    }
    asio::awaitable<engine::Result<void>> transfer(std::string call_sid, std::string number) override {
        twilio::Params dial{{"Twiml", twilio::build_dial(number, static_cast<int>(transfer_limit_.count()))}};
        return update("transfer", std::move(call_sid), std::move(dial));
    }

private:
    asio::awaitable<engine::Result<void>> update(const char* what, std::string sid, twilio::Params params) {
        auto result = co_await rest_.update_call(sid, std::move(params));
        if (result.ok()) co_return engine::Result<void>{};
        spdlog::warn("call {}: Twilio's {} failed: {}", sid, what, result.detail);
        co_return engine::Result<void>(to_errc(result.outcome));
    }

    twilio::Calls& rest_;
    std::chrono::seconds transfer_limit_;
};

}  // namespace

std::unique_ptr<conversation::CallActions> make_twilio_actions(twilio::Calls& rest, std::chrono::seconds transfer_limit) {
    return std::make_unique<TwilioActions>(rest, transfer_limit);
}

}  // namespace va::app
