// Runs store operations off the I/O threads: one writer thread (changes commit one at a time,
// in order, which is what gives each ticker gapless seqs and publishes in commit order) and one
// reader thread with its own connection (paging never waits behind a write's fsync).
#pragma once

#include "entry_store.hpp"

#include <functional>
#include <memory>

namespace liveticker::server {

class metrics;

class store_worker {
public:
    using job = std::function<void(entry_store&)>;

    store_worker(std::unique_ptr<entry_store> writer, std::unique_ptr<entry_store> reader,
                 server::metrics& m);
    ~store_worker(); // finishes queued jobs, then joins
    store_worker(const store_worker&) = delete;
    store_worker& operator=(const store_worker&) = delete;

    /// Queues a job for the writer thread. Jobs must catch their own exceptions and post
    /// their result back to the caller's executor.
    void write(job j);
    /// Queues a job for the reader thread.
    void read(job j);
    /// Waits for everything queued so far, then stops the threads. Idempotent.
    void stop();

    /// The writer's store, for code that runs inside a write job anyway (the hub reloading
    /// its heads while it publishes). Never use it from another thread.
    entry_store& writer_store() noexcept;

private:
    struct lane;
    std::unique_ptr<lane> writer_;
    std::unique_ptr<lane> reader_;
};

} // namespace liveticker::server
