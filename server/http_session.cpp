#include "http_session.hpp"

#include "editor_api.hpp"
#include "io_lane.hpp"
#include "metrics.hpp"
#include "reader_pages.hpp"
#include "server_config.hpp"
#include "static_files.hpp"
#include "websocket_session.hpp"

#include "liveticker/protocol/json.hpp"

#include <boost/asio/dispatch.hpp>
#include <boost/asio/post.hpp>
#include <boost/beast/core/bind_handler.hpp>
#include <boost/beast/http/empty_body.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/write.hpp>
#include <boost/beast/version.hpp>
#include <boost/beast/websocket/rfc6455.hpp>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <unistd.h>

namespace liveticker::server {

namespace http = beast::http;

namespace {

constexpr std::string_view server_name = "liveticker/0.1";

http::response<http::string_body> make_response(http::status status, unsigned version,
                                                bool keep_alive, std::string body,
                                                std::string_view content_type) {
    http::response<http::string_body> res{status, version};
    res.set(http::field::server, server_name);
    res.set(http::field::content_type, content_type);
    res.set("X-Content-Type-Options", "nosniff");
    res.keep_alive(keep_alive);
    res.body() = std::move(body);
    res.prepare_payload();
    return res;
}

http::response<http::string_body> json_error(http::status status, unsigned version, bool keep_alive,
                                             std::string_view code, std::string_view message) {
    return make_response(status, version, keep_alive, protocol::encode_api_error(code, message),
                         "application/json");
}

// Browsers send the page's origin with every WebSocket handshake; other sites' pages must not
// read a ticker through a reader's browser unless the operator allowed them.
bool origin_allowed(std::string_view origin, std::string_view host,
                    const std::vector<std::string>& allowed) {
    if (origin.empty()) {
        return true; // not a browser (tickerctl, a bench client): nothing to protect
    }
    if (allowed.empty()) {
        const auto scheme_end = origin.find("://");
        return scheme_end != std::string_view::npos && origin.substr(scheme_end + 3) == host;
    }
    return std::any_of(allowed.begin(), allowed.end(),
                       [&](const std::string& a) { return a == "*" || a == origin; });
}

// Hands a connected socket to another io_context: Asio binds a socket to one for good, so
// the descriptor leaves the old one's reactor and joins the new one's.
std::optional<tcp::socket> move_to(net::io_context& target, tcp::socket socket) {
    error_code ec;
    const auto protocol = socket.local_endpoint(ec).protocol();
    if (ec) {
        fail(ec, "websocket hand-over");
        return std::nullopt;
    }
    const auto fd = socket.release(ec);
    if (ec) {
        fail(ec, "websocket hand-over");
        return std::nullopt;
    }
    tcp::socket moved(target);
    moved.assign(protocol, fd, ec);
    if (ec) {
        ::close(fd);
        fail(ec, "websocket hand-over");
        return std::nullopt;
    }
    return moved;
}

} // namespace

http_session::http_session(tcp::socket&& socket, io_lanes& lanes, const server_context& ctx,
                           std::unique_ptr<connection_limits::slot> slot)
    : stream_(std::move(socket))
    , lanes_(lanes)
    , ctx_(ctx)
    , slot_(std::move(slot)) {
    ctx_.metrics.connections_open.fetch_add(1, std::memory_order_relaxed);
}

http_session::~http_session() {
    ctx_.metrics.connections_open.fetch_sub(1, std::memory_order_relaxed);
}

void http_session::run() {
    // The socket came from the listener's strand; start on the front lane itself.
    net::dispatch(stream_.get_executor(),
                  beast::bind_front_handler(&http_session::do_read, shared_from_this()));
}

void http_session::do_read() {
    parser_.emplace();
    parser_->body_limit(ctx_.config.max_body_bytes);
    parser_->header_limit(static_cast<std::uint32_t>(ctx_.config.max_header_bytes));
    stream_.expires_after(ctx_.config.http_timeout);
    http::async_read(stream_, buffer_, *parser_,
                     beast::bind_front_handler(&http_session::on_read, shared_from_this()));
}

void http_session::on_read(error_code ec, std::size_t) {
    if (ec == http::error::end_of_stream) {
        return do_close();
    }
    if (ec == http::error::body_limit) {
        ctx_.metrics.count_http_response(413);
        return send(json_error(http::status::payload_too_large, 11, false, "payload_too_large",
                               "request bodies are limited to " +
                                   std::to_string(ctx_.config.max_body_bytes) + " bytes"),
                    false);
    }
    if (ec == http::error::header_limit) {
        ctx_.metrics.count_http_response(431);
        return send(json_error(http::status::request_header_fields_too_large, 11, false,
                               "headers_too_large", "request headers are too large"),
                    false);
    }
    if (ec == beast::error::timeout || ec == net::error::eof ||
        ec == net::error::connection_reset || ec == net::error::operation_aborted) {
        return fail(ec, "http read");
    }
    if (ec) {
        // A request Beast cannot parse: say so, then hang up, as the stream is out of sync.
        spdlog::debug("http read: {}", ec.message());
        ctx_.metrics.count_http_response(400);
        return send(json_error(http::status::bad_request, 11, false, "bad_request",
                               "malformed HTTP request: " + ec.message()),
                    false);
    }
    handle_request();
}

void http_session::handle_request() {
    const auto& req = parser_->get();
    const unsigned version = req.version();
    const bool keep_alive = req.keep_alive();
    const std::string_view target = req.target();
    const auto question = target.find('?');
    const std::string_view path = target.substr(0, question);
    const std::string_view query =
        question == std::string_view::npos ? std::string_view{} : target.substr(question + 1);
    started_ = std::chrono::steady_clock::now();

    if (beast::websocket::is_upgrade(req)) {
        if (path != "/ws") {
            ctx_.metrics.count_http_response(404);
            return send(json_error(http::status::not_found, version, false, "not_found",
                                   "WebSocket connections go to /ws"),
                        false);
        }
        if (!origin_allowed(req[http::field::origin], req[http::field::host],
                            ctx_.config.allowed_origins)) {
            ctx_.metrics.count_http_response(403);
            return send(json_error(http::status::forbidden, version, false, "origin_not_allowed",
                                   "this server does not serve WebSockets to pages of that origin"),
                        false);
        }
        // The WebSocket takes the socket over, on a reader lane; this session ends when its
        // last handler returns.
        auto& lane = lanes_.next_reader_lane();
        auto socket = move_to(lane.context(), stream_.release_socket());
        if (!socket) {
            return;
        }
        std::make_shared<websocket_session>(std::move(*socket), lane, ctx_, std::move(slot_))
            ->run(parser_->release());
        return;
    }

    if (path.starts_with("/api/")) {
        api_request api;
        api.method = std::string(req.method_string());
        api.target = std::string(target);
        api.body = req.body();
        api.authorization = std::string(req[http::field::authorization]);
        api.content_type = std::string(req[http::field::content_type]);
        api.idempotency_key = std::string(req["Idempotency-Key"]);
        ctx_.metrics.requests_in_flight.fetch_add(1, std::memory_order_relaxed);
        // The answer may come from a store thread: hop back onto this connection's lane.
        ctx_.api.handle(api, [self = shared_from_this(), version, keep_alive](api_response answer) {
            net::post(self->stream_.get_executor(), [self, version, keep_alive,
                                                     answer = std::move(answer)]() mutable {
                self->ctx_.metrics.requests_in_flight.fetch_sub(1, std::memory_order_relaxed);
                self->ctx_.metrics.count_http_response(answer.status);
                auto res = make_response(static_cast<http::status>(answer.status), version,
                                         keep_alive, std::move(answer.body), answer.content_type);
                for (auto& [name, value] : answer.headers) {
                    res.set(name, value);
                }
                if (answer.status == 204) {
                    res.body().clear();
                    res.erase(http::field::content_type);
                    res.prepare_payload();
                }
                self->send(std::move(res), keep_alive);
            });
        });
        return;
    }

    // Everything outside the API is read-only.
    const bool head = req.method() == http::verb::head;
    if (req.method() != http::verb::get && !head) {
        ctx_.metrics.count_http_response(405);
        auto res = json_error(http::status::method_not_allowed, version, keep_alive,
                              "method_not_allowed", "only GET and HEAD are allowed here");
        res.set(http::field::allow, "GET, HEAD");
        return send(std::move(res), keep_alive);
    }
    if (path == "/healthz" || path == "/metrics") {
        ctx_.metrics.count_http_response(200);
        auto res = path == "/healthz"
                       ? make_response(http::status::ok, version, keep_alive, "ok\n",
                                       "text/plain; charset=utf-8")
                       : make_response(http::status::ok, version, keep_alive, ctx_.metrics.render(),
                                       "text/plain; version=0.0.4");
        res.set(http::field::cache_control, "no-store");
        return send(std::move(res), keep_alive);
    }

    if (auto page = ctx_.pages.handle(path, query)) {
        ctx_.metrics.count_http_response(page->status);
        auto res = make_response(static_cast<http::status>(page->status), version, keep_alive,
                                 head ? std::string() : *page->body, page->content_type);
        if (head) {
            res.content_length(page->body->size());
        }
        // Rendered from live data: always fresh, never stored by proxies for long.
        res.set(http::field::cache_control, "no-cache");
        return send(std::move(res), keep_alive);
    }
    const static_file* file = ctx_.files.find(path);
    if (file == nullptr) {
        ctx_.metrics.count_http_response(404);
        return send(make_response(http::status::not_found, version, keep_alive, "not found\n",
                                  "text/plain; charset=utf-8"),
                    keep_alive);
    }
    if (req[http::field::if_none_match] == file->etag) {
        ctx_.metrics.count_http_response(304);
        http::response<http::empty_body> res{http::status::not_modified, version};
        res.set(http::field::server, server_name);
        res.set(http::field::etag, file->etag);
        res.keep_alive(keep_alive);
        return send(std::move(res), keep_alive);
    }
    ctx_.metrics.count_http_response(200);
    auto res = make_response(http::status::ok, version, keep_alive, head ? "" : file->content,
                             file->mime_type);
    if (head) {
        res.content_length(file->content.size());
    }
    res.set(http::field::etag, file->etag);
    // embed.js and its modules and styles load into other sites' pages: allow that.
    res.set(http::field::access_control_allow_origin, "*");
    // Revalidate every time: the ETag makes that a cheap 304, and a new deploy shows at once.
    res.set(http::field::cache_control, "no-cache");
    send(std::move(res), keep_alive);
}

void http_session::send(http::message_generator&& msg, bool keep_alive) {
    beast::async_write(
        stream_, std::move(msg),
        beast::bind_front_handler(&http_session::on_write, shared_from_this(), keep_alive));
}

void http_session::on_write(bool keep_alive, error_code ec, std::size_t) {
    if (ec) {
        return fail(ec, "http write");
    }
    if (parser_) {
        const auto& req = parser_->get();
        spdlog::debug("http {} {} {}us", std::string_view(req.method_string()),
                      std::string_view(req.target()),
                      std::chrono::duration_cast<std::chrono::microseconds>(
                          std::chrono::steady_clock::now() - started_)
                          .count());
    }
    if (!keep_alive) {
        return do_close();
    }
    do_read();
}

void http_session::do_close() {
    error_code ec;
    stream_.socket().shutdown(tcp::socket::shutdown_send, ec);
}

} // namespace liveticker::server
