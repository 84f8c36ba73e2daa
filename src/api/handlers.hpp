#pragma once
// The request handlers, one file per resource. Each takes the long-lived context by reference
// and the request by value; api.cpp binds them to routes.
#include <boost/asio/awaitable.hpp>

#include "api/context.hpp"
#include "net/http.hpp"

namespace va::api {

using Reply = boost::asio::awaitable<net::Response>;

Reply create_prompt(ApiContext& ctx, net::Request request);
Reply list_prompts(ApiContext& ctx, net::Request request);
Reply get_prompt(ApiContext& ctx, net::Request request);
Reply prompt_introduction_wav(ApiContext& ctx, net::Request request);
Reply replace_prompt(ApiContext& ctx, net::Request request);
Reply delete_prompt(ApiContext& ctx, net::Request request);

Reply create_scheduled_call(ApiContext& ctx, net::Request request);
Reply list_scheduled_calls(ApiContext& ctx, net::Request request);
Reply get_scheduled_call(ApiContext& ctx, net::Request request);
Reply scheduled_call_events(ApiContext& ctx, net::Request request);
Reply patch_scheduled_call(ApiContext& ctx, net::Request request);
Reply cancel_scheduled_call(ApiContext& ctx, net::Request request);

Reply list_call_logs(ApiContext& ctx, net::Request request);
Reply get_call_log(ApiContext& ctx, net::Request request);
Reply list_live_calls(ApiContext& ctx, net::Request request);
Reply hang_up_call(ApiContext& ctx, net::Request request);

Reply healthz(ApiContext& ctx, net::Request request);
Reply readyz(ApiContext& ctx, net::Request request);
Reply metrics(ApiContext& ctx, net::Request request);
Reply openapi(ApiContext& ctx, net::Request request);

}  // namespace va::api
