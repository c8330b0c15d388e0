// The editor side of bench/fanout: posts entries at a steady rate, each body starting with its
// send time, through tickerd's HTTP API over a few keep-alive connections, or to the baseline
// as WebSocket `publish` messages over one connection.
#pragma once

#include "fanout_common.hpp"

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>

namespace liveticker::bench {

struct publish_result {
    std::int64_t ok = 0;     ///< accepted (HTTP 201), or written to the baseline's socket
    std::int64_t failed = 0; ///< sent, and refused, broken off or unanswered at the deadline
    std::int64_t sent = 0;   ///< handed to a connection, whatever became of them
    std::int64_t unsent = 0; ///< not sent: the deadline passed or every connection broke
    std::int64_t first_send_ns = 0;
    std::int64_t last_send_ns = 0;
    std::string first_error;
    /// HTTP only: request sent to response read, ns. Empty for the baseline (no answers).
    std::unique_ptr<latency_histogram> answer_latency = std::make_unique<latency_histogram>();
};

class publisher {
public:
    explicit publisher(const options& opt);
    ~publisher();
    publisher(const publisher&) = delete;
    publisher& operator=(const publisher&) = delete;

    /// Opens the connections and, for tickerd, creates the ticker unless it exists.
    /// Throws std::runtime_error with the reason when the server cannot be used.
    void open(std::chrono::seconds deadline);

    /// Sends `count` entries, entry i at start + i / rate (all at once when `rate` is 0, as
    /// fast as the connections take them), and returns when every one is answered or the
    /// deadline passed. Entries not answered by then count as failed.
    publish_result publish(std::int64_t count, double rate, std::chrono::milliseconds deadline);

private:
    struct impl;
    std::unique_ptr<impl> impl_;
};

} // namespace liveticker::bench
