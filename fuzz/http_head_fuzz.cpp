// The server's request-head path on arbitrary bytes: Beast's request parser with the server's
// header and body limits, then net::to_request (target, headers, X-Request-Id) and the metrics
// label of the method. Never crashes, and:
// - the outcome (the request, or refused as too large or malformed, or incomplete) is the same
//   whether the bytes arrive at once or in small pieces, as TCP may deliver them (except where
//   Beast meets a bad line in a head that never ends: see same());
// - an accepted request is what the client sent: method, header names and values in order;
// - its method label is one of the fixed set (so /metrics cannot grow), the method itself when
//   that is a known one; its request id is always sane, the client's own when that one was.
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <boost/asio/buffer.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/parser.hpp>

#include "net/request_head.hpp"
#include "net/server.hpp"

namespace asio = boost::asio;
namespace http = boost::beast::http;

namespace {

enum class Kind { request, bad_target, too_large, malformed, incomplete };

struct Outcome {
    Kind kind = Kind::incomplete;
    std::optional<va::net::Request> request;
};

const va::net::ServerOptions server_options;
const asio::ip::tcp::endpoint remote{asio::ip::make_address("203.0.113.7"), 40000};

void check(bool ok) {
    if (!ok) __builtin_trap();
}

// Feeds `bytes` to a parser set up as the server's, in pieces whose sizes come from `sizes`
// (cycled, 1-17 bytes; empty means all at once), keeping what the parser has not consumed as the
// server's buffer does; the end of the bytes is the end of the stream.
Outcome parse(std::string_view bytes, std::string_view sizes) {
    http::request_parser<http::string_body> parser;
    parser.header_limit(static_cast<std::uint32_t>(server_options.header_limit));
    parser.body_limit(server_options.body_limit);
    std::string pending;
    std::size_t turn = 0;
    boost::beast::error_code ec;
    while (!parser.is_header_done() && !ec) {
        if (bytes.empty()) {
            // The client closed: what Beast's read does then (put_eof needs some bytes parsed).
            if (parser.got_some()) parser.put_eof(ec);
            if (!ec) ec = http::error::end_of_stream;  // no whole head: never handled
            break;
        }
        std::size_t n = bytes.size();
        if (!sizes.empty()) n = static_cast<unsigned char>(sizes[turn++ % sizes.size()]) % 17 + 1;
        if (n > bytes.size()) n = bytes.size();
        pending.append(bytes.substr(0, n));
        bytes.remove_prefix(n);
        while (!pending.empty() && !parser.is_header_done()) {
            const auto used = parser.put(asio::buffer(pending), ec);
            pending.erase(0, used);
            if (ec == http::error::need_more) ec = {};
            if (ec || used == 0) break;
        }
    }
    Outcome out;
    if (ec == http::error::header_limit) {
        out.kind = Kind::too_large;
    } else if (ec == http::error::end_of_stream || ec == http::error::partial_message) {
        out.kind = Kind::incomplete;
    } else if (ec) {
        out.kind = Kind::malformed;
    } else {
        auto& message = parser.get();
        const std::string method(message.method_string());
        std::vector<std::pair<std::string, std::string>> fields;
        for (const auto& field : message) fields.emplace_back(field.name_string(), field.value());
        out.request = va::net::to_request(message, remote);
        out.kind = out.request ? Kind::request : Kind::bad_target;
        if (out.request) {
            const auto& request = *out.request;
            check(request.method == method);
            check(request.headers == fields);
            const auto label = va::net::method_label(request.method);
            check(label == "other" || label == request.method);
            check(label == "GET" || label == "POST" || label == "PUT" || label == "PATCH" || label == "DELETE" ||
                  label == "HEAD" || label == "OPTIONS" || label == "other");
            check(va::net::is_sane_request_id(request.request_id));
            const auto id = request.header("X-Request-Id");
            if (id && va::net::is_sane_request_id(*id)) check(request.request_id == *id);
            check(!request.target.empty() && request.target.front() == '/');
        }
    }
    return out;
}

bool same(const Outcome& a, const Outcome& b) {
    if (a.kind != b.kind) {
        // Beast checks lines as they come until it first runs short, then waits for the end of
        // the head. So in a head that never ends, a bad line seen in the first piece is refused
        // as malformed, while in a later piece it is never reached (too large, or the stream
        // ends first). Either way nothing reaches a handler.
        const auto refused_or_unfinished = [](Kind k) { return k != Kind::request && k != Kind::bad_target; };
        return (a.kind == Kind::malformed || b.kind == Kind::malformed) && refused_or_unfinished(a.kind) &&
               refused_or_unfinished(b.kind);
    }
    if (!a.request) return true;
    const auto &x = *a.request, &y = *b.request;
    // request_id is left out: a new one is made for each request without a sane one.
    return x.method == y.method && x.target == y.target && x.path == y.path && x.query == y.query &&
           x.headers == y.headers && x.websocket_upgrade == y.websocket_upgrade &&
           x.remote_address == y.remote_address && x.from_loopback == y.from_loopback;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    // The whole input is the stream; its own bytes choose the piece sizes, so that seeds stay
    // plain request heads.
    const std::string_view bytes(reinterpret_cast<const char*>(data), size);
    const auto whole = parse(bytes, {});
    check(same(whole, parse(bytes, bytes)));
    check(same(whole, parse(bytes, std::string_view("\x00", 1))));  // byte by byte
    return 0;
}
