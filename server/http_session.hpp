// One HTTP connection: reads requests one at a time, answers static files, health, metrics and
// the editor API, and hands a WebSocket upgrade on /ws over to a websocket_session.
#pragma once

#include "connection_limits.hpp"
#include "net.hpp"
#include "server_context.hpp"

#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/message_generator.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/string_body.hpp>

#include <chrono>
#include <memory>
#include <optional>

namespace liveticker::server {

class io_lanes;

class http_session : public std::enable_shared_from_this<http_session> {
public:
    /// `socket` belongs to the front lane; a WebSocket moves on to a reader lane.
    http_session(tcp::socket&& socket, io_lanes& lanes, const server_context& ctx,
                 std::unique_ptr<connection_limits::slot> slot);
    ~http_session();

    void run();

private:
    void do_read();
    void on_read(error_code ec, std::size_t bytes);
    void handle_request();
    void send(beast::http::message_generator&& msg, bool keep_alive);
    void on_write(bool keep_alive, error_code ec, std::size_t bytes);
    void do_close();

    beast::tcp_stream stream_;
    beast::flat_buffer buffer_;
    io_lanes& lanes_;
    const server_context& ctx_;
    std::unique_ptr<connection_limits::slot> slot_; // moves on to the WebSocket on upgrade
    // A fresh parser per request: it carries the body and header limits.
    std::optional<beast::http::request_parser<beast::http::string_body>> parser_;
    std::chrono::steady_clock::time_point started_;
};

} // namespace liveticker::server
