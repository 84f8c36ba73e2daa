#pragma once
// CallActions through Twilio's REST API: hang up with Status=completed, transfer by redirecting
// the live call to <Dial>. A call that has already ended answers with an error we only log.
#include <memory>

#include <boost/asio/any_io_executor.hpp>

#include "conversation/ports.hpp"
#include "telephony/twilio/rest_client.hpp"

namespace va::conversation {

std::unique_ptr<CallActions> make_twilio_actions(boost::asio::any_io_executor executor, twilio::RestClient& rest);

}  // namespace va::conversation
