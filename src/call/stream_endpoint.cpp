#include "call/stream_endpoint.hpp"

#include <spdlog/spdlog.h>

#include "call/session.hpp"
#include "telephony/twilio/signature.hpp"

namespace va::call {

namespace {

boost::asio::awaitable<net::Response> respond(CallContext& ctx, net::Request request) {
    if (request.method != "GET" || !request.websocket_upgrade) {
        co_return net::error_response(400, "websocket_expected", "this is Twilio's Media Streams WebSocket");
    }
    // Twilio signs the stream URL of the TwiML (wss://host/path, no query) with no parameters.
    const auto url = websocket_base(ctx.options.public_url) + request.target;
    auto signature = request.header("X-Twilio-Signature");
    const bool valid = signature && twilio::validate_signature(ctx.options.auth_token, url, {}, *signature);
    if (!valid && (signature || ctx.options.require_stream_signature)) {
        spdlog::warn("stream upgrade with a {} X-Twilio-Signature: refused", signature ? "bad" : "missing");
        ctx.metrics.counter("media_streams_total", "Media Streams by how they began", {{"result", "refused"}}).inc();
        co_return net::error_response(403, "bad_signature", "X-Twilio-Signature does not match");
    }
    net::Response response;
    response.accept_websocket = [&ctx](std::unique_ptr<net::WebSocket> socket) {
        return run_stream_session(ctx, std::move(socket));
    };
    co_return response;
}

}  // namespace

net::Handler stream_endpoint(CallContext& context) {
    return [&context](net::Request request) { return respond(context, std::move(request)); };
}

}  // namespace va::call
