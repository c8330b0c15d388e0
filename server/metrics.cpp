#include "metrics.hpp"

#include <sstream>

namespace liveticker::server {

namespace {
std::size_t this_thread_shard() noexcept {
    static std::atomic<std::size_t> next{0};
    thread_local const std::size_t shard = next.fetch_add(1, std::memory_order_relaxed);
    return shard;
}
} // namespace

void metrics::count_sent(std::uint64_t frames, std::uint64_t bytes) noexcept {
    auto& mine = sent_[this_thread_shard() % sent_shards];
    mine.frames.fetch_add(frames, std::memory_order_relaxed);
    mine.bytes.fetch_add(bytes, std::memory_order_relaxed);
}

std::uint64_t
metrics::sum_sent(const std::atomic<std::uint64_t> sent_counters::*field) const noexcept {
    std::uint64_t sum = 0;
    for (const auto& shard : sent_) {
        sum += (shard.*field).load(std::memory_order_relaxed);
    }
    return sum;
}

void metrics::count_http_response(unsigned status) noexcept {
    std::size_t slot = tracked_statuses.size(); // "other"
    for (std::size_t i = 0; i < tracked_statuses.size(); ++i) {
        if (tracked_statuses[i] == status) {
            slot = i;
            break;
        }
    }
    http_responses_[slot].fetch_add(1, std::memory_order_relaxed);
}

void metrics::observe_store(std::chrono::steady_clock::duration took) noexcept {
    const double seconds = std::chrono::duration<double>(took).count();
    for (std::size_t i = 0; i < store_buckets.size(); ++i) {
        if (seconds <= store_buckets[i]) {
            store_bucket_counts_[i].fetch_add(1, std::memory_order_relaxed);
        }
    }
    store_count_.fetch_add(1, std::memory_order_relaxed);
    store_sum_us_.fetch_add(
        static_cast<std::uint64_t>(
            std::chrono::duration_cast<std::chrono::microseconds>(took).count()),
        std::memory_order_relaxed);
}

std::string metrics::summary() const {
    std::ostringstream out;
    out << "connections=" << connections_open.load() << " websockets=" << websockets_open.load()
        << " subscriptions=" << subscriptions.load()
        << " events_published=" << events_published.load() << " frames_sent=" << frames_sent()
        << " bytes_sent=" << bytes_sent() << " slow_readers_dropped=" << slow_readers_dropped.load()
        << " bad_frames=" << bad_frames.load() << " store_ops=" << store_count_.load()
        << " store_reads=" << store_reads.load();
    return out.str();
}

std::string metrics::render() const {
    std::ostringstream out;
    const auto gauge = [&](const char* name, const char* help, std::int64_t value) {
        out << "# HELP " << name << ' ' << help << "\n# TYPE " << name << " gauge\n"
            << name << ' ' << value << '\n';
    };
    const auto counter = [&](const char* name, const char* help, std::uint64_t value) {
        out << "# HELP " << name << ' ' << help << "\n# TYPE " << name << " counter\n"
            << name << ' ' << value << '\n';
    };
    gauge("liveticker_connections", "Open TCP connections (HTTP and WebSocket).",
          connections_open.load());
    gauge("liveticker_websockets", "Open WebSocket connections.", websockets_open.load());
    gauge("liveticker_subscriptions", "Ticker subscriptions held by readers.",
          subscriptions.load());
    counter("liveticker_events_published_total", "Events published to readers.",
            events_published.load());
    counter("liveticker_frames_sent_total", "WebSocket frames written to readers.", frames_sent());
    counter("liveticker_bytes_sent_total",
            "Bytes written to readers' WebSockets, frame headers included.", bytes_sent());
    counter("liveticker_slow_readers_dropped_total",
            "Readers closed because their send queue passed the limit.",
            slow_readers_dropped.load());
    counter("liveticker_bad_frames_total", "Reader frames refused as malformed or over a limit.",
            bad_frames.load());
    counter("liveticker_connections_refused_total",
            "Connections closed at once for the connection caps.", connections_refused.load());
    counter("liveticker_messages_rate_limited_total",
            "Reader messages refused for the per-connection rate.", messages_rate_limited.load());
    counter("liveticker_store_reads_total",
            "Read jobs run by the store (pages from the database, not the hub's cache).",
            store_reads.load());

    out << "# HELP liveticker_http_responses_total HTTP responses by status.\n"
           "# TYPE liveticker_http_responses_total counter\n";
    for (std::size_t i = 0; i < tracked_statuses.size(); ++i) {
        out << "liveticker_http_responses_total{status=\"" << tracked_statuses[i] << "\"} "
            << http_responses_[i].load() << '\n';
    }
    out << "liveticker_http_responses_total{status=\"other\"} "
        << http_responses_[tracked_statuses.size()].load() << '\n';

    out << "# HELP liveticker_store_seconds Duration of store operations.\n"
           "# TYPE liveticker_store_seconds histogram\n";
    for (std::size_t i = 0; i < store_buckets.size(); ++i) {
        out << "liveticker_store_seconds_bucket{le=\"" << store_buckets[i] << "\"} "
            << store_bucket_counts_[i].load() << '\n';
    }
    out << "liveticker_store_seconds_bucket{le=\"+Inf\"} " << store_count_.load() << '\n'
        << "liveticker_store_seconds_sum " << static_cast<double>(store_sum_us_.load()) / 1e6
        << '\n'
        << "liveticker_store_seconds_count " << store_count_.load() << '\n';
    return out.str();
}

} // namespace liveticker::server
