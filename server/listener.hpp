// Accepts connections onto the front lane and starts an http_session for each.
#pragma once

#include "connection_limits.hpp"
#include "net.hpp"
#include "server_context.hpp"

#include <boost/asio/steady_timer.hpp>

#include <memory>

namespace liveticker::server {

class io_lanes;

class listener : public std::enable_shared_from_this<listener> {
public:
    /// Binds and listens; throws boost::system::system_error naming the address when it can't.
    listener(io_lanes& lanes, const tcp::endpoint& endpoint, const server_context& ctx);

    void run();
    /// Stops accepting; connections already open carry on.
    void stop();
    /// The port actually bound (useful with port 0).
    tcp::endpoint local_endpoint() const;

private:
    void do_accept();
    void on_accept(error_code ec, tcp::socket socket);

    io_lanes& lanes_;
    tcp::acceptor acceptor_;
    net::steady_timer retry_timer_; // paces accepting after an error such as EMFILE
    const server_context& ctx_;
    std::shared_ptr<connection_limits> limits_;
};

} // namespace liveticker::server
