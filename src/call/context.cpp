#include "call/context.hpp"
#include "telephony/twilio/webhook_paths.hpp"

namespace va::call {

std::string websocket_base(const std::string& public_url) {
    std::string url = public_url;
    if (url.starts_with("https://")) {
        url.replace(0, 5, "wss");
    } else if (url.starts_with("http://")) {
        url.replace(0, 4, "ws");
    }
    return url;
}

std::string stream_url(const std::string& public_url) { return websocket_base(public_url) + std::string(twilio::kStreamPath); }

}  // namespace va::call
