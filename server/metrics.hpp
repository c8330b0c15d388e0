// Counters for /metrics in Prometheus' text format. Plain atomics: every I/O thread bumps
// them, nobody waits on a lock for them.
#pragma once

#include <array>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <string>

namespace liveticker::server {

class metrics {
public:
    std::atomic<std::int64_t> connections_open{0}; // TCP connections (HTTP and WebSocket)
    std::atomic<std::int64_t> websockets_open{0};
    std::atomic<std::int64_t> subscriptions{0};
    std::atomic<std::uint64_t> events_published{0};
    std::atomic<std::uint64_t> slow_readers_dropped{0};
    std::atomic<std::uint64_t> bad_frames{0};
    std::atomic<std::uint64_t> connections_refused{0}; // over --max-connections(-per-ip)
    std::atomic<std::uint64_t> messages_rate_limited{0};
    std::atomic<std::int64_t> requests_in_flight{0}; // HTTP requests not yet answered
    // Jobs run on the store's reader thread: pages and entries read from the database, where
    // the hub's cached first pages did not serve. A crowd subscribing should not move it.
    std::atomic<std::uint64_t> store_reads{0};

    /// After each write to a reader: frames completed and bytes written.
    void count_sent(std::uint64_t frames, std::uint64_t bytes) noexcept;
    std::uint64_t frames_sent() const noexcept { return sum_sent(&sent_counters::frames); }
    std::uint64_t bytes_sent() const noexcept { return sum_sent(&sent_counters::bytes); }

    void count_http_response(unsigned status) noexcept;
    /// One store operation's duration, for the latency histogram.
    void observe_store(std::chrono::steady_clock::duration took) noexcept;

    std::string render() const;
    /// One line for the info log: what an operator glances at.
    std::string summary() const;

private:
    // Every reader lane counts every write, 100,000s a second: on one shared cache line the
    // lanes would stall each other on each add (two thirds of write_now's samples in perf). So each
    // thread adds to a line of its own, and a scrape sums them.
    struct alignas(64) sent_counters {
        std::atomic<std::uint64_t> frames{0};
        std::atomic<std::uint64_t> bytes{0};
    };
    static constexpr std::size_t sent_shards = 16; // threads beyond it share, as before
    std::array<sent_counters, sent_shards> sent_{};
    std::uint64_t sum_sent(const std::atomic<std::uint64_t> sent_counters::*field) const noexcept;

    // Status classes 1xx..5xx plus the statuses an operator watches on their own.
    static constexpr std::array<unsigned, 12> tracked_statuses = {200, 201, 204, 304, 400, 401,
                                                                  404, 405, 409, 413, 415, 500};
    std::array<std::atomic<std::uint64_t>, tracked_statuses.size() + 1> http_responses_{};

    static constexpr std::array<double, 8> store_buckets = {0.0005, 0.001, 0.0025, 0.005,
                                                            0.01,   0.025, 0.1,    1.0};
    std::array<std::atomic<std::uint64_t>, store_buckets.size()> store_bucket_counts_{};
    std::atomic<std::uint64_t> store_count_{0};
    std::atomic<std::uint64_t> store_sum_us_{0};
};

} // namespace liveticker::server
