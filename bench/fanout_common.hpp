// What the parts of bench/fanout share: the options, the clock, the server's address, and the
// fixed-size messages that the coordinating process and its subscriber worker processes
// exchange over pipes (they are forked from one binary, so the layouts agree).
#pragma once

#include "latency_histogram.hpp"

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace liveticker::bench {

enum class server_mode { liveticker, baseline };

struct options {
    std::string url = "http://127.0.0.1:8080";
    std::string ticker = "bench";
    std::string token;
    int subscribers = 1000;
    int entries = 200;
    double rate = 50;
    std::size_t payload = 500;
    int processes = 1;
    int server_pid = 0;
    server_mode mode = server_mode::liveticker;
    int settle_ms = 2000;
    bool json = false;
    int post_connections = 4;
    int prefill = 20;
    int connect_concurrency = 256;
    int connect_timeout_s = 120;
    /// Seconds to hold every connection idle after connecting, measuring the server's CPU;
    /// 0 = no idle window.
    int idle_seconds = 0;

    // From `url`, filled in by main.
    std::string host;
    unsigned short port = 0;
};

/// Nanoseconds since the epoch, the clock of the timestamps in posted bodies. Every process of
/// the run is on one machine, so their clocks agree.
inline std::int64_t now_ns() noexcept {
    return std::chrono::duration_cast<std::chrono::nanoseconds>(
               std::chrono::system_clock::now().time_since_epoch())
        .count();
}

/// User plus system CPU time of this process so far, in seconds.
double cpu_seconds() noexcept;

/// Writes all `size` bytes to a pipe; false when the reading end is gone.
bool write_all(int fd, const void* data, std::size_t size) noexcept;

/// Reads exactly `size` bytes from a pipe, waiting until `deadline` at most; false on end of
/// file, error or time-out.
bool read_all(int fd, void* data, std::size_t size,
              std::chrono::steady_clock::time_point deadline) noexcept;

/// The path readers connect to.
inline std::string_view websocket_path(server_mode mode) noexcept {
    return mode == server_mode::liveticker ? "/ws" : "/";
}

// Coordinator -> worker.
struct worker_command {
    enum class kind : std::int32_t { connect = 1, posted = 2 };
    kind what = kind::connect;
    std::int64_t posted_ok = 0; ///< for `posted`: entries the server accepted
};

/// A short text in a fixed-size message: the first failure a worker saw, for the summary.
struct short_text {
    char text[200] = {};
    void assign(std::string_view s) noexcept {
        const std::size_t n = std::min(s.size(), sizeof text - 1);
        s.copy(text, n);
        text[n] = '\0';
    }
    bool empty() const noexcept { return text[0] == '\0'; }
};

// Worker -> coordinator, once every connection has its snapshot (or failed).
struct connect_report {
    std::int64_t connected = 0;
    std::int64_t failed = 0;
    std::int64_t finished_ns = 0;
    double cpu_seconds = 0; ///< user + system of this worker so far
    short_text first_error;
};

// Worker -> coordinator, once every delivery arrived or the settle time ran out.
struct final_report {
    std::int64_t received = 0;        ///< event frames that carried a timestamp
    std::int64_t frame_bytes = 0;     ///< their total size
    std::int64_t sequence_breaks = 0; ///< events whose seq (id) is not the previous one + 1
    std::int64_t unexpected = 0;      ///< other frames (errors, unknown types)
    std::int64_t closed_early = 0;    ///< connections the server closed during the run
    std::int64_t first_recv_ns = 0;   ///< first delivery
    std::int64_t last_recv_ns = 0;    ///< last delivery
    double cpu_seconds = 0;           ///< user + system of this worker, whole life
    short_text first_error;
    latency_histogram latency; ///< post-to-delivery, ns
};

} // namespace liveticker::bench
