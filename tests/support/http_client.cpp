#include "support/http_client.hpp"

#include <algorithm>

#include <boost/asio/connect.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/http.hpp>

namespace va::test {

namespace http = boost::beast::http;
using boost::asio::ip::tcp;

HttpClient::HttpClient(unsigned short port, std::string host) : stream_(io_) {
    stream_.connect(tcp::endpoint(boost::asio::ip::make_address(host), port));
}

HttpReply HttpClient::read_reply() {
    http::response_parser<http::string_body> parser;
    parser.body_limit(64 * 1024 * 1024);
    http::read(stream_, buffer_, parser);
    auto& res = parser.get();
    HttpReply reply;
    reply.status = res.result_int();
    reply.body = res.body();
    reply.keep_alive = res.keep_alive();
    for (const auto& field : res) {
        std::string name(field.name_string());
        std::transform(name.begin(), name.end(), name.begin(), [](unsigned char c) { return std::tolower(c); });
        reply.headers[name] = std::string(field.value());
    }
    return reply;
}

HttpReply HttpClient::request(const std::string& method, const std::string& target, const std::string& body,
                              const std::map<std::string, std::string>& headers) {
    http::request<http::string_body> req{http::string_to_verb(method), target, 11};
    req.set(http::field::host, "localhost");
    // As an API client does: JSON whenever it sends or changes something (a test may override it).
    if (!body.empty() || (method != "GET" && method != "HEAD")) req.set(http::field::content_type, "application/json");
    for (const auto& [k, v] : headers) req.set(k, v);
    req.body() = body;
    req.prepare_payload();
    http::write(stream_, req);
    return read_reply();
}

HttpReply HttpClient::raw(const std::string& bytes) {
    boost::asio::write(stream_, boost::asio::buffer(bytes));
    return read_reply();
}

bool HttpClient::closed_by_peer() {
    char byte;
    boost::system::error_code ec;
    stream_.socket().read_some(boost::asio::buffer(&byte, 1), ec);
    return ec == boost::asio::error::eof || ec == boost::asio::error::connection_reset;
}

}  // namespace va::test
