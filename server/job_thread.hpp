// One thread that runs queued jobs in order: the store's writer and reader each have one (so
// the disk never blocks an I/O thread), and so does the hub's fan-out (so a post is answered
// and the next one committed while readers are still being handed the last event).
#pragma once

#include <condition_variable>
#include <deque>
#include <functional>
#include <mutex>
#include <string>
#include <thread>

namespace liveticker::server {

class job_thread {
public:
    using job = std::function<void()>;

    explicit job_thread(std::string name);
    ~job_thread(); // runs what is queued, then joins
    job_thread(const job_thread&) = delete;
    job_thread& operator=(const job_thread&) = delete;

    /// Queues a job; false (and a warning) once stop() has begun. A job that throws is
    /// logged: it is a bug, and no reason to stop the jobs after it.
    bool post(job j);
    /// Runs everything queued so far, then ends the thread. Idempotent.
    void stop();

private:
    void run();

    const std::string name_;
    std::mutex mutex_;
    std::condition_variable wake_;
    std::deque<job> jobs_;
    bool stopping_ = false;
    std::thread thread_; // last: starts once everything it uses exists
};

} // namespace liveticker::server
