#pragma once
// An HTTP/1.1 client (http:// and https://) that keeps connections alive and reuses them per origin
// (scheme, host, port): what a REST client that places many calls wants instead of one TLS handshake
// per request. Same request and result types as http_request(), and the same promise:
// ClientResult::request_sent says whether the request had left in full before a failure.
//
// Thread-safe: request() may run in many coroutines at once, on any executors of the pool's
// io_context. Each request takes an idle connection or opens a new one (no
// cap on connections); a connection carries one request at a time and runs its I/O on its own
// strand. It goes back to the idle list only after a whole response with keep-alive.
#include <chrono>
#include <cstddef>
#include <functional>
#include <memory>

#include <boost/asio/awaitable.hpp>

#include "net/http_client.hpp"
#include "timing/time_source.hpp"

namespace boost::asio {
class io_context;
}

namespace va::net {

struct PoolOptions {
    std::size_t max_idle_per_origin = 8;  // more come back at once: the longest idle are closed
    // An idle connection this old is closed, not reused. Servers close idle connections after a
    // while, and a POST written into a connection the server is closing cannot be told apart from
    // one the server acted on; keep this below the server's idle timeout.
    std::chrono::milliseconds max_idle_age{4'000};
    // What idle ages are measured with (tests set it); null: the machine's. Deadlines of the
    // exchanges themselves are socket deadlines, always on the machine's time.
    timing::TimeSource* time = nullptr;
};

class HttpConnectionPool {
public:
    // `io` runs the connections, each on a strand of its own.
    explicit HttpConnectionPool(boost::asio::io_context& io, PoolOptions options = {});
    // Closes the idle connections; requests in flight finish and then close theirs.
    ~HttpConnectionPool();
    HttpConnectionPool(const HttpConnectionPool&) = delete;
    HttpConnectionPool& operator=(const HttpConnectionPool&) = delete;

    // One deadline (request.timeout) for the whole exchange, connecting included. A request that
    // fails on a reused connection before anything came back is sent again once on a new
    // connection when that is safe: always if it had not left in full, and for GET/HEAD otherwise.
    // A POST that left in full is never sent twice.
    boost::asio::awaitable<ClientResult> request(ClientRequest request);

    void close_idle();
    std::size_t idle_connections() const;  // all origins

    struct State;

private:
    std::shared_ptr<State> state_;
};

}  // namespace va::net
