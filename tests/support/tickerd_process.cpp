#include "tickerd_process.hpp"

#include <catch2/catch.hpp>

#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <csignal>
#include <exception>
#include <fcntl.h>
#include <fstream>
#include <mutex>
#include <regex>
#include <spawn.h>
#include <stdexcept>
#include <sys/wait.h>
#include <thread>
#include <unistd.h>

extern char** environ;

namespace liveticker::test {

// Drains the child's stdout/stderr on its own thread, so tickerd never blocks on a full pipe,
// and lets the constructor wait for the line that names the port.
struct tickerd_process::output_reader {
    explicit output_reader(int fd)
        : fd_(fd)
        , thread_([this] { run(); }) {}
    ~output_reader() {
        if (thread_.joinable()) {
            thread_.join(); // returns once the child has exited and closed its end
        }
        ::close(fd_);
    }
    output_reader(const output_reader&) = delete;
    output_reader& operator=(const output_reader&) = delete;

    void run() {
        char buf[4096];
        for (;;) {
            const ssize_t n = ::read(fd_, buf, sizeof buf);
            if (n <= 0) {
                break;
            }
            const std::lock_guard lock(mutex_);
            text_.append(buf, static_cast<std::size_t>(n));
            changed_.notify_all();
        }
        const std::lock_guard lock(mutex_);
        eof_ = true;
        changed_.notify_all();
    }

    /// The port from "listening on http://HOST:PORT", or 0 if tickerd exited or timed out.
    unsigned short wait_for_port(std::chrono::milliseconds timeout) {
        static const std::regex listening(R"(listening on http://[^:\s]+:(\d+))");
        std::unique_lock lock(mutex_);
        unsigned short port = 0;
        changed_.wait_for(lock, timeout, [&] {
            std::smatch m;
            if (std::regex_search(text_, m, listening)) {
                port = static_cast<unsigned short>(std::stoi(m[1].str()));
                return true;
            }
            return eof_;
        });
        return port;
    }

    std::string text() const {
        const std::lock_guard lock(mutex_);
        return text_;
    }

    int fd_;
    mutable std::mutex mutex_;
    std::condition_variable changed_;
    std::string text_;
    bool eof_ = false;
    std::thread thread_;
};

tickerd_process::tickerd_process(tickerd_options options)
    : db_(options.db.empty() ? dir_ / "liveticker.db" : options.db) {
    const auto editors = dir_ / "editors";
    {
        std::ofstream out(editors);
        out << "# name token\nalice " << alice_token << "\nbob " << bob_token << "\n";
    }
    std::vector<std::string> args = {TICKERD_PATH,
                                     "--listen",
                                     "127.0.0.1:" + std::to_string(options.port),
                                     "--db",
                                     db_.string(),
                                     "--web-root",
                                     std::string(LIVETICKER_SOURCE_DIR) + "/web",
                                     "--editors",
                                     editors.string(),
                                     "--threads",
                                     "2"};
    args.insert(args.end(), options.extra_args.begin(), options.extra_args.end());
    if (std::find(args.begin(), args.end(), "--log-level") == args.end()) {
        args.insert(args.end(), {"--log-level", "info"});
    }
    std::vector<char*> argv;
    for (auto& a : args) {
        argv.push_back(a.data());
    }
    argv.push_back(nullptr);

    int fds[2];
    if (::pipe2(fds, O_CLOEXEC) != 0) {
        throw std::runtime_error("pipe failed");
    }
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_adddup2(&actions, fds[1], STDOUT_FILENO);
    posix_spawn_file_actions_adddup2(&actions, fds[1], STDERR_FILENO);
    const int rc = ::posix_spawn(&pid_, argv[0], &actions, nullptr, argv.data(), environ);
    posix_spawn_file_actions_destroy(&actions);
    ::close(fds[1]);
    if (rc != 0) {
        ::close(fds[0]);
        throw std::runtime_error(std::string("cannot start tickerd at ") + TICKERD_PATH);
    }
    output_ = std::make_unique<output_reader>(fds[0]);
    port_ = output_->wait_for_port(std::chrono::seconds(20));
    if (port_ == 0) {
        kill();
        throw std::runtime_error("tickerd did not start; it said:\n" + output());
    }
}

tickerd_process::~tickerd_process() {
    if (pid_ > 0) {
        stop();
    }
    // In the sanitizer builds a report from tickerd fails the test that ran it, even where the
    // test itself never looks at tickerd's exit status.
    const auto said = output();
    for (const char* marker : {"ERROR: AddressSanitizer", "ERROR: LeakSanitizer",
                               "runtime error:", "WARNING: ThreadSanitizer"}) {
        if (said.find(marker) != std::string::npos && std::uncaught_exceptions() == 0) {
            FAIL_CHECK("tickerd's sanitizer report:\n" << said);
            break;
        }
    }
}

std::string tickerd_process::url() const {
    return "http://127.0.0.1:" + std::to_string(port_);
}

std::string tickerd_process::output() const {
    return output_ ? output_->text() : final_output_;
}

void tickerd_process::finish_output() {
    if (output_) {
        output_->thread_.join(); // ends once tickerd has exited and its end of the pipe closed
        final_output_ = output_->text();
        output_.reset();
    }
}

int tickerd_process::wait_for_exit(int timeout_ms) {
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
    for (;;) {
        int status = 0;
        const pid_t r = ::waitpid(pid_, &status, WNOHANG);
        if (r == pid_) {
            pid_ = -1;
            return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
        }
        if (std::chrono::steady_clock::now() > deadline) {
            return -1;
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
}

int tickerd_process::stop() {
    if (pid_ <= 0) {
        return -1;
    }
    ::kill(pid_, SIGTERM);
    int status = wait_for_exit(10000);
    if (status < 0) {
        ::kill(pid_, SIGKILL);
        wait_for_exit(10000);
        status = -1;
    }
    finish_output();
    return status;
}

void tickerd_process::kill() {
    if (pid_ <= 0) {
        return;
    }
    ::kill(pid_, SIGKILL);
    wait_for_exit(10000);
    finish_output();
}

} // namespace liveticker::test
