#pragma once
// An async HTTP/1.1 client for outgoing webhooks and REST calls (http:// and https://). One
// connection per request; the result says whether the request had left in full, which is what
// decides if a failed POST may have been acted on.
#include <chrono>
#include <optional>
#include <string>
#include <string_view>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>

#include "net/http.hpp"

namespace va::net {

struct ClientRequest {
    std::string method = "GET";
    std::string url;
    Fields headers;
    std::string body;
    std::chrono::milliseconds timeout{15'000};  // for the whole exchange
};

struct ClientResponse {
    unsigned status = 0;
    Fields headers;
    std::string body;
    std::optional<std::string_view> header(std::string_view name) const;
};

struct ClientResult {
    std::optional<ClientResponse> response;  // set when a whole response arrived
    std::string error;                       // what failed otherwise
    bool request_sent = false;               // the request was written in full before the failure
    bool timed_out = false;
};

boost::asio::awaitable<ClientResult> http_request(boost::asio::any_io_executor executor, ClientRequest request);

}  // namespace va::net
