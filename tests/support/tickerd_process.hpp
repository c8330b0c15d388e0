// A real tickerd, started as a child process on an ephemeral loopback port with its own SQLite
// file and editors file, for tests that talk to it over the network as readers and editors do.
#pragma once

#include "temp_dir.hpp"

#include <filesystem>
#include <memory>
#include <string>
#include <sys/types.h>
#include <vector>

namespace liveticker::test {

struct tickerd_options {
    /// The database file; empty = "liveticker.db" in the process's own temp folder. Pass the
    /// same path to a second tickerd_process to test a restart.
    std::filesystem::path db{};
    /// 0 = an ephemeral port. A restart test passes the first process's port again.
    unsigned short port = 0;
    std::vector<std::string> extra_args{};
};

/// Tokens in the editors file every harness tickerd gets.
inline constexpr const char* alice_token = "alice-token-0123456789";
inline constexpr const char* bob_token = "bob-token-9876543210";

class tickerd_process {
public:
    explicit tickerd_process(tickerd_options options = {});
    ~tickerd_process(); // SIGTERM, then SIGKILL if it does not exit in time
    tickerd_process(const tickerd_process&) = delete;
    tickerd_process& operator=(const tickerd_process&) = delete;

    std::string url() const; ///< "http://127.0.0.1:PORT"
    unsigned short port() const noexcept { return port_; }
    const std::filesystem::path& db() const noexcept { return db_; }
    pid_t pid() const noexcept { return pid_; }

    /// SIGTERM and wait for a clean exit; returns the exit status (0 for a clean stop).
    int stop();
    /// SIGKILL and wait: a crash, for durability tests.
    void kill();
    /// Everything tickerd wrote to stdout/stderr so far (for failure messages).
    std::string output() const;

private:
    int wait_for_exit(int timeout_ms);

    temp_dir dir_;
    std::filesystem::path db_;
    pid_t pid_ = -1;
    unsigned short port_ = 0;
    void finish_output();

    struct output_reader;
    std::unique_ptr<output_reader> output_;
    std::string final_output_; ///< what it said, kept after it exited
};

} // namespace liveticker::test
