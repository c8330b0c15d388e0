#include "server_config.hpp"

#include <CLI/CLI.hpp>

#include <charconv>
#include <thread>

namespace liveticker::server {

namespace {

// "host:port"; the host may be an IPv6 literal in brackets ("[::1]:8080").
bool split_listen(const std::string& text, server_config& config) {
    const auto colon = text.rfind(':');
    if (colon == std::string::npos || colon + 1 == text.size()) {
        return false;
    }
    std::string host = text.substr(0, colon);
    if (host.size() >= 2 && host.front() == '[' && host.back() == ']') {
        host = host.substr(1, host.size() - 2);
    }
    unsigned port = 0;
    const auto* first = text.data() + colon + 1;
    const auto* last = text.data() + text.size();
    const auto [end, ec] = std::from_chars(first, last, port);
    if (ec != std::errc() || end != last || port > 65535 || host.empty()) {
        return false;
    }
    config.listen_address = host;
    config.listen_port = static_cast<unsigned short>(port);
    return true;
}

} // namespace

parse_result parse_config(int argc, const char* const* argv) {
    server_config config;
    CLI::App app{"tickerd: the Liveticker live newsticker server (HTTP + WebSocket on one port)"};
    app.set_version_flag("--version", "tickerd 0.1.0");

    std::string listen = config.listen_address + ":" + std::to_string(config.listen_port);
    std::string db = config.db.string();
    std::string web_root = config.web_root.string();
    std::string editors;
    std::string seed;
    std::size_t queue_kib = config.max_queue_bytes / 1024;
    std::size_t send_buffer_kib = config.send_buffer_bytes / 1024;
    unsigned idle_seconds = static_cast<unsigned>(config.idle_timeout.count());

    app.add_option("--listen", listen, "address:port to serve on")
        ->envname("TICKERD_LISTEN")
        ->capture_default_str();
    app.add_option("--db", db, "SQLite database file (created when missing)")
        ->envname("TICKERD_DB")
        ->capture_default_str();
    app.add_option("--web-root", web_root, "folder of the web client's static files")
        ->envname("TICKERD_WEB_ROOT")
        ->capture_default_str();
    app.add_option("--editors", editors, "file of editor lines 'name token'")
        ->envname("TICKERD_EDITORS");
    app.add_option("--seed", seed, "JSON file of a demo ticker, loaded when that ticker is missing")
        ->envname("TICKERD_SEED");
    app.add_option("--public-url", config.public_url,
                   "https://host as readers reach it, for absolute links in pages and feeds")
        ->envname("TICKERD_PUBLIC_URL");
    app.add_option("--threads", config.threads,
                   "threads writing to readers (0: one per core), besides one for HTTP")
        ->envname("TICKERD_THREADS")
        ->capture_default_str();
    app.add_option("--log-level", config.log_level, "trace, debug, info, warn, error, off")
        ->envname("TICKERD_LOG_LEVEL")
        ->check(CLI::IsMember({"trace", "debug", "info", "warn", "error", "critical", "off"}))
        ->capture_default_str();
    app.add_option("--max-connections", config.max_connections, "open connections in all")
        ->envname("TICKERD_MAX_CONNECTIONS")
        ->check(CLI::Range(1, 10000000))
        ->capture_default_str();
    app.add_option("--max-connections-per-ip", config.max_connections_per_address,
                   "open connections from one client address")
        ->envname("TICKERD_MAX_CONNECTIONS_PER_IP")
        ->check(CLI::Range(1, 10000000))
        ->capture_default_str();
    app.add_option("--allowed-origins", config.allowed_origins,
                   "origins whose pages may open a WebSocket (default: same origin; * for any)")
        ->envname("TICKERD_ALLOWED_ORIGINS")
        ->delimiter(',');
    app.add_option("--messages-per-second", config.messages_per_second,
                   "reader messages per second per connection (bursts of twice that)")
        ->envname("TICKERD_MESSAGES_PER_SECOND")
        ->check(CLI::Range(0.1, 100000.0))
        ->capture_default_str();
    app.add_option("--max-frame-bytes", config.max_frame_bytes, "largest reader frame accepted")
        ->envname("TICKERD_MAX_FRAME_BYTES")
        ->check(CLI::Range(256, 1 << 20))
        ->capture_default_str();
    app.add_option("--max-subscriptions", config.max_subscriptions,
                   "tickers one connection may follow")
        ->envname("TICKERD_MAX_SUBSCRIPTIONS")
        ->check(CLI::Range(1, 1024))
        ->capture_default_str();
    app.add_option("--max-queue-kib", queue_kib, "send queue per reader before it is dropped")
        ->envname("TICKERD_MAX_QUEUE_KIB")
        ->check(CLI::Range(16, 1 << 20))
        ->capture_default_str();
    app.add_option("--send-buffer-kib", send_buffer_kib,
                   "kernel send buffer per reader (SO_SNDBUF), besides the send queue")
        ->envname("TICKERD_SEND_BUFFER_KIB")
        ->check(CLI::Range(4, 1 << 16))
        ->capture_default_str();
    app.add_option("--replay-window", config.replay_window, "events per ticker kept for resume")
        ->envname("TICKERD_REPLAY_WINDOW")
        ->check(CLI::Range(1, 1000000))
        ->capture_default_str();
    app.add_option("--idle-timeout", idle_seconds, "seconds before a silent reader is dropped")
        ->envname("TICKERD_IDLE_TIMEOUT")
        ->check(CLI::Range(2, 3600))
        ->capture_default_str();
    app.add_option("--max-body-bytes", config.max_body_bytes, "largest editor request body")
        ->envname("TICKERD_MAX_BODY_BYTES")
        ->check(CLI::Range(1024, 16 << 20))
        ->capture_default_str();

    try {
        app.parse(argc, argv);
    } catch (const CLI::ParseError& e) {
        return {std::nullopt, app.exit(e)};
    }
    if (!split_listen(listen, config)) {
        std::fprintf(stderr, "--listen: expected address:port, got '%s'\n", listen.c_str());
        return {std::nullopt, 2};
    }
    while (config.public_url.ends_with('/')) {
        config.public_url.pop_back();
    }
    config.db = db;
    config.web_root = web_root;
    config.editors_file = editors;
    config.seed_file = seed;
    config.max_queue_bytes = queue_kib * 1024;
    config.send_buffer_bytes = send_buffer_kib * 1024;
    config.idle_timeout = std::chrono::seconds(idle_seconds);
    if (config.threads == 0) {
        config.threads = std::max(1u, std::thread::hardware_concurrency());
    }
    return {config, 0};
}

} // namespace liveticker::server
