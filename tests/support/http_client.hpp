#pragma once
// A blocking HTTP/1.1 client for tests: one connection, kept alive across requests.
#include <map>
#include <string>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>

namespace va::test {

struct HttpReply {
    unsigned status = 0;
    std::string body;
    std::map<std::string, std::string> headers;  // lower-case names
    bool keep_alive = false;
};

class HttpClient {
public:
    explicit HttpClient(unsigned short port, std::string host = "127.0.0.1");
    HttpReply request(const std::string& method, const std::string& target, const std::string& body = "",
                      const std::map<std::string, std::string>& headers = {});
    // Sends raw bytes and reads one response (for malformed requests).
    HttpReply raw(const std::string& bytes);
    bool closed_by_peer();  // true when the server has closed the connection

private:
    HttpReply read_reply();
    boost::asio::io_context io_;
    boost::beast::tcp_stream stream_;
    boost::beast::flat_buffer buffer_;
};

}  // namespace va::test
