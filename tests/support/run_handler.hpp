#pragma once
// Runs a net::Handler on a private io_context, without sockets, and returns its answer (a
// handler's exception is rethrown here).
#include <exception>
#include <optional>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>

#include "net/http.hpp"

namespace va::test {

inline net::Response run_handler(const net::Handler& handler, net::Request request) {
    boost::asio::io_context io;
    std::optional<net::Response> out;
    boost::asio::co_spawn(io, handler(std::move(request)), [&](std::exception_ptr e, net::Response r) {
        if (e) std::rethrow_exception(e);
        out = std::move(r);
    });
    io.run();
    return std::move(*out);
}

}  // namespace va::test
