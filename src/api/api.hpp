#pragma once
// The HTTP surface of the service: routes for the REST API and service endpoints, behind the
// API's authentication. app/ hands handler() to net::HttpServer.
#include "api/auth.hpp"
#include "api/context.hpp"
#include "net/router.hpp"

namespace va::api {

class Api {
public:
    explicit Api(ApiContext& context);
    net::Handler handler();
    const net::Router& router() const { return router_; }

private:
    ApiContext& context_;
    ApiAuth auth_;
    net::Router router_;
};

}  // namespace va::api
