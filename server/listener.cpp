#include "listener.hpp"

#include "http_session.hpp"
#include "io_lane.hpp"
#include "metrics.hpp"
#include "server_config.hpp"

#include <boost/asio/dispatch.hpp>
#include <boost/asio/post.hpp>
#include <boost/beast/core/bind_handler.hpp>
#include <spdlog/spdlog.h>

namespace liveticker::server {

listener::listener(io_lanes& lanes, const tcp::endpoint& endpoint, const server_context& ctx)
    // A strand, so that stop() may be called from any thread.
    : lanes_(lanes)
    , acceptor_(net::make_strand(lanes.front().context()))
    , retry_timer_(acceptor_.get_executor())
    , ctx_(ctx)
    , limits_(std::make_shared<connection_limits>(ctx.config.max_connections,
                                                  ctx.config.max_connections_per_address)) {
    acceptor_.open(endpoint.protocol());
    acceptor_.set_option(net::socket_base::reuse_address(true));
    acceptor_.bind(endpoint);
    acceptor_.listen(net::socket_base::max_listen_connections);
}

void listener::run() {
    net::dispatch(acceptor_.get_executor(),
                  beast::bind_front_handler(&listener::do_accept, shared_from_this()));
}

void listener::stop() {
    net::post(acceptor_.get_executor(), [self = shared_from_this()] {
        error_code ec;
        self->acceptor_.close(ec);
        self->retry_timer_.cancel();
    });
}

tcp::endpoint listener::local_endpoint() const {
    return acceptor_.local_endpoint();
}

void listener::do_accept() {
    // A lane's single thread runs all the handlers of its connections: they never run
    // concurrently and need no strand or locks of their own.
    acceptor_.async_accept(lanes_.front().context(),
                           beast::bind_front_handler(&listener::on_accept, shared_from_this()));
}

void listener::on_accept(error_code ec, tcp::socket socket) {
    if (ec == net::error::operation_aborted) {
        return; // stop() closed the acceptor
    }
    if (ec) {
        // Running out of file descriptors must not end accepting for good, nor spin: log,
        // wait a moment for connections to close, and accept again.
        fail(ec, "accept");
        retry_timer_.expires_after(std::chrono::milliseconds(100));
        retry_timer_.async_wait([self = shared_from_this()](error_code wait_ec) {
            if (!wait_ec && self->acceptor_.is_open()) {
                self->do_accept();
            }
        });
        return;
    }
    {
        error_code ignored;
        const auto address = socket.remote_endpoint(ignored).address().to_string();
        if (auto slot = limits_->try_acquire(address)) {
            socket.set_option(tcp::no_delay(true), ignored); // live events are small and urgent
            std::make_shared<http_session>(std::move(socket), lanes_, ctx_, std::move(slot))->run();
        } else {
            ctx_.metrics.connections_refused.fetch_add(1, std::memory_order_relaxed);
            spdlog::debug("refused a connection from {}: connection cap reached", address);
            socket.close(ignored);
        }
    }
    if (acceptor_.is_open()) {
        do_accept();
    }
}

} // namespace liveticker::server
