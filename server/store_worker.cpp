#include "store_worker.hpp"

#include "job_thread.hpp"
#include "metrics.hpp"

#include <atomic>
#include <chrono>
#include <cstdint>

namespace liveticker::server {

// One thread with one store connection: jobs on it run one at a time, in order.
struct store_worker::lane {
    lane(std::unique_ptr<entry_store> s, server::metrics& m, const char* name,
         std::atomic<std::uint64_t>* counter)
        : store(std::move(s))
        , metrics(m)
        , jobs_run(counter)
        , thread(std::string("store ") + name) {}

    void post(job j) {
        thread.post([this, j = std::move(j)] {
            // Counted before it runs: a job answers its caller itself, and whoever then looks
            // at /metrics must already see it.
            if (jobs_run != nullptr) {
                jobs_run->fetch_add(1, std::memory_order_relaxed);
            }
            const auto start = std::chrono::steady_clock::now();
            j(*store);
            metrics.observe_store(std::chrono::steady_clock::now() - start);
        });
    }

    std::unique_ptr<entry_store> store;
    server::metrics& metrics;
    std::atomic<std::uint64_t>* const jobs_run; ///< counts this lane's jobs; nullptr: not counted
    job_thread thread; // last: stops (and runs what is queued) before the store goes
};

store_worker::store_worker(std::unique_ptr<entry_store> writer, std::unique_ptr<entry_store> reader,
                           server::metrics& m)
    : writer_(std::make_unique<lane>(std::move(writer), m, "writer", nullptr))
    // Reads are counted on their own: they show whether readers are served from the hub's
    // cache or from the database.
    , reader_(std::make_unique<lane>(std::move(reader), m, "reader", &m.store_reads)) {}

store_worker::~store_worker() {
    stop();
}

void store_worker::write(job j) {
    writer_->post(std::move(j));
}

void store_worker::read(job j) {
    reader_->post(std::move(j));
}

entry_store& store_worker::writer_store() noexcept {
    return *writer_->store;
}

void store_worker::stop() {
    writer_->thread.stop();
    reader_->thread.stop();
}

} // namespace liveticker::server
