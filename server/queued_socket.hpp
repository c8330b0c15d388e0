// The TCP socket under a reader's WebSocket, with the reader's send queue in it.
//
// Beast writes one message per async_write, each a syscall and a chain of handlers (Beast has
// no gather write, boostorg/beast#2033). A live event goes to every reader as the same bytes,
// so tickerd frames it once (protocol/websocket_frame.hpp) and queues the shared frame here;
// the queue is written with as few gather writes (writev) as the kernel takes, directly when
// the socket has room, and only waits for the reactor when it has not. Under load a reader's
// queue holds several frames, and they leave in one syscall instead of one each.
//
// Beast's websocket::stream sits on top, for reading, the handshake and control frames: its
// own writes (the 101 response, pong, ping, close) are copied into the same queue, so frames
// never interleave, and a close frame leaves after what was queued before it.
#pragma once

#include "net.hpp"

#include <boost/asio/async_result.hpp>
#include <boost/asio/buffer.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core/bind_handler.hpp>
#include <boost/beast/websocket/teardown.hpp>

#include <cstddef>
#include <memory>
#include <string>
#include <vector>

namespace liveticker::server {

class metrics;

class queued_socket {
public:
    using executor_type = tcp::socket::executor_type;

    queued_socket(tcp::socket&& socket, server::metrics& m);

    executor_type get_executor() noexcept { return socket_.get_executor(); }
    /// The socket itself: Beast closes it on a timeout (get_lowest_layer).
    tcp::socket& next_layer() noexcept { return socket_; }

    /// What the asynchronous wait for room in the socket keeps alive (the session).
    void keep_alive_while_waiting(std::weak_ptr<void> owner) { owner_ = std::move(owner); }

    /// Queues `frame`; it is written on the next flush(). Ignored once the socket failed.
    void push(std::shared_ptr<const std::string> frame);
    /// Writes what the socket takes now; waits for room (asynchronously) for the rest.
    void flush();
    /// Drops every queued frame except one already partly written (it must be completed, or
    /// the stream would be corrupt), e.g. before an immediate close frame.
    void drop_queued();
    std::size_t queued_bytes() const noexcept { return queued_bytes_; }

    template <class MutableBufferSequence, class ReadHandler>
    auto async_read_some(const MutableBufferSequence& buffers, ReadHandler&& handler) {
        return socket_.async_read_some(buffers, std::forward<ReadHandler>(handler));
    }

    /// Beast's writes: the bytes are copied into the queue and reported written at once, in
    /// order with the frames pushed before them.
    template <class ConstBufferSequence, class WriteHandler>
    auto async_write_some(const ConstBufferSequence& buffers, WriteHandler&& handler) {
        return net::async_initiate<WriteHandler, void(error_code, std::size_t)>(
            [this](auto handler, const ConstBufferSequence& bufs) {
                const std::size_t n = net::buffer_size(bufs);
                if (!failed_) {
                    auto copy = std::make_shared<std::string>(n, '\0');
                    net::buffer_copy(net::buffer(copy->data(), copy->size()), bufs);
                    push(std::move(copy));
                    flush();
                }
                net::post(
                    socket_.get_executor(),
                    beast::bind_front_handler(std::move(handler), failure(), failed_ ? 0 : n));
            },
            handler, buffers);
    }

    /// Calls `handler(ec)` once everything queued is written, or the socket failed.
    template <class Handler>
    void async_wait_flushed(Handler&& handler) {
        if (head_ == queue_.size() || failed_) {
            net::post(socket_.get_executor(),
                      beast::bind_front_handler(std::forward<Handler>(handler), failure()));
            return;
        }
        flush_awaited_ = true;
        flushed_.async_wait([this, h = std::forward<Handler>(handler)](error_code) mutable {
            std::move(h)(failure());
        });
    }

private:
    void write_now();
    void wait_for_room();
    void fail_writes(error_code ec);
    void pop_front();
    /// Wakes async_wait_flushed: the queue is empty, or will never empty (the socket failed).
    void wake_flush_waiter();
    error_code failure() const {
        return failed_ ? error_code(net::error::broken_pipe) : error_code();
    }

    tcp::socket socket_;
    server::metrics& metrics_;
    std::weak_ptr<void> owner_;
    /// Never expires: cancelled when the queue empties, to wake async_wait_flushed.
    net::steady_timer flushed_;

    // A vector used as a FIFO (head_ is the front): an idle reader's queue costs no memory,
    // where a std::deque would allocate its first block for every connection.
    std::vector<std::shared_ptr<const std::string>> queue_;
    std::size_t head_ = 0;
    std::size_t queued_bytes_ = 0;
    std::size_t front_written_ = 0; ///< bytes of queue_[head_] already sent
    bool waiting_ = false;          ///< an async_wait for room is pending
    bool failed_ = false;
    bool flush_awaited_ = false; ///< someone waits on flushed_
};

/// Beast's closing handshake ends here: the close frame must be on the wire (the queue empty)
/// before the TCP side is shut down, as Beast does for a plain socket.
template <class TeardownHandler>
void async_teardown(beast::role_type role, queued_socket& s, TeardownHandler&& handler) {
    s.async_wait_flushed(
        [&s, role, h = std::forward<TeardownHandler>(handler)](error_code ec) mutable {
            if (ec) {
                return std::move(h)(ec);
            }
            beast::websocket::async_teardown(role, s.next_layer(), std::move(h));
        });
}

/// The synchronous teardown Beast's blocking calls use; tickerd makes none, but Beast's
/// stream names it.
void teardown(beast::role_type role, queued_socket& s, error_code& ec);

} // namespace liveticker::server
