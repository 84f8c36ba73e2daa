#pragma once
// Internal to net/: a stream layer under a server WebSocket that lets its writer send several
// messages with one send(). Beast writes each WebSocket message with a send of its own; a media
// chunk and the mark after it are two, and on a socket each send costs the kernel more than the
// message costs us. While `hold()` is on, writes are copied into a buffer and complete at once
// (through the executor, never inside the call that started them); `async_flush()` sends the
// buffer and turns the hold off. Reads pass through.
#include <cstddef>
#include <string>
#include <utility>

#include <boost/asio/append.hpp>
#include <boost/asio/async_result.hpp>
#include <boost/asio/buffer.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/role.hpp>
#include <boost/beast/websocket/teardown.hpp>
#include <boost/system/error_code.hpp>

namespace va::net {

template <typename NextLayer>
class BatchedStream {
public:
    using executor_type = typename NextLayer::executor_type;

    explicit BatchedStream(NextLayer next) : next_(std::move(next)) {}

    NextLayer& next_layer() { return next_; }
    const NextLayer& next_layer() const { return next_; }
    executor_type get_executor() { return next_.get_executor(); }

    // (A batch is usually a media chunk and its mark: about 1.3 KB.)
    void hold() {
        holding_ = true;
        held_.reserve(2048);
    }

    template <typename MutableBuffers, typename Token>
    auto async_read_some(const MutableBuffers& buffers, Token&& token) {
        return next_.async_read_some(buffers, std::forward<Token>(token));
    }

    template <typename ConstBuffers, typename Token>
    auto async_write_some(const ConstBuffers& buffers, Token&& token) {
        return boost::asio::async_initiate<Token, void(boost::system::error_code, std::size_t)>(
            [this](auto handler, const ConstBuffers& data) {
                if (!holding_) {
                    next_.async_write_some(data, std::move(handler));
                    return;
                }
                std::size_t n = 0;
                for (auto it = boost::asio::buffer_sequence_begin(data); it != boost::asio::buffer_sequence_end(data); ++it) {
                    const boost::asio::const_buffer piece(*it);
                    held_.append(static_cast<const char*>(piece.data()), piece.size());
                    n += piece.size();
                }
                boost::asio::post(next_.get_executor(), boost::asio::append(std::move(handler), boost::system::error_code{}, n));
            },
            token, buffers);
    }

    // Sends what was held, in one write, and stops holding.
    template <typename Token>
    auto async_flush(Token&& token) {
        holding_ = false;
        return boost::asio::async_initiate<Token, void(boost::system::error_code)>(
            [this](auto handler) {
                boost::asio::async_write(next_, boost::asio::buffer(held_),
                                         [this, handler = std::move(handler)](boost::system::error_code ec, std::size_t) mutable {
                                             // Freed: a call that goes quiet keeps no buffer (memory
                                             // per idle stream); one allocation a batch.
                                             std::string().swap(held_);
                                             std::move(handler)(ec);
                                         });
            },
            token);
    }

private:
    NextLayer next_;
    bool holding_ = false;
    std::string held_;
};

// Closing the WebSocket closes the layer under this one.
template <typename NextLayer>
void teardown(boost::beast::role_type role, BatchedStream<NextLayer>& stream, boost::system::error_code& ec) {
    using boost::beast::websocket::teardown;
    teardown(role, stream.next_layer(), ec);
}

template <typename NextLayer, typename Handler>
void async_teardown(boost::beast::role_type role, BatchedStream<NextLayer>& stream, Handler&& handler) {
    using boost::beast::websocket::async_teardown;
    async_teardown(role, stream.next_layer(), std::forward<Handler>(handler));
}

}  // namespace va::net
