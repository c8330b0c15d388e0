#include "job_thread.hpp"

#include <spdlog/spdlog.h>

namespace liveticker::server {

job_thread::job_thread(std::string name)
    : name_(std::move(name))
    , thread_([this] { run(); }) {}

job_thread::~job_thread() {
    stop();
}

bool job_thread::post(job j) {
    {
        const std::lock_guard lock(mutex_);
        if (stopping_) {
            spdlog::warn("{}: job refused while stopping", name_);
            return false;
        }
        jobs_.push_back(std::move(j));
    }
    wake_.notify_one();
    return true;
}

void job_thread::stop() {
    {
        const std::lock_guard lock(mutex_);
        stopping_ = true;
    }
    wake_.notify_one();
    if (thread_.joinable() && thread_.get_id() != std::this_thread::get_id()) {
        thread_.join();
    }
}

void job_thread::run() {
    for (;;) {
        job j;
        {
            std::unique_lock lock(mutex_);
            wake_.wait(lock, [&] { return stopping_ || !jobs_.empty(); });
            if (jobs_.empty()) {
                return; // stopping, and every queued job has run
            }
            j = std::move(jobs_.front());
            jobs_.pop_front();
        }
        try {
            j();
        } catch (const std::exception& e) {
            spdlog::error("{}: job escaped with {}", name_, e.what());
        }
    }
}

} // namespace liveticker::server
