// Synchronous HTTP/WebSocket client on Beast. Each call starts an asynchronous operation on a
// private io_context and drives it for at most the time left before its deadline; that is the
// simplest way to put a hard deadline on every step (resolve, connect, write, read) without
// threads. On timeout the socket is closed and the aborted operation is still run to completion,
// so no handler outlives the locals it refers to.
#include "client.hpp"

#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/websocket.hpp>

#include <algorithm>
#include <cctype>
#include <charconv>
#include <poll.h>

namespace liveticker::client {

namespace {

namespace beast = boost::beast;
namespace http = beast::http;
namespace websocket = beast::websocket;
namespace net = boost::asio;
using tcp = net::ip::tcp;
using clock_type = std::chrono::steady_clock;
using std::chrono::milliseconds;

constexpr std::string_view user_agent = "tickerctl/0.1";
// Snapshots and pages are small, but a limit keeps a misbehaving server from eating memory.
constexpr std::size_t max_message_bytes = 64 * 1024 * 1024;

/// Runs `ioc` until `done` is set or `deadline` passes; false on timeout. Handlers run one at a
/// time, so an unrelated operation left pending (the WebSocket's read) cannot keep us waiting.
bool run_until(net::io_context& ioc, const bool& done, clock_type::time_point deadline) {
    while (!done) {
        ioc.restart(); // run_one_for stops the context when it runs out of work
        const auto now = clock_type::now();
        if (now >= deadline) {
            ioc.poll(); // whatever is already complete still counts
            return done;
        }
        ioc.run_one_for(deadline - now);
    }
    return true;
}

/// After a cancel or close, the aborted operation's handler must still run before the locals it
/// captured go away. Completion after a close is immediate, so this cannot wait long.
void drain(net::io_context& ioc, const bool& done) {
    while (!done) {
        ioc.restart();
        if (ioc.run_one_for(std::chrono::seconds(5)) == 0 && !done) {
            break; // nothing left to run: cannot happen while the operation is outstanding
        }
    }
}

std::string lower_first(std::string text) {
    if (!text.empty()) {
        text[0] = static_cast<char>(std::tolower(static_cast<unsigned char>(text[0])));
    }
    return text;
}

std::string origin_of(const endpoint& ep) {
    const bool ipv6 = ep.host.find(':') != std::string::npos;
    return "http://" + (ipv6 ? "[" + ep.host + "]" : ep.host) + ":" + ep.port;
}

std::string host_header_of(const endpoint& ep) {
    const bool ipv6 = ep.host.find(':') != std::string::npos;
    return (ipv6 ? "[" + ep.host + "]" : ep.host) + ":" + ep.port;
}

std::string ms_text(milliseconds timeout) {
    return std::to_string(timeout.count()) + " ms";
}

/// Resolves and connects `socket` before `deadline`; throws client_error (unreachable or
/// timed_out) naming the server's origin.
void connect_socket(net::io_context& ioc, tcp::socket& socket, const endpoint& ep,
                    const std::string& origin, clock_type::time_point deadline,
                    milliseconds timeout) {
    tcp::resolver resolver(ioc);
    tcp::resolver::results_type results;
    beast::error_code ec;
    bool done = false;
    resolver.async_resolve(ep.host, ep.port,
                           [&](beast::error_code e, tcp::resolver::results_type r) {
                               ec = e;
                               results = std::move(r);
                               done = true;
                           });
    if (!run_until(ioc, done, deadline)) {
        resolver.cancel();
        drain(ioc, done);
        throw client_error(failure::timed_out, "cannot reach " + origin +
                                                   ": name lookup timed out after " +
                                                   ms_text(timeout));
    }
    if (ec) {
        throw client_error(failure::unreachable,
                           "cannot reach " + origin + ": " + lower_first(ec.message()));
    }

    done = false;
    net::async_connect(socket, results, [&](beast::error_code e, const tcp::endpoint&) {
        ec = e;
        done = true;
    });
    if (!run_until(ioc, done, deadline)) {
        beast::error_code ignored;
        socket.close(ignored);
        drain(ioc, done);
        throw client_error(failure::timed_out, "cannot reach " + origin +
                                                   ": connect timed out after " + ms_text(timeout));
    }
    if (ec) {
        beast::error_code ignored;
        socket.close(ignored);
        throw client_error(failure::unreachable,
                           "cannot reach " + origin + ": " + lower_first(ec.message()));
    }
    beast::error_code ignored; // Nagle only delays our small requests
    socket.set_option(tcp::no_delay(true), ignored);
}

/// True when an idle keep-alive connection has something to read: that is the server's FIN (or
/// an error), since HTTP/1.1 servers send nothing unasked. Checked before reuse so the common
/// "server closed the idle connection" case reconnects instead of failing the request.
bool idle_connection_closed(tcp::socket& socket) {
    pollfd p{};
    p.fd = socket.native_handle();
    p.events = POLLIN;
    return ::poll(&p, 1, 0) != 0;
}

bool iequals(std::string_view a, std::string_view b) {
    return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
               return std::tolower(static_cast<unsigned char>(x)) ==
                      std::tolower(static_cast<unsigned char>(y));
           });
}

bool parse_port(std::string_view text) {
    unsigned value = 0;
    const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
    return ec == std::errc() && end == text.data() + text.size() && value >= 1 && value <= 65535;
}

} // namespace

endpoint parse_server_url(std::string_view url) {
    const std::string original(url);
    if (url.starts_with("https://")) {
        throw client_error(failure::bad_url,
                           "https is not supported yet: use http:// (e.g. through a local TLS "
                           "proxy) in " +
                               original);
    }
    if (url.starts_with("http://")) {
        url.remove_prefix(7);
    } else if (url.find("://") != std::string_view::npos) {
        throw client_error(failure::bad_url, "unsupported URL scheme in " + original);
    }
    const auto authority = url.substr(0, url.find_first_of("/?#"));
    endpoint ep;
    std::string_view port;
    if (authority.starts_with('[')) { // [::1]:8080
        const auto close = authority.find(']');
        if (close == std::string_view::npos) {
            throw client_error(failure::bad_url, "bad IPv6 address in " + original);
        }
        ep.host = std::string(authority.substr(1, close - 1));
        const auto after = authority.substr(close + 1);
        if (!after.empty()) {
            if (after[0] != ':') {
                throw client_error(failure::bad_url, "bad server URL " + original);
            }
            port = after.substr(1);
        }
    } else {
        const auto colon = authority.rfind(':');
        ep.host = std::string(authority.substr(0, colon));
        if (colon != std::string_view::npos) {
            port = authority.substr(colon + 1);
        }
    }
    if (ep.host.empty()) {
        throw client_error(failure::bad_url, "no host in server URL '" + original + "'");
    }
    if (port.empty()) {
        ep.port = "80";
    } else if (parse_port(port)) {
        ep.port = std::string(port);
    } else {
        throw client_error(failure::bad_url, "bad port in server URL " + original);
    }
    return ep;
}

std::string http_response::header(std::string_view name) const {
    for (const auto& [n, v] : headers) {
        if (iequals(n, name)) {
            return v;
        }
    }
    return {};
}

// ---------------------------------------------------------------------------------------------
// HTTP

struct http_client::impl {
    impl(std::string_view url, milliseconds t)
        : ep(parse_server_url(url))
        , origin(origin_of(ep))
        , host_header(host_header_of(ep))
        , timeout(t) {}

    void disconnect() {
        beast::error_code ignored;
        socket.close(ignored);
        buffer.consume(buffer.size());
    }

    /// Runs one async step; on timeout closes the connection and throws.
    template <class Start>
    beast::error_code run_step(clock_type::time_point deadline, std::string_view what,
                               Start&& start) {
        beast::error_code ec;
        bool done = false;
        start([&](beast::error_code e, std::size_t) {
            ec = e;
            done = true;
        });
        if (!run_until(ioc, done, deadline)) {
            disconnect();
            drain(ioc, done);
            throw client_error(failure::timed_out,
                               std::string(what) + " timed out after " + ms_text(timeout));
        }
        return ec;
    }

    const endpoint ep;
    const std::string origin;
    const std::string host_header;
    const milliseconds timeout;
    net::io_context ioc{1};
    tcp::socket socket{ioc};
    beast::flat_buffer buffer;
};

http_client::http_client(std::string_view server_url, std::chrono::milliseconds timeout)
    : impl_(std::make_unique<impl>(server_url, timeout)) {}

http_client::~http_client() = default;

http_response http_client::request(std::string_view method, std::string_view target,
                                   std::string_view body, const header_list& headers) {
    auto& s = *impl_;
    if (method.empty() || target.empty()) {
        throw client_error(failure::other, "request needs a method and a target");
    }
    const std::string what = std::string(method) + " " + s.origin + std::string(target);
    const auto deadline = clock_type::now() + s.timeout;

    if (s.socket.is_open() && idle_connection_closed(s.socket)) {
        s.disconnect();
    }
    if (!s.socket.is_open()) {
        connect_socket(s.ioc, s.socket, s.ep, s.origin, deadline, s.timeout);
    }

    http::request<http::string_body> req;
    req.method_string(method);
    req.target(target);
    req.version(11);
    req.set(http::field::host, s.host_header);
    req.set(http::field::user_agent, user_agent);
    if (!body.empty()) {
        req.set(http::field::content_type, "application/json");
        req.body() = std::string(body);
    }
    for (const auto& [name, value] : headers) {
        req.set(name, value);
    }
    req.prepare_payload();

    auto ec = s.run_step(deadline, what, [&](auto handler) {
        http::async_write(s.socket, req, std::move(handler));
    });
    if (ec) {
        s.disconnect();
        throw client_error(failure::dropped, "connection to " + s.origin +
                                                 " dropped while sending " + std::string(method) +
                                                 " " + std::string(target) + ": " +
                                                 lower_first(ec.message()));
    }

    http::response_parser<http::string_body> parser;
    parser.body_limit(max_message_bytes);
    if (iequals(method, "HEAD")) {
        parser.skip(true); // a HEAD response announces a body it does not send
    }
    ec = s.run_step(deadline, what, [&](auto handler) {
        http::async_read(s.socket, s.buffer, parser, std::move(handler));
    });
    if (ec) {
        s.disconnect();
        const std::string why = ec == http::error::end_of_stream ? "server closed the connection"
                                                                 : lower_first(ec.message());
        throw client_error(failure::dropped, "connection to " + s.origin +
                                                 " dropped while waiting for the answer to " +
                                                 std::string(method) + " " + std::string(target) +
                                                 ": " + why);
    }

    auto res = parser.release();
    http_response out;
    out.status = res.result_int();
    for (const auto& field : res) {
        out.headers.emplace_back(std::string(field.name_string()), std::string(field.value()));
    }
    if (!res.keep_alive()) {
        s.disconnect();
    }
    out.body = std::move(res.body());
    return out;
}

// ---------------------------------------------------------------------------------------------
// WebSocket

struct ws_client::impl {
    impl(std::string_view url, milliseconds t)
        : ep(parse_server_url(url))
        , origin(origin_of(ep))
        , timeout(t) {}

    ~impl() {
        // Abort whatever is still pending (the read, usually) and let it finish here, while the
        // members its handler touches still exist.
        beast::error_code ignored;
        beast::get_lowest_layer(ws).close(ignored);
        ioc.restart();
        ioc.run_for(std::chrono::seconds(1));
    }

    void start_read() {
        read_done = false;
        read_pending = true;
        ws.async_read(read_buffer, [this](beast::error_code ec, std::size_t) {
            read_ec = ec;
            read_done = true;
        });
    }

    /// Remembers how the connection ended and returns the matching client_error.
    client_error record_end(beast::error_code ec) {
        if (!closed) {
            // A close frame may have arrived even when the reply to it failed (the server had
            // already gone): its code is what the caller wants to know.
            if (ec == websocket::error::closed || ws.reason().code != websocket::close_code::none) {
                const auto& r = ws.reason();
                closed = close_info{static_cast<unsigned>(r.code),
                                    std::string(r.reason.data(), r.reason.size())};
            } else {
                closed = close_info{0, lower_first(ec.message())};
            }
        }
        return ended_error();
    }

    client_error ended_error() const {
        if (closed->code == 0) {
            return client_error(failure::dropped,
                                "websocket to " + origin + " dropped: " + closed->reason);
        }
        std::string text =
            "websocket to " + origin + " closed by the server (" + std::to_string(closed->code);
        if (!closed->reason.empty()) {
            text += " " + closed->reason;
        }
        return client_error(failure::dropped, text + ")");
    }

    void send(std::string_view message, bool text) {
        if (closed) {
            throw ended_error();
        }
        ws.text(text);
        beast::error_code ec;
        bool done = false;
        ws.async_write(net::buffer(message.data(), message.size()),
                       [&](beast::error_code e, std::size_t) {
                           ec = e;
                           done = true;
                       });
        if (!run_until(ioc, done, clock_type::now() + timeout)) {
            beast::error_code ignored;
            beast::get_lowest_layer(ws).close(ignored);
            drain(ioc, done);
            closed = close_info{0, "send timed out"};
            throw client_error(failure::timed_out, "websocket send to " + origin +
                                                       " timed out after " + ms_text(timeout));
        }
        if (ec) {
            throw record_end(ec);
        }
    }

    const endpoint ep;
    const std::string origin;
    const milliseconds timeout;
    net::io_context ioc{1};
    websocket::stream<tcp::socket> ws{ioc};

    // The one read in flight. A read() that times out leaves it pending rather than cancelling
    // it (cancelling a WebSocket read kills the connection), and the next read() waits for the
    // same operation, so no message is lost between calls.
    beast::flat_buffer read_buffer;
    bool read_pending = false;
    bool read_done = false;
    beast::error_code read_ec;

    std::optional<close_info> closed;
};

ws_client::ws_client(std::string_view server_url, std::string_view path,
                     std::chrono::milliseconds timeout, const header_list& headers)
    : impl_(std::make_unique<impl>(server_url, timeout)) {
    auto& s = *impl_;
    const auto deadline = clock_type::now() + timeout;
    connect_socket(s.ioc, s.ws.next_layer(), s.ep, s.origin, deadline, timeout);

    s.ws.set_option(websocket::stream_base::decorator([headers](websocket::request_type& req) {
        req.set(http::field::user_agent, user_agent);
        for (const auto& [name, value] : headers) {
            req.set(name, value);
        }
    }));
    s.ws.read_message_max(max_message_bytes);

    websocket::response_type res;
    beast::error_code ec;
    bool done = false;
    s.ws.async_handshake(res, host_header_of(s.ep), path, [&](beast::error_code e) {
        ec = e;
        done = true;
    });
    const std::string where = s.origin + std::string(path);
    if (!run_until(s.ioc, done, deadline)) {
        beast::error_code ignored;
        s.ws.next_layer().close(ignored);
        drain(s.ioc, done);
        throw client_error(failure::timed_out, "websocket handshake with " + where +
                                                   " timed out after " + ms_text(timeout));
    }
    if (ec == websocket::error::upgrade_declined) {
        std::string text = "websocket handshake with " + where + " declined: HTTP " +
                           std::to_string(res.result_int());
        if (!res.body().empty()) {
            text += ": " + res.body();
        }
        throw client_error(failure::other, text);
    }
    if (ec) {
        throw client_error(failure::dropped, "websocket handshake with " + where +
                                                 " failed: " + lower_first(ec.message()));
    }
}

ws_client::~ws_client() = default;

void ws_client::send_text(std::string_view message) {
    impl_->send(message, true);
}

void ws_client::send_binary(std::string_view message) {
    impl_->send(message, false);
}

std::optional<std::string> ws_client::read(std::chrono::milliseconds timeout) {
    auto& s = *impl_;
    if (s.closed) {
        throw s.ended_error();
    }
    const auto deadline = clock_type::now() + timeout;
    for (;;) {
        if (!s.read_pending) {
            s.start_read();
        }
        if (!run_until(s.ioc, s.read_done, deadline)) {
            return std::nullopt; // the read stays pending for the next call
        }
        s.read_pending = false;
        if (s.read_ec) {
            throw s.record_end(s.read_ec);
        }
        const bool text = s.ws.got_text();
        std::string message = beast::buffers_to_string(s.read_buffer.data());
        s.read_buffer.consume(s.read_buffer.size());
        if (text) {
            return message;
        }
        // Binary frames are not part of the protocol's server side; skip them.
    }
}

void ws_client::close() {
    auto& s = *impl_;
    if (s.closed) {
        return;
    }
    beast::error_code ec;
    bool done = false;
    s.ws.async_close(websocket::close_code::normal, [&](beast::error_code e) {
        ec = e;
        done = true;
    });
    // "Briefly": a server that does not answer the close frame is not worth waiting for.
    const auto wait = std::min<milliseconds>(s.timeout, std::chrono::seconds(2));
    if (!run_until(s.ioc, done, clock_type::now() + wait)) {
        beast::error_code ignored;
        beast::get_lowest_layer(s.ws).close(ignored);
        drain(s.ioc, done);
    }
    const auto& r = s.ws.reason();
    s.closed =
        close_info{r.code != websocket::close_code::none ? static_cast<unsigned>(r.code) : 1000u,
                   std::string(r.reason.data(), r.reason.size())};
}

std::optional<close_info> ws_client::closed() const {
    return impl_->closed;
}

void ws_client::set_receive_buffer(int bytes) {
    beast::error_code ignored;
    impl_->ws.next_layer().set_option(net::socket_base::receive_buffer_size(bytes), ignored);
}

} // namespace liveticker::client
