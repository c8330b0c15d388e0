// End-to-end tests of tickerctl: the real binary (TICKERCTL_PATH) run as a subprocess against a
// real tickerd from the test harness, checking exit codes and what it prints, and reading the
// results back through tickerctl itself (`list --json`) or the client library.
#include "client.hpp"
#include "tickerd_process.hpp"

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include <arpa/inet.h>
#include <cerrno>
#include <chrono>
#include <csignal>
#include <cstring>
#include <fcntl.h>
#include <netinet/in.h>
#include <optional>
#include <poll.h>
#include <spawn.h>
#include <stdexcept>
#include <string>
#include <sys/socket.h>
#include <sys/wait.h>
#include <thread>
#include <unistd.h>
#include <vector>

extern char** environ;

namespace {

using json = nlohmann::json;
using namespace std::chrono_literals;
using clock_type = std::chrono::steady_clock;

struct run_result {
    int exit_code = -1;
    std::string out;
    std::string err;
};

/// Owns a file descriptor.
class fd_guard {
public:
    explicit fd_guard(int fd = -1)
        : fd_(fd) {}
    ~fd_guard() { reset(); }
    fd_guard(const fd_guard&) = delete;
    fd_guard& operator=(const fd_guard&) = delete;
    int get() const noexcept { return fd_; }
    void reset() {
        if (fd_ >= 0) {
            ::close(fd_);
        }
        fd_ = -1;
    }

private:
    int fd_;
};

struct pipe_pair {
    pipe_pair() {
        int fds[2];
        if (::pipe2(fds, O_CLOEXEC) != 0) {
            throw std::runtime_error("pipe2 failed");
        }
        read_end = std::make_unique<fd_guard>(fds[0]);
        write_end = std::make_unique<fd_guard>(fds[1]);
    }
    std::unique_ptr<fd_guard> read_end;
    std::unique_ptr<fd_guard> write_end;
};

/// The environment for tickerctl: ours without TICKER_* and COLUMNS, plus the given server and
/// token, so the developer's own settings cannot leak into a test.
std::vector<std::string> child_environment(const std::string& server, const std::string& token) {
    std::vector<std::string> env;
    for (char** e = environ; *e != nullptr; ++e) {
        const std::string_view var(*e);
        if (!var.starts_with("TICKER_") && !var.starts_with("COLUMNS=")) {
            env.emplace_back(var);
        }
    }
    env.push_back("TICKER_SERVER=" + server);
    if (!token.empty()) {
        env.push_back("TICKER_TOKEN=" + token);
    }
    return env;
}

std::vector<char*> c_strings(std::vector<std::string>& strings) {
    std::vector<char*> out;
    for (auto& s : strings) {
        out.push_back(s.data());
    }
    out.push_back(nullptr);
    return out;
}

/// Starts tickerctl with stdin, stdout and stderr connected to the given pipe ends.
pid_t spawn_tickerctl(const std::vector<std::string>& args, const std::string& server,
                      const std::string& token, int in_fd, int out_fd, int err_fd) {
    std::vector<std::string> argv_strings = {TICKERCTL_PATH};
    argv_strings.insert(argv_strings.end(), args.begin(), args.end());
    auto env_strings = child_environment(server, token);
    auto argv = c_strings(argv_strings);
    auto envp = c_strings(env_strings);

    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_adddup2(&actions, in_fd, STDIN_FILENO);
    posix_spawn_file_actions_adddup2(&actions, out_fd, STDOUT_FILENO);
    posix_spawn_file_actions_adddup2(&actions, err_fd, STDERR_FILENO);
    pid_t pid = -1;
    const int rc = ::posix_spawn(&pid, argv[0], &actions, nullptr, argv.data(), envp.data());
    posix_spawn_file_actions_destroy(&actions);
    if (rc != 0) {
        throw std::runtime_error(std::string("cannot start ") + TICKERCTL_PATH + ": " +
                                 std::strerror(rc));
    }
    return pid;
}

int exit_code_of(int status) {
    return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

/// Runs tickerctl to completion (at most 30 s) and captures everything.
run_result run_tickerctl(const std::vector<std::string>& args, const std::string& server,
                         const std::string& token = liveticker::test::alice_token,
                         const std::string& stdin_text = {}) {
    ::signal(SIGPIPE, SIG_IGN); // a child that exits before reading its stdin must not kill us
    pipe_pair in, out, err;
    const pid_t pid = spawn_tickerctl(args, server, token, in.read_end->get(), out.write_end->get(),
                                      err.write_end->get());
    in.read_end->reset();
    out.write_end->reset();
    err.write_end->reset();
    if (!stdin_text.empty()) {
        // Small texts only: fits the pipe buffer, so this cannot block.
        [[maybe_unused]] const auto n =
            ::write(in.write_end->get(), stdin_text.data(), stdin_text.size());
    }
    in.write_end->reset();

    run_result result;
    const auto deadline = clock_type::now() + 30s;
    bool out_open = true;
    bool err_open = true;
    while ((out_open || err_open) && clock_type::now() < deadline) {
        pollfd fds[2] = {{out_open ? out.read_end->get() : -1, POLLIN, 0},
                         {err_open ? err.read_end->get() : -1, POLLIN, 0}};
        if (::poll(fds, 2, 100) <= 0) {
            continue;
        }
        char buf[4096];
        for (int i = 0; i < 2; ++i) {
            if (fds[i].revents == 0) {
                continue;
            }
            const ssize_t n = ::read(fds[i].fd, buf, sizeof buf);
            if (n > 0) {
                (i == 0 ? result.out : result.err).append(buf, static_cast<std::size_t>(n));
            } else {
                (i == 0 ? out_open : err_open) = false;
            }
        }
    }
    if (out_open || err_open) {
        ::kill(pid, SIGKILL);
    }
    int status = 0;
    ::waitpid(pid, &status, 0);
    result.exit_code = exit_code_of(status);
    return result;
}

/// A tickerctl left running (for `tail`), whose stdout is read line by line.
class background_tickerctl {
public:
    background_tickerctl(const std::vector<std::string>& args, const std::string& server,
                         const std::string& token = liveticker::test::alice_token) {
        pipe_pair in, out, err;
        pid_ = spawn_tickerctl(args, server, token, in.read_end->get(), out.write_end->get(),
                               err.write_end->get());
        out_ = std::move(out.read_end);
        err_ = std::move(err.read_end);
    }

    ~background_tickerctl() {
        if (pid_ > 0) {
            ::kill(pid_, SIGKILL);
            int status = 0;
            ::waitpid(pid_, &status, 0);
        }
    }
    background_tickerctl(const background_tickerctl&) = delete;
    background_tickerctl& operator=(const background_tickerctl&) = delete;

    /// The next line of stdout (without '\n'), or std::nullopt after `timeout` or at EOF.
    std::optional<std::string> read_line(std::chrono::milliseconds timeout) {
        const auto deadline = clock_type::now() + timeout;
        for (;;) {
            if (const auto nl = buffer_.find('\n'); nl != std::string::npos) {
                std::string line = buffer_.substr(0, nl);
                buffer_.erase(0, nl + 1);
                return line;
            }
            drain_stderr();
            const auto left =
                std::chrono::duration_cast<std::chrono::milliseconds>(deadline - clock_type::now());
            if (left <= 0ms) {
                return std::nullopt;
            }
            pollfd p{out_->get(), POLLIN, 0};
            if (::poll(&p, 1, static_cast<int>(std::min<long>(left.count(), 100))) <= 0) {
                continue;
            }
            char buf[4096];
            const ssize_t n = ::read(out_->get(), buf, sizeof buf);
            if (n <= 0) {
                return std::nullopt;
            }
            buffer_.append(buf, static_cast<std::size_t>(n));
        }
    }

    /// Reads lines until one satisfies `pred`; std::nullopt if none does within `timeout`.
    template <class Pred>
    std::optional<std::string> read_until(std::chrono::milliseconds timeout, Pred&& pred) {
        const auto deadline = clock_type::now() + timeout;
        while (clock_type::now() < deadline) {
            const auto left =
                std::chrono::duration_cast<std::chrono::milliseconds>(deadline - clock_type::now());
            auto line = read_line(left);
            if (!line) {
                return std::nullopt;
            }
            if (pred(*line)) {
                return line;
            }
        }
        return std::nullopt;
    }

    /// Sends `sig` and waits (at most 10 s) for the exit code; -1 if it did not exit.
    int signal_and_wait(int sig) {
        ::kill(pid_, sig);
        const auto deadline = clock_type::now() + 10s;
        while (clock_type::now() < deadline) {
            drain_stderr();
            int status = 0;
            if (::waitpid(pid_, &status, WNOHANG) == pid_) {
                pid_ = -1;
                return exit_code_of(status);
            }
            std::this_thread::sleep_for(10ms);
        }
        return -1;
    }

    const std::string& err() const noexcept { return err_text_; }

private:
    // Keeps the stderr pipe from filling up (and shows it in failure messages).
    void drain_stderr() {
        pollfd p{err_->get(), POLLIN, 0};
        while (::poll(&p, 1, 0) > 0 && (p.revents & POLLIN) != 0) {
            char buf[4096];
            const ssize_t n = ::read(err_->get(), buf, sizeof buf);
            if (n <= 0) {
                break;
            }
            err_text_.append(buf, static_cast<std::size_t>(n));
        }
    }

    pid_t pid_ = -1;
    std::unique_ptr<fd_guard> out_;
    std::unique_ptr<fd_guard> err_;
    std::string buffer_;
    std::string err_text_;
};

std::string trimmed(std::string text) {
    while (!text.empty() && (text.back() == '\n' || text.back() == ' ')) {
        text.pop_back();
    }
    return text;
}

bool is_number(const std::string& text) {
    return !text.empty() && text.find_first_not_of("0123456789") == std::string::npos;
}

/// An URL on which nothing listens: a port the kernel gave us and that we released again.
std::string closed_port_url() {
    const fd_guard s(::socket(AF_INET, SOCK_STREAM, 0));
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    addr.sin_port = 0;
    REQUIRE(::bind(s.get(), reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0);
    socklen_t len = sizeof addr;
    REQUIRE(::getsockname(s.get(), reinterpret_cast<sockaddr*>(&addr), &len) == 0);
    return "http://127.0.0.1:" + std::to_string(ntohs(addr.sin_port));
}

/// Shorthand with the failure output in the assertion message.
#define REQUIRE_OK(result)                                                                         \
    do {                                                                                           \
        INFO("stdout: " << (result).out << "\nstderr: " << (result).err);                          \
        REQUIRE((result).exit_code == 0);                                                          \
    } while (false)

run_result create_ticker(const std::string& url, const std::string& id,
                         const std::string& title = "A test ticker") {
    auto r = run_tickerctl({"ticker", "create", id, "--title", title}, url);
    REQUIRE_OK(r);
    return r;
}

/// Posts and returns the new entry's id as printed by tickerctl.
std::string post_entry(const std::string& url, std::vector<std::string> args,
                       const std::string& stdin_text = {}) {
    args.insert(args.begin(), "post");
    const auto r = run_tickerctl(args, url, liveticker::test::alice_token, stdin_text);
    REQUIRE_OK(r);
    const auto id = trimmed(r.out);
    INFO("stdout: " << r.out);
    REQUIRE(is_number(id));
    return id;
}

json list_json(const std::string& url, const std::string& ticker,
               std::vector<std::string> extra = {}) {
    std::vector<std::string> args = {"list", ticker, "--json"};
    args.insert(args.end(), extra.begin(), extra.end());
    const auto r = run_tickerctl(args, url);
    REQUIRE_OK(r);
    const auto entries = json::parse(r.out);
    REQUIRE(entries.is_array());
    return entries;
}

std::optional<json> find_entry(const json& entries, const std::string& id) {
    for (const auto& e : entries) {
        if (std::to_string(e.at("id").get<std::int64_t>()) == id) {
            return e;
        }
    }
    return std::nullopt;
}

/// The entry with that id, failing the test when it is not there.
json require_entry(const json& entries, const std::string& id) {
    auto e = find_entry(entries, id);
    INFO("entry " << id << " in " << entries.dump());
    REQUIRE(e);
    return *e;
}

} // namespace

TEST_CASE("ticker create and ticker list", "[cli]") {
    liveticker::test::tickerd_process server;
    const auto created = create_ticker(server.url(), "election", "Election night");
    CHECK(trimmed(created.out) == "created ticker election");

    const auto listed = run_tickerctl({"ticker", "list"}, server.url());
    REQUIRE_OK(listed);
    CHECK(listed.out.find("election") != std::string::npos);
    CHECK(listed.out.find("Election night") != std::string::npos);
    CHECK(listed.out.find("live") != std::string::npos);

    const auto ended = run_tickerctl({"ticker", "end", "election"}, server.url());
    REQUIRE_OK(ended);
    const auto after = run_tickerctl({"ticker", "list"}, server.url());
    CHECK(after.out.find("ended") != std::string::npos);
    REQUIRE_OK(run_tickerctl({"ticker", "reopen", "election"}, server.url()));
}

TEST_CASE("post from an argument and from stdin, then list --json shows both", "[cli]") {
    liveticker::test::tickerd_process server;
    create_ticker(server.url(), "demo");

    const auto from_arg = post_entry(server.url(), {"demo", "Polls are open"});
    const auto from_dash = post_entry(server.url(), {"demo", "-"}, "First results\n");
    const auto from_pipe = post_entry(server.url(), {"demo"}, "Turnout is high\n");
    const auto from_words = post_entry(server.url(), {"demo", "several", "words"});

    const auto entries = list_json(server.url(), "demo");
    REQUIRE(entries.size() == 4);
    CHECK(require_entry(entries, from_arg).at("body") == "Polls are open");
    CHECK(require_entry(entries, from_dash).at("body") == "First results");
    CHECK(require_entry(entries, from_pipe).at("body") == "Turnout is high");
    CHECK(require_entry(entries, from_words).at("body") == "several words");
    // Newest first by default.
    CHECK(std::to_string(entries.at(0).at("id").get<std::int64_t>()) == from_words);
}

TEST_CASE("post with title, image, pin and key round-trips", "[cli]") {
    liveticker::test::tickerd_process server;
    create_ticker(server.url(), "demo");
    const auto id =
        post_entry(server.url(), {"demo", "The **winner** is known", "--title", "Result", "--image",
                                  "https://example.com/winner.jpg", "--caption", "On stage",
                                  "--credit", "AP", "--alt", "A person waving", "--pin", "--key"});
    const auto e = require_entry(list_json(server.url(), "demo"), id);
    CHECK(e.at("title") == "Result");
    CHECK(e.at("body") == "The **winner** is known");
    CHECK(e.at("html").get<std::string>().find("<strong>winner</strong>") != std::string::npos);
    CHECK(e.at("image").at("url") == "https://example.com/winner.jpg");
    CHECK(e.at("image").at("caption") == "On stage");
    CHECK(e.at("image").at("credit") == "AP");
    CHECK(e.at("image").at("alt") == "A person waving");
    CHECK(e.at("pinned") == true);
    CHECK(e.at("key") == true);
    CHECK(e.at("author") == "alice");
    CHECK(e.at("revision") == 1);
}

TEST_CASE("edit changes only the given fields and bumps the revision", "[cli]") {
    liveticker::test::tickerd_process server;
    create_ticker(server.url(), "demo");
    const auto id = post_entry(server.url(), {"demo", "Old text", "--title", "Old title", "--image",
                                              "https://example.com/a.jpg", "--pin"});

    const auto edited = run_tickerctl({"edit", "demo", id, "New text"}, server.url());
    REQUIRE_OK(edited);
    CHECK(trimmed(edited.out) == "updated entry " + id + " (revision 2)");
    auto e = require_entry(list_json(server.url(), "demo"), id);
    CHECK(e.at("body") == "New text");
    CHECK(e.at("title") == "Old title"); // untouched
    CHECK(e.at("pinned") == true);
    CHECK(e.at("revision") == 2);

    const auto cleared = run_tickerctl(
        {"edit", "demo", id, "--no-title", "--no-image", "--unpin", "--key"}, server.url());
    REQUIRE_OK(cleared);
    CHECK(trimmed(cleared.out) == "updated entry " + id + " (revision 3)");
    e = require_entry(list_json(server.url(), "demo"), id);
    CHECK(e.at("title").is_null());
    CHECK(e.at("image").is_null());
    CHECK(e.at("pinned") == false);
    CHECK(e.at("key") == true);
    CHECK(e.at("body") == "New text");

    const auto from_stdin = run_tickerctl({"edit", "demo", id, "-", "--title", "T"}, server.url(),
                                          liveticker::test::alice_token, "Piped edit\n");
    REQUIRE_OK(from_stdin);
    e = require_entry(list_json(server.url(), "demo"), id);
    CHECK(e.at("body") == "Piped edit");
    CHECK(e.at("title") == "T");

    const auto nothing = run_tickerctl({"edit", "demo", id}, server.url());
    CHECK(nothing.exit_code == 2);
}

TEST_CASE("delete removes the entry", "[cli]") {
    liveticker::test::tickerd_process server;
    create_ticker(server.url(), "demo");
    const auto keep = post_entry(server.url(), {"demo", "Stays"});
    const auto gone = post_entry(server.url(), {"demo", "Goes"});

    const auto deleted = run_tickerctl({"delete", "demo", gone}, server.url());
    REQUIRE_OK(deleted);
    CHECK(trimmed(deleted.out) == "deleted entry " + gone);
    const auto entries = list_json(server.url(), "demo");
    CHECK(find_entry(entries, keep));
    CHECK_FALSE(find_entry(entries, gone));

    const auto again = run_tickerctl({"delete", "demo", gone}, server.url());
    CHECK(again.exit_code == 5);
}

TEST_CASE("list prints a readable table and pages with --all", "[cli]") {
    liveticker::test::tickerd_process server;
    create_ticker(server.url(), "demo");
    const auto titled =
        post_entry(server.url(), {"demo", "Body text", "--title", "Headline", "--pin"});
    const auto untitled = post_entry(server.url(), {"demo", "First line\nsecond line"});

    const auto table = run_tickerctl({"list", "demo"}, server.url());
    REQUIRE_OK(table);
    INFO(table.out);
    CHECK(table.out.find("Headline") != std::string::npos);
    CHECK(table.out.find("First line") != std::string::npos);
    CHECK(table.out.find("second line") == std::string::npos); // first line only
    CHECK(table.out.find(titled) != std::string::npos);
    CHECK(table.out.find("P-") != std::string::npos);

    const auto oldest = run_tickerctl({"list", "demo", "--order", "oldest"}, server.url());
    REQUIRE_OK(oldest);
    CHECK(oldest.out.find("Headline") < oldest.out.find("First line"));

    for (int i = 0; i < 5; ++i) {
        post_entry(server.url(), {"demo", "Filler " + std::to_string(i)});
    }
    CHECK(list_json(server.url(), "demo", {"--limit", "3"}).size() == 3);
    const auto all = list_json(server.url(), "demo", {"--limit", "3", "--all"});
    CHECK(all.size() == 7);
    CHECK(find_entry(all, untitled));
    const auto all_oldest =
        list_json(server.url(), "demo", {"--limit", "2", "--all", "--order", "oldest"});
    REQUIRE(all_oldest.size() == 7);
    CHECK(std::to_string(all_oldest.at(0).at("id").get<std::int64_t>()) == titled);
}

TEST_CASE("tail --json prints the snapshot, then live events, and exits 0 on SIGINT", "[cli]") {
    liveticker::test::tickerd_process server;
    create_ticker(server.url(), "demo");
    const auto before = post_entry(server.url(), {"demo", "Before tail"});

    background_tickerctl tail({"tail", "demo", "--json"}, server.url());
    const auto snapshot = tail.read_line(10s);
    INFO("tail stderr: " << tail.err());
    REQUIRE(snapshot);
    const auto frame = json::parse(*snapshot);
    CHECK(frame.at("type") == "snapshot");
    REQUIRE(frame.at("entries").size() == 1);
    CHECK(std::to_string(frame.at("entries").at(0).at("id").get<std::int64_t>()) == before);

    const auto during = post_entry(server.url(), {"demo", "During tail"});
    const auto event = tail.read_until(10s, [&](const std::string& line) {
        const auto j = json::parse(line);
        return j.value("type", "") == "event" && j.value("op", "") == "create";
    });
    REQUIRE(event);
    const auto ev = json::parse(*event);
    CHECK(std::to_string(ev.at("entry").at("id").get<std::int64_t>()) == during);
    CHECK(ev.at("entry").at("body") == "During tail");
    CHECK(ev.at("seq").get<std::int64_t>() > frame.at("ticker").at("seq").get<std::int64_t>());

    CHECK(tail.signal_and_wait(SIGINT) == 0);
}

TEST_CASE("tail prints readable lines and survives a server restart", "[cli]") {
    liveticker::test::temp_dir dir;
    std::optional<liveticker::test::tickerd_process> server;
    server.emplace(liveticker::test::tickerd_options{dir / "ticker.db", 0, {}});
    const auto url = server->url();
    const auto port = server->port();
    create_ticker(url, "demo");
    post_entry(url, {"demo", "Already there", "--title", "Old news"});

    background_tickerctl tail({"tail", "demo"}, url);
    INFO("tail stderr: " << tail.err());
    REQUIRE(tail.read_until(
        10s, [](const std::string& l) { return l.find("Old news") != std::string::npos; }));
    const auto id = post_entry(url, {"demo", "Breaking", "--title", "Fresh news"});
    const auto line = tail.read_until(10s, [](const std::string& l) { return l.starts_with("#"); });
    REQUIRE(line);
    CHECK(line->find("create " + id + ": Fresh news") != std::string::npos);

    // Restart on the same port and database: tail reconnects, resumes after the last seq and
    // prints what it missed, nothing twice.
    server.reset();
    server.emplace(liveticker::test::tickerd_options{dir / "ticker.db", port, {}});
    const auto missed = post_entry(url, {"demo", "While away", "--title", "Missed news"});
    const auto resumed =
        tail.read_until(20s, [](const std::string& l) { return l.starts_with("#"); });
    REQUIRE(resumed);
    CHECK(resumed->find("create " + missed + ": Missed news") != std::string::npos);
    CHECK(tail.signal_and_wait(SIGTERM) == 0);
    CHECK(tail.err().find("reconnecting") != std::string::npos);
}

TEST_CASE("a wrong token exits 4 with a hint", "[cli]") {
    liveticker::test::tickerd_process server;
    create_ticker(server.url(), "demo");
    const auto r = run_tickerctl({"post", "demo", "Hello"}, server.url(), "wrong-token-0000000000");
    CHECK(r.exit_code == 4);
    CHECK(r.err.find("unauthorized: check --token / TICKER_TOKEN") != std::string::npos);
    CHECK(r.out.empty());

    const auto no_token =
        run_tickerctl({"ticker", "create", "x", "--title", "X"}, server.url(), "");
    CHECK(no_token.exit_code == 4);
    // --token wins over TICKER_TOKEN.
    const auto flag = run_tickerctl({"--token", liveticker::test::bob_token, "post", "demo", "Hi"},
                                    server.url(), "wrong-token-0000000000");
    CHECK(flag.exit_code == 0);
}

TEST_CASE("an unreachable server exits 3", "[cli]") {
    const auto url = closed_port_url();
    const auto r = run_tickerctl({"ticker", "list"}, url);
    CHECK(r.exit_code == 3);
    CHECK(r.err.find("cannot reach " + url + ": connection refused") != std::string::npos);

    const auto post = run_tickerctl({"post", "demo", "Hello"}, url);
    CHECK(post.exit_code == 3);
    CHECK(post.out.empty());

    const auto tail = run_tickerctl({"tail", "demo"}, url);
    CHECK(tail.exit_code == 3);
}

TEST_CASE("a validation error exits 6 and names the field", "[cli]") {
    liveticker::test::tickerd_process server;
    create_ticker(server.url(), "demo");
    const auto r = run_tickerctl({"post", "demo", ""}, server.url());
    CHECK(r.exit_code == 6);
    INFO(r.err);
    CHECK(r.err.find("invalid request: body:") != std::string::npos);

    const auto bad_id =
        run_tickerctl({"ticker", "create", "Not Valid!", "--title", "X"}, server.url());
    CHECK(bad_id.exit_code == 6);
    CHECK(bad_id.err.find("id") != std::string::npos);
}

TEST_CASE("an unknown ticker or entry exits 5 with the server's message", "[cli]") {
    liveticker::test::tickerd_process server;
    const auto list = run_tickerctl({"list", "nope"}, server.url());
    CHECK(list.exit_code == 5);
    CHECK(list.err.find("not found:") != std::string::npos);
    CHECK(list.err.find("nope") != std::string::npos);

    const auto post = run_tickerctl({"post", "nope", "Hello"}, server.url());
    CHECK(post.exit_code == 5);

    create_ticker(server.url(), "demo");
    const auto edit = run_tickerctl({"edit", "demo", "999999", "x"}, server.url());
    CHECK(edit.exit_code == 5);
}

TEST_CASE("usage errors, --help and --version", "[cli]") {
    const auto url = closed_port_url(); // none of these may touch the network
    CHECK(run_tickerctl({}, url).exit_code == 2);
    CHECK(run_tickerctl({"frobnicate"}, url).exit_code == 2);
    CHECK(run_tickerctl({"edit", "demo", "not-a-number", "x"}, url).exit_code == 2);
    CHECK(run_tickerctl({"edit", "demo", "1", "--pin", "--unpin"}, url).exit_code == 2);
    CHECK(run_tickerctl({"--server", "https://example.com", "ticker", "list"}, url).exit_code == 2);

    const auto help = run_tickerctl({"--help"}, url);
    CHECK(help.exit_code == 0);
    CHECK(help.out.find("Exit codes") != std::string::npos);
    const auto version = run_tickerctl({"--version"}, url);
    CHECK(version.exit_code == 0);
    CHECK(version.out.find("tickerctl") != std::string::npos);
}

// ---- The client library itself, against the same server ----

TEST_CASE("http_client reuses its connection and reports statuses", "[client]") {
    liveticker::test::tickerd_process server;
    liveticker::client::http_client http(server.url(), 5s);
    const auto list = http.request("GET", "/api/tickers");
    CHECK(list.status == 200);
    CHECK(list.header("content-type").find("application/json") != std::string::npos);
    const auto missing = http.request("GET", "/api/tickers/nope");
    CHECK(missing.status == 404);
    const auto created =
        http.request("POST", "/api/tickers", R"({"id":"demo","title":"Demo","description":""})",
                     {{"Authorization", std::string("Bearer ") + liveticker::test::alice_token}});
    CHECK(created.status == 201);
}

TEST_CASE("ws_client read times out without losing the connection or a message", "[client]") {
    liveticker::test::tickerd_process server;
    create_ticker(server.url(), "demo");
    liveticker::client::ws_client ws(server.url(), "/ws", 5s);
    ws.send_text(R"({"type":"subscribe","ticker":"demo","order":"newest","limit":20})");
    const auto snapshot = ws.read(5s);
    REQUIRE(snapshot);
    CHECK(json::parse(*snapshot).at("type") == "snapshot");

    // Several timeouts in a row leave one read pending; the message that then arrives is
    // delivered by the next call.
    CHECK_FALSE(ws.read(50ms));
    CHECK_FALSE(ws.read(0ms));
    const auto id = post_entry(server.url(), {"demo", "Hello"});
    std::this_thread::sleep_for(200ms);
    const auto event = ws.read(5s);
    REQUIRE(event);
    const auto j = json::parse(*event);
    CHECK(j.at("type") == "event");
    CHECK(std::to_string(j.at("entry").at("id").get<std::int64_t>()) == id);
    CHECK_FALSE(ws.closed());
    ws.close();
    CHECK(ws.closed());
}

TEST_CASE("client errors for unreachable servers and bad URLs", "[client]") {
    using liveticker::client::client_error;
    using liveticker::client::failure;
    const auto url = closed_port_url();
    liveticker::client::http_client http(url, 2s);
    try {
        http.request("GET", "/api/tickers");
        FAIL("expected client_error");
    } catch (const client_error& e) {
        CHECK(e.kind() == failure::unreachable);
        CHECK(std::string(e.what()).find("connection refused") != std::string::npos);
    }
    CHECK_THROWS_AS(liveticker::client::ws_client(url, "/ws", 2s), client_error);
    CHECK_THROWS_AS(liveticker::client::parse_server_url("https://example.com"), client_error);
    const auto ep = liveticker::client::parse_server_url("http://[::1]:9000/ignored");
    CHECK(ep.host == "::1");
    CHECK(ep.port == "9000");
    CHECK(liveticker::client::parse_server_url("http://example.com").port == "80");
}
