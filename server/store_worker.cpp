#include "store_worker.hpp"

#include "job_thread.hpp"
#include "metrics.hpp"

#include <chrono>

namespace liveticker::server {

// One thread with one store connection: jobs on it run one at a time, in order.
struct store_worker::lane {
    lane(std::unique_ptr<entry_store> s, server::metrics& m, const char* name)
        : store(std::move(s))
        , metrics(m)
        , thread(std::string("store ") + name) {}

    void post(job j) {
        thread.post([this, j = std::move(j)] {
            const auto start = std::chrono::steady_clock::now();
            j(*store);
            metrics.observe_store(std::chrono::steady_clock::now() - start);
        });
    }

    std::unique_ptr<entry_store> store;
    server::metrics& metrics;
    job_thread thread; // last: stops (and runs what is queued) before the store goes
};

store_worker::store_worker(std::unique_ptr<entry_store> writer, std::unique_ptr<entry_store> reader,
                           server::metrics& m)
    : writer_(std::make_unique<lane>(std::move(writer), m, "writer"))
    , reader_(std::make_unique<lane>(std::move(reader), m, "reader")) {}

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
