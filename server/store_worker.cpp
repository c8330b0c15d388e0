#include "store_worker.hpp"

#include "metrics.hpp"

#include <spdlog/spdlog.h>

#include <chrono>
#include <condition_variable>
#include <deque>
#include <mutex>
#include <thread>

namespace liveticker::server {

// One thread with one store connection and a FIFO of jobs.
struct store_worker::lane {
    lane(std::unique_ptr<entry_store> s, server::metrics& m, const char* name)
        : store(std::move(s))
        , metrics(m)
        , name(name)
        , thread([this] { run(); }) {}

    ~lane() { stop(); }

    void post(job j) {
        {
            const std::lock_guard lock(mutex);
            if (stopping) {
                spdlog::warn("store {}: job refused while stopping", name);
                return;
            }
            jobs.push_back(std::move(j));
        }
        wake.notify_one();
    }

    void stop() {
        {
            const std::lock_guard lock(mutex);
            stopping = true;
        }
        wake.notify_one();
        if (thread.joinable()) {
            thread.join();
        }
    }

    void run() {
        for (;;) {
            job j;
            {
                std::unique_lock lock(mutex);
                wake.wait(lock, [&] { return stopping || !jobs.empty(); });
                if (jobs.empty()) {
                    return; // stopping, and every queued job has run
                }
                j = std::move(jobs.front());
                jobs.pop_front();
            }
            const auto start = std::chrono::steady_clock::now();
            try {
                j(*store);
            } catch (const std::exception& e) {
                // Jobs answer their own errors; this is a bug, not a reason to stop writing.
                spdlog::error("store {}: job escaped with {}", name, e.what());
            }
            metrics.observe_store(std::chrono::steady_clock::now() - start);
        }
    }

    std::unique_ptr<entry_store> store;
    server::metrics& metrics;
    const char* name;
    std::mutex mutex;
    std::condition_variable wake;
    std::deque<job> jobs;
    bool stopping = false;
    std::thread thread; // last: starts after everything it uses exists
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
    writer_->stop();
    reader_->stop();
}

} // namespace liveticker::server
