// Every tunable of tickerd in one place, with its default. The README's configuration table
// mirrors this struct; parse_config() fills it from flags and TICKERD_* environment variables.
#pragma once

#include <chrono>
#include <cstddef>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace liveticker::server {

struct server_config {
    std::string listen_address = "127.0.0.1";
    unsigned short listen_port = 8080;
    std::filesystem::path db = "./data/liveticker.db";
    std::filesystem::path web_root = "./web";
    std::filesystem::path editors_file; ///< empty: no editor can write (read-only server)
    std::filesystem::path seed_file;    ///< demo ticker loaded at start when it is missing
    std::string public_url; ///< "https://ticker.example.org" for absolute links; empty: relative
    unsigned threads = 0;   ///< 0: one per hardware thread
    std::string log_level = "info";

    // Connections
    std::size_t max_connections = 50000;            ///< beyond it new connections are closed
    std::size_t max_connections_per_address = 1000; ///< per client IP address
    /// Origins allowed to open a WebSocket ("https://news.example"); empty: only the page's
    /// own origin (Origin matches Host); "*": any. Clients without Origin (tickerctl) may.
    std::vector<std::string> allowed_origins;

    // Readers (WebSocket)
    std::size_t max_frame_bytes = 8 * 1024;        ///< larger client frames close with 1009
    std::size_t max_subscriptions = 16;            ///< per connection
    std::size_t max_queue_bytes = 4 * 1024 * 1024; ///< a slower reader is closed (4008)
    /// The kernel's send buffer per reader (SO_SNDBUF). Left to autotuning it grows to
    /// megabytes for a reader that stopped reading, beyond max_queue_bytes.
    std::size_t send_buffer_bytes = 128 * 1024;
    std::size_t replay_window = 1000; ///< events per ticker a reader can resume from
    std::chrono::seconds handshake_timeout{30};
    std::chrono::seconds idle_timeout{60}; ///< pings after half of it, drops after all of it
    double messages_per_second = 10;       ///< per reader, with bursts of twice that
    unsigned max_refused_messages = 20;    ///< refused for the rate, then the reader is closed

    // Editors and static files (HTTP)
    std::size_t max_body_bytes = 64 * 1024;
    std::size_t max_header_bytes = 8 * 1024;
    std::chrono::seconds http_timeout{30};
};

/// Parses argv (and TICKERD_* variables). Returns the config, or the process exit code when
/// the arguments asked for --help or were wrong (CLI11 has printed why).
struct parse_result {
    std::optional<server_config> config;
    int exit_code = 0;
};
parse_result parse_config(int argc, const char* const* argv);

} // namespace liveticker::server
