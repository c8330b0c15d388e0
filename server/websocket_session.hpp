// One reader's WebSocket: reads its requests (subscribe, more, unsubscribe), and writes
// snapshots, pages and live events through its own write queue, bounded in bytes. A reader
// that falls further behind than the bound is closed (4008) and resumes when it reconnects.
#pragma once

#include "connection_limits.hpp"
#include "net.hpp"
#include "server_context.hpp"
#include "ticker_hub.hpp"

#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/message.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/websocket/stream.hpp>

#include <deque>
#include <map>
#include <memory>
#include <string>

namespace liveticker::server {

class websocket_session final : public subscriber,
                                public std::enable_shared_from_this<websocket_session> {
public:
    /// Close code for a reader whose send queue passed the limit (application range).
    static constexpr std::uint16_t close_slow_reader = 4008;

    websocket_session(tcp::socket&& socket, const server_context& ctx,
                      std::unique_ptr<connection_limits::slot> slot);
    ~websocket_session() override;

    /// Completes the upgrade of an HTTP request already read.
    void run(beast::http::request<beast::http::string_body> upgrade);

    // subscriber: both hop onto this session's strand.
    void deliver(std::shared_ptr<const published_event> ev) override;
    void shut_down() override;

private:
    struct subscription {
        protocol::order ord = protocol::order::newest;
        std::int64_t last_seq = 0; ///< the newest seq this reader has been sent
    };

    void on_accept(error_code ec);
    void do_read();
    void on_read(error_code ec, std::size_t bytes);
    void handle_message(std::string_view text);
    /// Takes a token from the reader's bucket; false when it sends faster than allowed.
    bool take_rate_token();
    void handle(const protocol::subscribe_request& req);
    void handle(const protocol::more_request& req);
    void handle(const protocol::unsubscribe_request& req);
    void on_event(const std::shared_ptr<const published_event>& ev);
    void send_error(std::string_view code, std::string_view message, std::string_view ticker = {});

    void enqueue(std::shared_ptr<const std::string> frame);
    void do_write();
    void on_write(error_code ec, std::size_t bytes);
    /// Starts the closing handshake. `flush`: after what is queued (shutdown); otherwise at
    /// once, dropping the queue (a slow reader). A timer ends it if the peer never answers.
    void close_with(std::uint16_t code, std::string reason, bool flush);
    void do_close();

    beast::websocket::stream<beast::tcp_stream> ws_;
    beast::flat_buffer buffer_;
    const server_context& ctx_;
    std::unique_ptr<connection_limits::slot> slot_;
    net::steady_timer close_timer_;

    // Token bucket for the reader's own messages.
    double tokens_ = 0;
    std::chrono::steady_clock::time_point tokens_at_;
    unsigned refused_messages_ = 0;

    std::deque<std::shared_ptr<const std::string>> queue_;
    std::size_t queued_bytes_ = 0;
    bool writing_ = false;
    bool closing_ = false; ///< no more frames are queued
    bool close_after_flush_ = false;
    bool close_sent_ = false;
    std::uint16_t close_code_ = 1000;
    std::string close_reason_;

    std::map<std::string, subscription, std::less<>> subscriptions_;
};

} // namespace liveticker::server
