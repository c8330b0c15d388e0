#include "websocket_session.hpp"

#include "metrics.hpp"
#include "server_config.hpp"
#include "store_worker.hpp"

#include "liveticker/protocol/json.hpp"
#include "liveticker/protocol/websocket_frame.hpp"

#include <boost/asio/dispatch.hpp>
#include <boost/asio/post.hpp>
#include <boost/beast/core/bind_handler.hpp>
#include <boost/beast/websocket.hpp>
#include <spdlog/spdlog.h>

#include <variant>

namespace liveticker::server {

namespace websocket = beast::websocket;

namespace {
constexpr auto close_grace = std::chrono::seconds(10);
} // namespace

websocket_session::websocket_session(tcp::socket&& socket, io_lane& lane, const server_context& ctx,
                                     std::unique_ptr<connection_limits::slot> slot)
    : ws_(std::move(socket), ctx.metrics)
    , lane_(lane)
    , ctx_(ctx)
    , slot_(std::move(slot))
    , close_timer_(ws_.get_executor())
    , tokens_(2 * ctx.config.messages_per_second)
    , tokens_at_(std::chrono::steady_clock::now()) {
    ctx_.metrics.connections_open.fetch_add(1, std::memory_order_relaxed);
    ctx_.metrics.websockets_open.fetch_add(1, std::memory_order_relaxed);
    // What a reader that stopped reading can hold is this plus --max-queue-kib, not the
    // megabytes the kernel's autotuning would grow the buffer to meanwhile.
    error_code ec;
    ws_.next_layer().next_layer().set_option(
        net::socket_base::send_buffer_size(static_cast<int>(ctx.config.send_buffer_bytes)), ec);
    if (ec) {
        fail(ec, "websocket send buffer");
    }
}

websocket_session::~websocket_session() {
    spdlog::debug("reader gone: {} subscriptions, close {} {}", subscriptions_.size(),
                  close_sent_ ? close_code_ : 0, close_reason_);
    // The lane drops this reader on its next event for each ticker (it holds weak references):
    // the last reference may go on a store thread, where the lane's followers are out of reach.
    ctx_.metrics.subscriptions.fetch_sub(static_cast<std::int64_t>(subscriptions_.size()),
                                         std::memory_order_relaxed);
    ctx_.hub.leave(this);
    ctx_.metrics.websockets_open.fetch_sub(1, std::memory_order_relaxed);
    ctx_.metrics.connections_open.fetch_sub(1, std::memory_order_relaxed);
}

void websocket_session::run(beast::http::request<beast::http::string_body> upgrade) {
    // Called on the front lane; from here on everything runs on this session's own lane.
    net::dispatch(ws_.get_executor(),
                  [self = shared_from_this(), req = std::move(upgrade)] { self->accept(req); });
}

void websocket_session::accept(const beast::http::request<beast::http::string_body>& upgrade) {
    ws_.next_layer().keep_alive_while_waiting(weak_from_this());
    websocket::stream_base::timeout timeouts{};
    timeouts.handshake_timeout = ctx_.config.handshake_timeout;
    timeouts.idle_timeout = ctx_.config.idle_timeout;
    timeouts.keep_alive_pings = true; // a ping at half the idle time keeps live readers alive
    ws_.set_option(timeouts);
    ws_.read_message_max(ctx_.config.max_frame_bytes);
    ws_.set_option(websocket::stream_base::decorator([](websocket::response_type& res) {
        res.set(beast::http::field::server, "liveticker/0.1");
    }));
    ws_.async_accept(upgrade,
                     beast::bind_front_handler(&websocket_session::on_accept, shared_from_this()));
}

void websocket_session::on_accept(error_code ec) {
    if (ec) {
        return fail(ec, "websocket accept");
    }
    ctx_.hub.join(shared_from_this());
    error_code ignored;
    spdlog::debug("reader connected from {}",
                  ws_.next_layer().next_layer().remote_endpoint(ignored).address().to_string());
    do_read();
}

void websocket_session::do_read() {
    ws_.async_read(buffer_,
                   beast::bind_front_handler(&websocket_session::on_read, shared_from_this()));
}

void websocket_session::on_read(error_code ec, std::size_t) {
    if (ec == websocket::error::message_too_big) {
        // Beast has already sent the close frame with 1009 (message too big).
        ctx_.metrics.bad_frames.fetch_add(1, std::memory_order_relaxed);
        return fail(ec, "websocket read");
    }
    if (ec) {
        return fail(ec, "websocket read");
    }
    if (!ws_.got_text()) {
        ctx_.metrics.bad_frames.fetch_add(1, std::memory_order_relaxed);
        buffer_.consume(buffer_.size());
        close_with(static_cast<std::uint16_t>(websocket::close_code::unknown_data),
                   "binary frames are not part of the protocol", false);
        return;
    }
    const auto data = buffer_.cdata();
    handle_message(std::string_view(static_cast<const char*>(data.data()), data.size()));
    buffer_.consume(buffer_.size());
    if (!close_sent_) {
        do_read();
    }
}

bool websocket_session::take_rate_token() {
    const auto now = std::chrono::steady_clock::now();
    const double rate = ctx_.config.messages_per_second;
    tokens_ = std::min(2 * rate,
                       tokens_ + rate * std::chrono::duration<double>(now - tokens_at_).count());
    tokens_at_ = now;
    if (tokens_ < 1) {
        return false;
    }
    tokens_ -= 1;
    return true;
}

void websocket_session::handle_message(std::string_view text) {
    if (!take_rate_token()) {
        ctx_.metrics.messages_rate_limited.fetch_add(1, std::memory_order_relaxed);
        if (++refused_messages_ > ctx_.config.max_refused_messages) {
            return close_with(static_cast<std::uint16_t>(websocket::close_code::policy_error),
                              "too many messages", false);
        }
        return send_error("rate_limited", "too many messages; slow down");
    }
    protocol::client_message message;
    try {
        message = protocol::decode_client_message(text);
    } catch (const protocol::decode_error& e) {
        ctx_.metrics.bad_frames.fetch_add(1, std::memory_order_relaxed);
        const std::string where = e.field().empty() ? std::string() : e.field() + ": ";
        return send_error("bad_request", where + e.what());
    }
    try {
        std::visit([this](const auto& req) { handle(req); }, message);
    } catch (const std::exception& e) {
        // A bug must cost one request, not the connection or the server.
        spdlog::error("reader request failed: {}", e.what());
        send_error("internal", "the request could not be completed");
    }
}

void websocket_session::handle(const protocol::subscribe_request& req) {
    const bool already = subscriptions_.contains(req.ticker);
    if (!already && subscriptions_.size() >= ctx_.config.max_subscriptions) {
        return send_error("too_many_subscriptions",
                          "one connection follows at most " +
                              std::to_string(ctx_.config.max_subscriptions) + " tickers",
                          req.ticker);
    }
    auto start = ctx_.hub.subscribe(req);
    if (start.outcome == subscription_start::kind::not_found) {
        return send_error("not_found", "no ticker '" + req.ticker + "'", req.ticker);
    }
    if (!already) {
        ctx_.metrics.subscriptions.fetch_add(1, std::memory_order_relaxed);
        lane_.follow(req.ticker, shared_from_this());
    }
    // Queued now, on the lane's thread: events published meanwhile reach this reader through
    // the lane, after these frames, and those up to start.seq are dropped by queue_event.
    subscriptions_[req.ticker] = subscription{req.ord, start.seq};
    if (!enqueue(std::move(start.first_frame))) {
        return;
    }
    for (auto& ev : start.replay) {
        if (!enqueue(std::shared_ptr<const std::string>(ev, &ev->frame))) {
            return;
        }
    }
    ws_.next_layer().flush();
}

void websocket_session::handle(const protocol::more_request& req) {
    if (const auto it = subscriptions_.find(req.ticker);
        it != subscriptions_.end() && it->second.ord != req.after.ord) {
        return send_error("bad_request", "cursor: the cursor belongs to the other order",
                          req.ticker);
    }
    page_request page{req.ticker, req.after.ord, req.limit, req.after};
    ctx_.store.read([self = shared_from_this(), page](entry_store& store) {
        std::string json;
        try {
            const auto result = store.list_entries(page);
            json = protocol::encode_page(page.ticker, page.ord, result.entries, result.next);
        } catch (const store_error&) {
            json = protocol::encode_ws_error("not_found", "no ticker '" + page.ticker + "'",
                                             page.ticker);
        } catch (const std::exception& e) {
            spdlog::error("store failed reading a page of {}: {}", page.ticker, e.what());
            json = protocol::encode_ws_error("internal", "could not read the page", page.ticker);
        }
        net::post(self->ws_.get_executor(), [self, json = std::move(json)] { self->send(json); });
    });
}

void websocket_session::handle(const protocol::unsubscribe_request& req) {
    const auto it = subscriptions_.find(req.ticker);
    if (it == subscriptions_.end()) {
        return send_error("not_subscribed", "not subscribed to '" + req.ticker + "'", req.ticker);
    }
    subscriptions_.erase(it);
    lane_.unfollow(req.ticker, this);
    ctx_.metrics.subscriptions.fetch_sub(1, std::memory_order_relaxed);
}

void websocket_session::send_error(std::string_view code, std::string_view message,
                                   std::string_view ticker) {
    send(protocol::encode_ws_error(code, message, ticker));
}

void websocket_session::send(std::string_view json) {
    if (enqueue(std::make_shared<const std::string>(protocol::websocket_text_frame(json)))) {
        ws_.next_layer().flush();
    }
}

bool websocket_session::queue_event(const std::shared_ptr<const published_event>& ev) {
    const auto it = subscriptions_.find(ev->ticker);
    if (it == subscriptions_.end() || ev->seq <= it->second.last_seq) {
        return false; // unsubscribed meanwhile, or already part of the snapshot or replay
    }
    if (ev->seq != it->second.last_seq + 1) {
        spdlog::error("ticker {}: reader skipped from seq {} to {}", ev->ticker,
                      it->second.last_seq, ev->seq);
    }
    it->second.last_seq = ev->seq;
    if (!enqueue(std::shared_ptr<const std::string>(ev, &ev->frame)) || flush_pending_) {
        return false;
    }
    flush_pending_ = true;
    return true;
}

void websocket_session::flush_events() {
    flush_pending_ = false;
    ws_.next_layer().flush();
}

void websocket_session::shut_down() {
    net::post(ws_.get_executor(), [self = shared_from_this()] {
        self->close_with(static_cast<std::uint16_t>(websocket::close_code::going_away),
                         "server shutting down", true);
    });
}

bool websocket_session::enqueue(std::shared_ptr<const std::string> frame) {
    if (closing_) {
        return false;
    }
    auto& out = ws_.next_layer();
    if (out.queued_bytes() + frame->size() > ctx_.config.max_queue_bytes) {
        ctx_.metrics.slow_readers_dropped.fetch_add(1, std::memory_order_relaxed);
        spdlog::info("closing a slow reader: {} bytes queued", out.queued_bytes());
        close_with(close_slow_reader,
                   "slow reader: send queue over " +
                       std::to_string(ctx_.config.max_queue_bytes / 1024) + " KiB",
                   false);
        return false;
    }
    out.push(std::move(frame));
    return true;
}

void websocket_session::close_with(std::uint16_t code, std::string reason, bool flush) {
    if (closing_) {
        return;
    }
    closing_ = true;
    close_code_ = code;
    close_reason_ = std::move(reason);
    if (!flush) {
        ws_.next_layer().drop_queued();
    }
    // A reader that never reads again would hold the close (and this session) forever.
    close_timer_.expires_after(close_grace);
    close_timer_.async_wait([self = shared_from_this()](error_code ec) {
        if (!ec) {
            error_code ignored;
            self->ws_.next_layer().next_layer().close(ignored);
        }
    });
    // The close frame is queued behind what is left in the queue.
    close_sent_ = true;
    websocket::close_reason why;
    why.code = close_code_;
    const auto text = std::string_view(close_reason_).substr(0, why.reason.max_size());
    why.reason.assign(text.data(), text.size());
    ws_.async_close(why, [self = shared_from_this()](error_code ec) {
        self->close_timer_.cancel();
        if (ec) {
            fail(ec, "websocket close");
        }
    });
}

} // namespace liveticker::server
