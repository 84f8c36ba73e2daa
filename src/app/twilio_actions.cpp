#include "app/twilio_actions.hpp"

#include "net/spawn.hpp"
#include "telephony/twilio/twiml.hpp"

namespace va::app {

namespace {

namespace asio = boost::asio;
using Done = std::function<void(std::string error)>;

asio::awaitable<void> update(twilio::Calls& rest, std::string sid, twilio::Params params, Done done) {
    std::string error;
    try {
        auto result = co_await rest.update_call(std::move(sid), std::move(params));
        if (!result.ok()) error = result.detail.empty() ? "Twilio refused the update" : result.detail;
    } catch (const std::exception& e) {
        error = e.what();
    }
    done(error);
}

class TwilioActions final : public conversation::CallActions {
public:
    TwilioActions(asio::any_io_executor executor, twilio::Calls& rest) : executor_(std::move(executor)), rest_(rest) {}

    void complete(const std::string& call_sid, Done done) override {
        net::spawn_logged(executor_, update(rest_, call_sid, {{"Status", "completed"}}, std::move(done)), "hang-up");
    }
    void transfer(const std::string& call_sid, const std::string& number, Done done) override {
        net::spawn_logged(executor_, update(rest_, call_sid, {{"Twiml", twilio::build_dial(number)}}, std::move(done)),
                          "transfer");
    }

private:
    asio::any_io_executor executor_;
    twilio::Calls& rest_;
};

}  // namespace

std::unique_ptr<conversation::CallActions> make_twilio_actions(asio::any_io_executor executor, twilio::Calls& rest) {
    return std::make_unique<TwilioActions>(std::move(executor), rest);
}

}  // namespace va::app
