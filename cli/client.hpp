// A small synchronous HTTP and WebSocket client for tickerctl and the tests. Every call has a
// deadline, so a server that stops answering turns into a client_error, never a hang.
#pragma once

#include <chrono>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace liveticker::client {

/// What kind of transport failure a client_error reports, so callers can pick an exit code or
/// decide about a retry without parsing messages.
enum class failure {
    other,       ///< anything else (e.g. an unexpected handshake answer)
    bad_url,     ///< the server URL could not be used (https, empty host, …)
    unreachable, ///< name resolution or connect failed
    timed_out,   ///< the deadline passed
    dropped,     ///< the connection broke or was closed mid-exchange
};

/// Something went wrong on the way (unreachable, timed out, connection dropped, bad URL).
/// Not thrown for HTTP error statuses: those are ordinary responses.
class client_error : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
    client_error(failure kind, const std::string& message)
        : std::runtime_error(message)
        , kind_(kind) {}
    failure kind() const noexcept { return kind_; }

private:
    failure kind_ = failure::other;
};

/// "http://host:port" (path ignored; https is refused with a clear client_error for now).
struct endpoint {
    std::string host;
    std::string port;
};
endpoint parse_server_url(std::string_view url);

using header_list = std::vector<std::pair<std::string, std::string>>;

struct http_response {
    unsigned status = 0;
    std::string body;
    header_list headers;
    /// The first header of that name (case-insensitive), or "".
    std::string header(std::string_view name) const;
};

/// One keep-alive connection, opened on first use and reopened when the server closed it.
class http_client {
public:
    explicit http_client(std::string_view server_url,
                         std::chrono::milliseconds timeout = std::chrono::seconds(10));
    ~http_client();
    http_client(const http_client&) = delete;
    http_client& operator=(const http_client&) = delete;

    /// Sends one request; `body` goes out as application/json when not empty.
    /// Throws client_error when the exchange fails at the transport level.
    http_response request(std::string_view method, std::string_view target,
                          std::string_view body = {}, const header_list& headers = {});

private:
    struct impl;
    std::unique_ptr<impl> impl_;
};

/// How a WebSocket connection ended, as the server said it.
struct close_info {
    unsigned code = 0; ///< 0 when the connection dropped without a close frame
    std::string reason;
};

class ws_client {
public:
    /// Connects and performs the handshake on `path` (default "/ws"); throws client_error.
    explicit ws_client(std::string_view server_url, std::string_view path = "/ws",
                       std::chrono::milliseconds timeout = std::chrono::seconds(10),
                       const header_list& headers = {});
    ~ws_client();
    ws_client(const ws_client&) = delete;
    ws_client& operator=(const ws_client&) = delete;

    void send_text(std::string_view message);
    void send_binary(std::string_view message);
    /// The next text message; std::nullopt if none arrives within `timeout`.
    /// Throws client_error when the connection closed (closed() then tells how).
    std::optional<std::string> read(std::chrono::milliseconds timeout);
    /// Sends a close frame (1000) and waits briefly for the server's.
    void close();
    /// Set once the server closed the connection.
    std::optional<close_info> closed() const;
    /// Sets the socket's receive buffer (SO_RCVBUF). A small one makes a reader that stops
    /// reading stall the server's writes soon: for tests of slow readers.
    void set_receive_buffer(int bytes);

private:
    struct impl;
    std::unique_ptr<impl> impl_;
};

} // namespace liveticker::client
