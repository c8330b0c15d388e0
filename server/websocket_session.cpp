#include "websocket_session.hpp"

#include "metrics.hpp"
#include "server_config.hpp"
#include "store_worker.hpp"

#include "liveticker/protocol/json.hpp"

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

websocket_session::websocket_session(tcp::socket&& socket, const server_context& ctx,
                                     std::unique_ptr<connection_limits::slot> slot)
    : ws_(std::move(socket))
    , ctx_(ctx)
    , slot_(std::move(slot))
    , close_timer_(ws_.get_executor())
    , tokens_(2 * ctx.config.messages_per_second)
    , tokens_at_(std::chrono::steady_clock::now()) {
    ctx_.metrics.connections_open.fetch_add(1, std::memory_order_relaxed);
    ctx_.metrics.websockets_open.fetch_add(1, std::memory_order_relaxed);
}

websocket_session::~websocket_session() {
    spdlog::debug("reader gone: {} subscriptions, close {} {}", subscriptions_.size(),
                  close_sent_ ? close_code_ : 0, close_reason_);
    for (const auto& [ticker, _] : subscriptions_) {
        ctx_.hub.unsubscribe(ticker, this);
    }
    ctx_.metrics.subscriptions.fetch_sub(static_cast<std::int64_t>(subscriptions_.size()),
                                         std::memory_order_relaxed);
    ctx_.hub.leave(this);
    ctx_.metrics.websockets_open.fetch_sub(1, std::memory_order_relaxed);
    ctx_.metrics.connections_open.fetch_sub(1, std::memory_order_relaxed);
}

void websocket_session::run(beast::http::request<beast::http::string_body> upgrade) {
    // The WebSocket has its own timeouts (below); the TCP stream's would cut live readers off.
    beast::get_lowest_layer(ws_).expires_never();
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
    spdlog::debug(
        "reader connected from {}",
        beast::get_lowest_layer(ws_).socket().remote_endpoint(ignored).address().to_string());
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
    auto start = ctx_.hub.subscribe(req, shared_from_this());
    if (start.outcome == subscription_start::kind::not_found) {
        return send_error("not_found", "no ticker '" + req.ticker + "'", req.ticker);
    }
    if (!already) {
        ctx_.metrics.subscriptions.fetch_add(1, std::memory_order_relaxed);
    }
    // Enqueued now, on this strand: events published meanwhile arrive through the strand too,
    // so they queue up behind these frames and are filtered by last_seq.
    subscriptions_[req.ticker] = subscription{req.ord, start.seq};
    enqueue(std::move(start.first_frame));
    for (auto& ev : start.replay) {
        enqueue(std::shared_ptr<const std::string>(ev, &ev->frame));
    }
}

void websocket_session::handle(const protocol::more_request& req) {
    if (const auto it = subscriptions_.find(req.ticker);
        it != subscriptions_.end() && it->second.ord != req.after.ord) {
        return send_error("bad_request", "cursor: the cursor belongs to the other order",
                          req.ticker);
    }
    page_request page{req.ticker, req.after.ord, req.limit, req.after};
    ctx_.store.read([self = shared_from_this(), page](entry_store& store) {
        std::shared_ptr<const std::string> frame;
        try {
            const auto result = store.list_entries(page);
            frame = std::make_shared<const std::string>(
                protocol::encode_page(page.ticker, page.ord, result.entries, result.next));
        } catch (const store_error&) {
            frame = std::make_shared<const std::string>(protocol::encode_ws_error(
                "not_found", "no ticker '" + page.ticker + "'", page.ticker));
        } catch (const std::exception& e) {
            spdlog::error("store failed reading a page of {}: {}", page.ticker, e.what());
            frame = std::make_shared<const std::string>(
                protocol::encode_ws_error("internal", "could not read the page", page.ticker));
        }
        net::post(self->ws_.get_executor(),
                  [self, frame = std::move(frame)]() mutable { self->enqueue(std::move(frame)); });
    });
}

void websocket_session::handle(const protocol::unsubscribe_request& req) {
    const auto it = subscriptions_.find(req.ticker);
    if (it == subscriptions_.end()) {
        return send_error("not_subscribed", "not subscribed to '" + req.ticker + "'", req.ticker);
    }
    subscriptions_.erase(it);
    ctx_.hub.unsubscribe(req.ticker, this);
    ctx_.metrics.subscriptions.fetch_sub(1, std::memory_order_relaxed);
}

void websocket_session::send_error(std::string_view code, std::string_view message,
                                   std::string_view ticker) {
    enqueue(std::make_shared<const std::string>(protocol::encode_ws_error(code, message, ticker)));
}

void websocket_session::deliver(std::shared_ptr<const published_event> ev) {
    net::post(ws_.get_executor(),
              [self = shared_from_this(), ev = std::move(ev)] { self->on_event(ev); });
}

void websocket_session::on_event(const std::shared_ptr<const published_event>& ev) {
    const auto it = subscriptions_.find(ev->ticker);
    if (it == subscriptions_.end() || ev->seq <= it->second.last_seq) {
        return; // unsubscribed meanwhile, or already part of the snapshot or replay
    }
    if (ev->seq != it->second.last_seq + 1) {
        spdlog::error("ticker {}: reader skipped from seq {} to {}", ev->ticker,
                      it->second.last_seq, ev->seq);
    }
    it->second.last_seq = ev->seq;
    enqueue(std::shared_ptr<const std::string>(ev, &ev->frame));
}

void websocket_session::shut_down() {
    net::post(ws_.get_executor(), [self = shared_from_this()] {
        self->close_with(static_cast<std::uint16_t>(websocket::close_code::going_away),
                         "server shutting down", true);
    });
}

void websocket_session::enqueue(std::shared_ptr<const std::string> frame) {
    if (closing_) {
        return;
    }
    if (queued_bytes_ + frame->size() > ctx_.config.max_queue_bytes) {
        ctx_.metrics.slow_readers_dropped.fetch_add(1, std::memory_order_relaxed);
        spdlog::info("closing a slow reader: {} bytes queued", queued_bytes_);
        return close_with(close_slow_reader,
                          "slow reader: send queue over " +
                              std::to_string(ctx_.config.max_queue_bytes / 1024) + " KiB",
                          false);
    }
    queued_bytes_ += frame->size();
    queue_.push_back(std::move(frame));
    if (!writing_) {
        do_write();
    }
}

void websocket_session::do_write() {
    writing_ = true;
    ws_.text(true);
    ws_.async_write(net::buffer(*queue_.front()),
                    beast::bind_front_handler(&websocket_session::on_write, shared_from_this()));
}

void websocket_session::on_write(error_code ec, std::size_t bytes) {
    writing_ = false;
    if (ec) {
        return fail(ec, "websocket write");
    }
    ctx_.metrics.frames_sent.fetch_add(1, std::memory_order_relaxed);
    ctx_.metrics.bytes_sent.fetch_add(bytes, std::memory_order_relaxed);
    queued_bytes_ -= queue_.front()->size();
    queue_.pop_front();
    if (!queue_.empty()) {
        return do_write();
    }
    if (close_after_flush_) {
        do_close();
    }
}

void websocket_session::close_with(std::uint16_t code, std::string reason, bool flush) {
    if (closing_) {
        return;
    }
    closing_ = true;
    close_code_ = code;
    close_reason_ = std::move(reason);
    if (!flush) {
        // Keep only the frame being written: Beast finishes it before the close frame.
        while (queue_.size() > (writing_ ? 1u : 0u)) {
            queued_bytes_ -= queue_.back()->size();
            queue_.pop_back();
        }
    }
    if (queue_.empty() || !flush) {
        do_close();
    } else {
        close_after_flush_ = true;
    }
    // A reader that never reads again would hold the close (and this session) forever.
    close_timer_.expires_after(close_grace);
    close_timer_.async_wait([self = shared_from_this()](error_code ec) {
        if (!ec) {
            error_code ignored;
            beast::get_lowest_layer(self->ws_).socket().close(ignored);
        }
    });
}

void websocket_session::do_close() {
    if (close_sent_) {
        return;
    }
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
