// One reader's WebSocket: reads its requests (subscribe, more, unsubscribe), and writes
// snapshots, pages and live events through its own write queue (in queued_socket), bounded in
// bytes. A reader that falls further behind than the bound is closed (4008) and resumes when it
// reconnects. The session lives on one I/O lane's thread; every handler runs there.
#pragma once

#include "connection_limits.hpp"
#include "io_lane.hpp"
#include "net.hpp"
#include "queued_socket.hpp"
#include "server_context.hpp"
#include "ticker_hub.hpp"

#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/message.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/websocket/stream.hpp>

#include <map>
#include <memory>
#include <string>

namespace liveticker::server {

class websocket_session final : public subscriber,
                                public event_reader,
                                public std::enable_shared_from_this<websocket_session> {
public:
    /// Close code for a reader whose send queue passed the limit (application range).
    static constexpr std::uint16_t close_slow_reader = 4008;

    /// `socket` must belong to `lane`'s io_context.
    websocket_session(tcp::socket&& socket, io_lane& lane, const server_context& ctx,
                      std::unique_ptr<connection_limits::slot> slot);
    ~websocket_session() override;

    /// Completes the upgrade of an HTTP request already read.
    void run(beast::http::request<beast::http::string_body> upgrade);

    // subscriber: hops onto the lane's thread.
    void shut_down() override;
    // event_reader: on the lane's thread.
    bool queue_event(const std::shared_ptr<const published_event>& ev) override;
    void flush_events() override;

private:
    struct subscription {
        protocol::order ord = protocol::order::newest;
        std::int64_t last_seq = 0; ///< the newest seq this reader has been sent
    };

    void accept(const beast::http::request<beast::http::string_body>& upgrade);
    void on_accept(error_code ec);
    void do_read();
    void on_read(error_code ec, std::size_t bytes);
    void handle_message(std::string_view text);
    /// Takes a token from the reader's bucket; false when it sends faster than allowed.
    bool take_rate_token();
    void handle(const protocol::subscribe_request& req);
    void handle(const protocol::more_request& req);
    void handle(const protocol::unsubscribe_request& req);
    void send_error(std::string_view code, std::string_view message, std::string_view ticker = {});
    /// Frames `json` and sends it now.
    void send(std::string_view json);

    /// Queues a complete WebSocket frame; false when the reader was closed as too slow.
    bool enqueue(std::shared_ptr<const std::string> frame);
    /// Starts the closing handshake. `flush`: after what is queued (shutdown); otherwise at
    /// once, dropping the queue (a slow reader). A timer ends it if the peer never answers.
    void close_with(std::uint16_t code, std::string reason, bool flush);

    beast::websocket::stream<queued_socket> ws_;
    beast::flat_buffer buffer_;
    io_lane& lane_;
    const server_context& ctx_;
    std::unique_ptr<connection_limits::slot> slot_;
    net::steady_timer close_timer_;

    // Token bucket for the reader's own messages.
    double tokens_ = 0;
    std::chrono::steady_clock::time_point tokens_at_;
    unsigned refused_messages_ = 0;

    bool flush_pending_ = false; ///< events queued since the lane last flushed this reader
    bool closing_ = false;       ///< no more frames are queued
    bool close_sent_ = false;
    std::uint16_t close_code_ = 1000;
    std::string close_reason_;

    std::map<std::string, subscription, std::less<>> subscriptions_;
};

} // namespace liveticker::server
