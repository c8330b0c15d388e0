// bench/fanout: measures how fast a live-ticker server fans one post out to N readers. It forks
// worker processes that open N subscriber WebSockets (each waits for its snapshot), posts M
// entries at R per second whose bodies carry their send time, and reports the post-to-delivery
// latency of every delivery, the deliveries per second, and the server's memory per
// connection. It drives tickerd (`--mode liveticker`, posts over the editors' HTTP API) or the
// Node.js baseline in bench/baseline (`--mode baseline`, posts over a WebSocket). See
// bench/README.md for what each figure means.
#include "fanout_common.hpp"
#include "publisher.hpp"
#include "subscribers.hpp"

#include <CLI/CLI.hpp>
#include <boost/asio/ip/address.hpp>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <csignal>
#include <cstdio>
#include <fcntl.h>
#include <fstream>
#include <memory>
#include <optional>
#include <sstream>
#include <string>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <thread>
#include <unistd.h>
#include <vector>

using namespace liveticker::bench;

namespace {

using steady = std::chrono::steady_clock;

/// "http://host:port" with a loopback host: the benchmark must never load another machine.
bool parse_url(options& opt, std::string& error) {
    std::string_view url = opt.url;
    if (!url.starts_with("http://")) {
        error = "--url must start with http://";
        return false;
    }
    url.remove_prefix(7);
    url = url.substr(0, url.find('/'));
    const auto colon = url.rfind(':');
    std::string host(url.substr(0, colon));
    unsigned port = 80;
    if (colon != std::string_view::npos) {
        try {
            port = static_cast<unsigned>(std::stoul(std::string(url.substr(colon + 1))));
        } catch (const std::exception&) {
            port = 0;
        }
    }
    if (host == "localhost") {
        host = "127.0.0.1";
    }
    boost::system::error_code ec;
    const auto address = boost::asio::ip::make_address_v4(host, ec);
    if (ec || !address.is_loopback()) {
        error = "--url: the host must be an IPv4 address in 127.0.0.0/8 (or localhost)";
        return false;
    }
    if (port == 0 || port > 65535) {
        error = "--url: bad port";
        return false;
    }
    opt.host = host;
    opt.port = static_cast<unsigned short>(port);
    return true;
}

/// Raises the soft limit on open files to the hard limit; returns the new soft limit.
rlim_t raise_file_limit() {
    rlimit limit{};
    ::getrlimit(RLIMIT_NOFILE, &limit);
    if (limit.rlim_cur < limit.rlim_max) {
        limit.rlim_cur = limit.rlim_max;
        ::setrlimit(RLIMIT_NOFILE, &limit);
        ::getrlimit(RLIMIT_NOFILE, &limit);
    }
    return limit.rlim_cur;
}

/// VmRSS of a process in KiB, from /proc; nullopt when unknown.
std::optional<std::int64_t> rss_kib(int pid) {
    if (pid <= 0) {
        return std::nullopt;
    }
    std::ifstream in("/proc/" + std::to_string(pid) + "/status");
    std::string line;
    while (std::getline(in, line)) {
        if (line.starts_with("VmRSS:")) {
            return std::stoll(line.substr(6));
        }
    }
    return std::nullopt;
}

/// User + system CPU seconds of a process (all its threads), from /proc; nullopt when unknown.
std::optional<double> process_cpu_seconds(int pid) {
    if (pid <= 0) {
        return std::nullopt;
    }
    std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
    std::string stat((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    // The command name is in parentheses and may hold spaces: fields count from after it.
    const auto close = stat.rfind(')');
    if (close == std::string::npos) {
        return std::nullopt;
    }
    std::istringstream fields(stat.substr(close + 2));
    std::string field;
    double ticks = 0;
    for (int i = 3; i <= 15 && fields >> field; ++i) {
        if (i == 14 || i == 15) { // utime, stime
            ticks += std::stod(field);
        }
    }
    return ticks / static_cast<double>(::sysconf(_SC_CLK_TCK));
}

/// CPU seconds the whole machine spent busy so far (every core, everything but idle and I/O
/// wait), from /proc/stat: against the server's and our own, it shows how much other work
/// shared the cores during a run.
std::optional<double> machine_busy_seconds() {
    std::ifstream in("/proc/stat");
    std::string cpu;
    long long user = 0, nice = 0, system = 0, idle = 0, iowait = 0, irq = 0, softirq = 0, steal = 0;
    if (!(in >> cpu >> user >> nice >> system >> idle >> iowait >> irq >> softirq >> steal) ||
        cpu != "cpu") {
        return std::nullopt;
    }
    return static_cast<double>(user + nice + system + irq + softirq + steal) /
           static_cast<double>(::sysconf(_SC_CLK_TCK));
}

/// CPU seconds used so far by the server, by us (this process and the workers) and by the whole
/// machine: two readings bracket a window.
struct cpu_reading {
    std::optional<double> server;
    double client = 0;
    std::optional<double> machine;
};

struct worker_process {
    pid_t pid = -1;
    int command_fd = -1; // we write
    int report_fd = -1;  // we read
};

/// Forks the subscriber workers before anything else exists (no threads, no sockets), each
/// with a pipe for commands and one for reports.
std::vector<worker_process> fork_workers(const options& opt) {
    std::vector<worker_process> workers;
    for (int w = 0; w < opt.processes; ++w) {
        int commands[2];
        int reports[2];
        if (::pipe2(commands, O_CLOEXEC) != 0 || ::pipe2(reports, O_CLOEXEC) != 0) {
            throw std::runtime_error("pipe failed");
        }
        const int first =
            static_cast<int>(static_cast<long long>(opt.subscribers) * w / opt.processes);
        const int last =
            static_cast<int>(static_cast<long long>(opt.subscribers) * (w + 1) / opt.processes);
        const pid_t pid = ::fork();
        if (pid < 0) {
            throw std::runtime_error("fork failed");
        }
        if (pid == 0) {
            // A worker must not outlive the run, whatever happens to the coordinator.
            ::prctl(PR_SET_PDEATHSIG, SIGKILL);
            if (::getppid() == 1) {
                ::_exit(1);
            }
            for (const auto& other : workers) {
                ::close(other.command_fd);
                ::close(other.report_fd);
            }
            ::close(commands[1]);
            ::close(reports[0]);
            int code = 1;
            try {
                code = run_subscriber_worker(opt, first, last, commands[0], reports[1]);
            } catch (const std::exception& e) {
                std::fprintf(stderr, "fanout worker %d: %s\n", w, e.what());
            }
            std::fflush(stderr);
            ::_exit(code); // the coordinator's objects are not ours to destroy
        }
        ::close(commands[0]);
        ::close(reports[1]);
        workers.push_back({pid, commands[1], reports[0]});
    }
    return workers;
}

cpu_reading read_cpu(const options& opt, const std::vector<worker_process>& workers) {
    cpu_reading c;
    c.server = process_cpu_seconds(opt.server_pid);
    c.client = cpu_seconds();
    for (const auto& w : workers) {
        c.client += process_cpu_seconds(w.pid).value_or(0);
    }
    c.machine = machine_busy_seconds();
    return c;
}

/// Ends the workers: those still running after a short wait are killed.
void reap(std::vector<worker_process>& workers) {
    for (auto& w : workers) {
        if (w.command_fd >= 0) {
            ::close(w.command_fd); // a worker waiting for a command sees the end and exits
            w.command_fd = -1;
        }
    }
    const auto deadline = steady::now() + std::chrono::seconds(10);
    for (auto& w : workers) {
        while (w.pid > 0) {
            int status = 0;
            const pid_t done = ::waitpid(w.pid, &status, WNOHANG);
            if (done == w.pid || done < 0) {
                w.pid = -1;
            } else if (steady::now() > deadline) {
                ::kill(w.pid, SIGKILL);
                ::waitpid(w.pid, &status, 0);
                w.pid = -1;
            } else {
                std::this_thread::sleep_for(std::chrono::milliseconds(10));
            }
        }
        if (w.report_fd >= 0) {
            ::close(w.report_fd);
            w.report_fd = -1;
        }
    }
}

/// The idle window: every reader connected and quiet, the server only pinging them.
struct idle_result {
    double seconds = 0; ///< wall time
    std::int64_t connections = 0;
    std::optional<double> server_cpu_seconds;
    double client_cpu_seconds = 0;
    std::optional<double> machine_cpu_seconds;

    /// The server's CPU as a share of one core, in percent.
    std::optional<double> server_core_percent() const {
        if (!server_cpu_seconds || seconds <= 0) {
            return std::nullopt;
        }
        return *server_cpu_seconds / seconds * 100;
    }
    /// The server's CPU per connection held for a second, in microseconds.
    std::optional<double> server_us_per_connection_second() const {
        if (!server_cpu_seconds || seconds <= 0 || connections == 0) {
            return std::nullopt;
        }
        return *server_cpu_seconds * 1e6 / seconds / static_cast<double>(connections);
    }
    /// Cores busy with anything but the server and us: other work that disturbed the reading.
    std::optional<double> others_cores() const {
        if (!machine_cpu_seconds || seconds <= 0) {
            return std::nullopt;
        }
        return std::max(0.0, *machine_cpu_seconds - server_cpu_seconds.value_or(0) -
                                 client_cpu_seconds) /
               seconds;
    }
};

/// Holds every connection idle for --idle-seconds and measures what that costs.
idle_result hold_idle(const options& opt, const std::vector<worker_process>& workers,
                      std::int64_t connections) {
    idle_result idle;
    idle.connections = connections;
    const auto before = read_cpu(opt, workers);
    const auto start = steady::now();
    std::this_thread::sleep_for(std::chrono::seconds(opt.idle_seconds));
    const auto after = read_cpu(opt, workers);
    idle.seconds = std::chrono::duration<double>(steady::now() - start).count();
    if (before.server && after.server) {
        idle.server_cpu_seconds = *after.server - *before.server;
    }
    idle.client_cpu_seconds = after.client - before.client;
    if (before.machine && after.machine) {
        idle.machine_cpu_seconds = *after.machine - *before.machine;
    }
    return idle;
}

struct run_result {
    std::int64_t connected = 0;
    std::int64_t connect_failed = 0;
    double connect_seconds = 0;
    std::string connect_error;
    publish_result posts;
    std::int64_t expected = 0;
    std::unique_ptr<final_report> totals = std::make_unique<final_report>();
    std::int64_t workers_lost = 0;
    std::optional<std::int64_t> rss_before_kib;
    std::optional<std::int64_t> rss_after_kib;
    std::optional<std::int64_t> rss_end_kib;
    std::optional<double> server_cpu_seconds;
    double client_cpu_seconds = 0;
    std::optional<double> machine_cpu_seconds;
    double window_seconds = 0;       ///< posting and settling, wall time
    std::optional<idle_result> idle; ///< with --idle-seconds
};

double ms(std::uint64_t ns) {
    return static_cast<double>(ns) / 1e6;
}

std::optional<double> bytes_per_connection(const run_result& r) {
    if (!r.rss_before_kib || !r.rss_after_kib || r.connected == 0) {
        return std::nullopt;
    }
    return static_cast<double>(*r.rss_after_kib - *r.rss_before_kib) * 1024.0 /
           static_cast<double>(r.connected);
}

/// The posting window: n posts at R per second take n periods (the last one's included), and
/// only as long as the posts actually took when the server slowed them down.
double posting_seconds(const run_result& r) {
    const auto n = r.posts.sent;
    if (n < 2 || r.posts.last_send_ns <= r.posts.first_send_ns) {
        return 0;
    }
    return static_cast<double>(r.posts.last_send_ns - r.posts.first_send_ns) / 1e9 *
           static_cast<double>(n) / static_cast<double>(n - 1);
}

/// Posts per second actually sent (the offered load is this times the readers).
double post_rate(const run_result& r) {
    const double seconds = posting_seconds(r);
    return seconds > 0 ? static_cast<double>(r.posts.sent) / seconds : 0;
}

/// Deliveries per second over the posting window, or from the first post to the last delivery
/// when deliveries lagged behind it (a saturated server).
double deliveries_per_second(const run_result& r) {
    const auto& t = *r.totals;
    if (t.received == 0 || t.last_recv_ns <= r.posts.first_send_ns) {
        return 0;
    }
    const double seconds = std::max(
        posting_seconds(r), static_cast<double>(t.last_recv_ns - r.posts.first_send_ns) / 1e9);
    return static_cast<double>(t.received) / seconds;
}

/// "12.3" and a unit.
std::string fixed(double value, const char* unit) {
    char text[64];
    std::snprintf(text, sizeof text, "%.1f%s", value, unit);
    return text;
}

void print_text(const options& opt, const run_result& r) {
    const auto& t = *r.totals;
    const auto& lat = t.latency;
    const auto& ans = *r.posts.answer_latency;
    std::printf("fanout: %s at %s, ticker %s: %d subscribers in %d process%s, %d entries at "
                "%g/s, %zu-byte bodies\n",
                opt.mode == server_mode::liveticker ? "tickerd" : "baseline", opt.url.c_str(),
                opt.ticker.c_str(), opt.subscribers, opt.processes, opt.processes == 1 ? "" : "es",
                opt.entries, opt.rate, opt.payload);
    std::printf(
        "connect     %lld of %d subscribed in %.3f s (snapshots included), %lld failed%s%s\n",
        static_cast<long long>(r.connected), opt.subscribers, r.connect_seconds,
        static_cast<long long>(r.connect_failed), r.connect_error.empty() ? "" : ": ",
        r.connect_error.c_str());
    if (r.idle) {
        const auto& idle = *r.idle;
        std::printf("idle        %.1f s holding %lld connections: ", idle.seconds,
                    static_cast<long long>(idle.connections));
        if (idle.server_cpu_seconds) {
            // /proc counts CPU in clock ticks (10 ms): two decimals are all there is.
            std::printf("server CPU %.2f s = %.3f%% of one core, %.3f us per connection per second",
                        *idle.server_cpu_seconds, idle.server_core_percent().value_or(0),
                        idle.server_us_per_connection_second().value_or(0));
        } else {
            std::printf("server CPU not measured (no --server-pid)");
        }
        std::printf("; client CPU %.2f s; others %.3f cores\n", idle.client_cpu_seconds,
                    idle.others_cores().value_or(0));
    }
    std::printf("posts       %lld ok, %lld failed, %lld not sent, %.1f/s sent",
                static_cast<long long>(r.posts.ok), static_cast<long long>(r.posts.failed),
                static_cast<long long>(r.posts.unsent), post_rate(r));
    if (ans.count() > 0) {
        std::printf(", answered in p50 %.2f ms, p99 %.2f ms", ms(ans.quantile(0.5)),
                    ms(ans.quantile(0.99)));
    }
    std::printf("%s%s\n",
                r.posts.first_error.empty() ? "" : "; first error: ", r.posts.first_error.c_str());
    std::printf("deliveries  expected %lld, received %lld, missing %lld, out of sequence %lld, "
                "other frames %lld, closed by server %lld%s%s\n",
                static_cast<long long>(r.expected), static_cast<long long>(t.received),
                static_cast<long long>(std::max<std::int64_t>(0, r.expected - t.received)),
                static_cast<long long>(t.sequence_breaks), static_cast<long long>(t.unexpected),
                static_cast<long long>(t.closed_early),
                t.first_error.empty() ? "" : "; first: ", t.first_error.text);
    std::printf("latency     p50 %.2f ms, p99 %.2f ms, p99.9 %.2f ms, max %.2f ms (post to "
                "delivery)\n",
                ms(lat.quantile(0.5)), ms(lat.quantile(0.99)), ms(lat.quantile(0.999)),
                ms(lat.max()));
    std::printf("throughput  %.0f deliveries/s (offered %.0f/s), %.0f bytes per event frame\n",
                deliveries_per_second(r), post_rate(r) * static_cast<double>(r.connected),
                t.received > 0
                    ? static_cast<double>(t.frame_bytes) / static_cast<double>(t.received)
                    : 0.0);
    if (r.rss_before_kib && r.rss_after_kib) {
        std::printf("server      RSS %.1f MiB before connecting, %.1f MiB after (%.1f KiB per "
                    "connection), %s at the end; CPU %s while posting and settling\n",
                    static_cast<double>(*r.rss_before_kib) / 1024.0,
                    static_cast<double>(*r.rss_after_kib) / 1024.0,
                    bytes_per_connection(r).value_or(0) / 1024.0,
                    r.rss_end_kib
                        ? fixed(static_cast<double>(*r.rss_end_kib) / 1024.0, " MiB").c_str()
                        : "(gone)",
                    r.server_cpu_seconds ? fixed(*r.server_cpu_seconds, " s").c_str() : "(gone)");
    } else {
        std::printf("server      (no --server-pid: memory and CPU not measured)\n");
    }
    std::printf("client      CPU %.2f s while posting and settling (%.2f us per delivery)%s\n",
                r.client_cpu_seconds,
                t.received > 0 ? r.client_cpu_seconds * 1e6 / static_cast<double>(t.received) : 0.0,
                r.workers_lost > 0 ? "; WORKERS LOST: their deliveries are missing" : "");
    if (r.machine_cpu_seconds) {
        // Whatever else ran meanwhile (and kernel work charged to no process) took the rest.
        std::printf(
            "machine     %.2f s posting and settling, %.2f CPU s busy on %ld cores, of which "
            "%.2f s neither the server's nor ours\n",
            r.window_seconds, *r.machine_cpu_seconds, ::sysconf(_SC_NPROCESSORS_ONLN),
            std::max(0.0, *r.machine_cpu_seconds - r.client_cpu_seconds -
                              r.server_cpu_seconds.value_or(0)));
    }
}

void print_json(const options& opt, const run_result& r) {
    const auto& t = *r.totals;
    const auto& lat = t.latency;
    const auto optional_number = [](const auto& v) {
        return v ? nlohmann::json(*v) : nlohmann::json(nullptr);
    };
    nlohmann::json j = {
        {"mode", opt.mode == server_mode::liveticker ? "liveticker" : "baseline"},
        {"url", opt.url},
        {"ticker", opt.ticker},
        {"subscribers", opt.subscribers},
        {"processes", opt.processes},
        {"entries", opt.entries},
        {"rate", opt.rate},
        {"payload", opt.payload},
        {"connected", r.connected},
        {"connect_failed", r.connect_failed},
        {"connect_seconds", r.connect_seconds},
        {"posts_ok", r.posts.ok},
        {"posts_failed", r.posts.failed},
        {"posts_sent", r.posts.sent},
        {"posts_unsent", r.posts.unsent},
        {"post_rate", post_rate(r)},
        {"post_answer_p50_ms", ms(r.posts.answer_latency->quantile(0.5))},
        {"post_answer_p99_ms", ms(r.posts.answer_latency->quantile(0.99))},
        {"expected", r.expected},
        {"received", t.received},
        {"missing", std::max<std::int64_t>(0, r.expected - t.received)},
        {"sequence_breaks", t.sequence_breaks},
        {"other_frames", t.unexpected},
        {"closed_by_server", t.closed_early},
        {"latency_p50_ms", ms(lat.quantile(0.5))},
        {"latency_p99_ms", ms(lat.quantile(0.99))},
        {"latency_p999_ms", ms(lat.quantile(0.999))},
        {"latency_max_ms", ms(lat.max())},
        {"deliveries_per_second", deliveries_per_second(r)},
        {"offered_per_second", post_rate(r) * static_cast<double>(r.connected)},
        {"frame_bytes", t.received > 0
                            ? static_cast<double>(t.frame_bytes) / static_cast<double>(t.received)
                            : 0.0},
        {"server_rss_before_kib", optional_number(r.rss_before_kib)},
        {"server_rss_after_kib", optional_number(r.rss_after_kib)},
        {"server_rss_end_kib", optional_number(r.rss_end_kib)},
        {"bytes_per_connection", optional_number(bytes_per_connection(r))},
        {"server_cpu_seconds", optional_number(r.server_cpu_seconds)},
        {"client_cpu_seconds", r.client_cpu_seconds},
        {"machine_cpu_seconds", optional_number(r.machine_cpu_seconds)},
        {"window_seconds", r.window_seconds},
        {"idle_seconds", r.idle ? nlohmann::json(r.idle->seconds) : nullptr},
        {"idle_server_cpu_seconds", r.idle ? optional_number(r.idle->server_cpu_seconds) : nullptr},
        {"idle_server_core_percent",
         r.idle ? optional_number(r.idle->server_core_percent()) : nullptr},
        {"idle_server_us_per_connection_second",
         r.idle ? optional_number(r.idle->server_us_per_connection_second()) : nullptr},
        {"idle_client_cpu_seconds", r.idle ? nlohmann::json(r.idle->client_cpu_seconds) : nullptr},
        {"idle_others_cores", r.idle ? optional_number(r.idle->others_cores()) : nullptr},
        {"workers_lost", r.workers_lost},
        {"first_error", !r.posts.first_error.empty() ? r.posts.first_error
                        : !r.connect_error.empty()   ? r.connect_error
                                                     : std::string(t.first_error.text)},
    };
    std::printf("%s\n", j.dump().c_str());
}

int coordinate(const options& opt, std::vector<worker_process>& workers) {
    run_result r;
    auto pub = std::make_unique<publisher>(opt);
    pub->open(std::chrono::seconds(10));
    if (opt.prefill > 0) {
        // A snapshot of real size for every reader, as on a ticker that has been running.
        const auto pre = pub->publish(opt.prefill, 0, std::chrono::seconds(60));
        if (pre.ok < opt.prefill) {
            throw std::runtime_error("prefilling the ticker failed: " + pre.first_error);
        }
    }
    // Let the server settle after the prefill before the first reading.
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
    r.rss_before_kib = rss_kib(opt.server_pid);

    const std::int64_t connect_start = now_ns();
    for (const auto& w : workers) {
        const worker_command go{worker_command::kind::connect, 0};
        write_all(w.command_fd, &go, sizeof go);
    }
    double worker_cpu_before = 0;
    std::int64_t connect_end = connect_start;
    const auto connect_deadline = steady::now() + std::chrono::seconds(opt.connect_timeout_s + 15);
    std::vector<bool> alive(workers.size(), true);
    for (std::size_t i = 0; i < workers.size(); ++i) {
        connect_report report;
        if (!read_all(workers[i].report_fd, &report, sizeof report, connect_deadline)) {
            alive[i] = false;
            ++r.workers_lost;
            continue;
        }
        r.connected += report.connected;
        r.connect_failed += report.failed;
        connect_end = std::max(connect_end, report.finished_ns);
        worker_cpu_before += report.cpu_seconds;
        if (r.connect_error.empty() && !report.first_error.empty()) {
            r.connect_error = report.first_error.text;
        }
    }
    r.connect_seconds = static_cast<double>(connect_end - connect_start) / 1e9;
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
    r.rss_after_kib = rss_kib(opt.server_pid);
    if (opt.idle_seconds > 0 && r.connected > 0) {
        r.idle = hold_idle(opt, workers, r.connected);
        // tickerd closes an HTTP connection that sends no request for 30 s: after the idle
        // window the posts go over fresh ones.
        pub = std::make_unique<publisher>(opt);
        pub->open(std::chrono::seconds(10));
    }

    const auto server_cpu_before = process_cpu_seconds(opt.server_pid);
    const double own_cpu_before = cpu_seconds();
    const auto machine_before = machine_busy_seconds();
    const auto window_start = steady::now();
    const auto window = std::chrono::milliseconds(
        static_cast<std::int64_t>(1000.0 * opt.entries / opt.rate) + 60'000);
    if (r.connected > 0) {
        r.posts = pub->publish(opt.entries, opt.rate, window);
    } else {
        r.posts.unsent = opt.entries;
        r.posts.first_error = "no subscriber connected";
    }
    r.expected = r.posts.ok * r.connected;

    for (std::size_t i = 0; i < workers.size(); ++i) {
        const worker_command posted{worker_command::kind::posted, r.posts.ok};
        if (alive[i]) {
            write_all(workers[i].command_fd, &posted, sizeof posted);
        }
    }
    const auto settle_deadline =
        steady::now() + std::chrono::milliseconds(opt.settle_ms) + std::chrono::seconds(30);
    double worker_cpu_after = 0;
    for (std::size_t i = 0; i < workers.size(); ++i) {
        auto report = std::make_unique<final_report>();
        if (!alive[i] ||
            !read_all(workers[i].report_fd, report.get(), sizeof *report, settle_deadline)) {
            r.workers_lost += alive[i] ? 1 : 0;
            continue;
        }
        auto& t = *r.totals;
        t.received += report->received;
        t.frame_bytes += report->frame_bytes;
        t.sequence_breaks += report->sequence_breaks;
        t.unexpected += report->unexpected;
        t.closed_early += report->closed_early;
        if (report->first_recv_ns != 0 &&
            (t.first_recv_ns == 0 || report->first_recv_ns < t.first_recv_ns)) {
            t.first_recv_ns = report->first_recv_ns;
        }
        t.last_recv_ns = std::max(t.last_recv_ns, report->last_recv_ns);
        if (t.first_error.empty() && !report->first_error.empty()) {
            t.first_error = report->first_error;
        }
        t.latency.merge(report->latency);
        worker_cpu_after += report->cpu_seconds;
    }
    if (const auto after = process_cpu_seconds(opt.server_pid); after && server_cpu_before) {
        r.server_cpu_seconds = *after - *server_cpu_before;
    }
    r.rss_end_kib = rss_kib(opt.server_pid);
    r.client_cpu_seconds =
        (worker_cpu_after - worker_cpu_before) + (cpu_seconds() - own_cpu_before);
    if (const auto after = machine_busy_seconds(); after && machine_before) {
        r.machine_cpu_seconds = *after - *machine_before;
    }
    r.window_seconds = std::chrono::duration<double>(steady::now() - window_start).count();

    if (opt.json) {
        print_json(opt, r);
    } else {
        print_text(opt, r);
    }
    const bool complete = r.workers_lost == 0 && r.connect_failed == 0 && r.posts.failed == 0 &&
                          r.posts.unsent == 0 && r.totals->received >= r.expected;
    return complete ? 0 : 1;
}

} // namespace

int main(int argc, char** argv) {
    options opt;
    CLI::App app{"fanout: measures a live-ticker server's fan-out to N WebSocket subscribers"};
    std::string mode = "liveticker";
    app.add_option("--url", opt.url, "server, http://127.0.0.1:PORT (loopback only)")
        ->capture_default_str();
    app.add_option("--ticker", opt.ticker, "ticker to subscribe to and post in")
        ->capture_default_str();
    app.add_option("--token", opt.token, "editor's bearer token (liveticker mode)")
        ->envname("TICKER_TOKEN");
    app.add_option("-n,--subscribers", opt.subscribers, "subscriber connections")
        ->check(CLI::Range(1, 1'000'000))
        ->capture_default_str();
    app.add_option("-m,--entries", opt.entries, "entries to post")
        ->check(CLI::Range(0, 10'000'000))
        ->capture_default_str();
    app.add_option("-r,--rate", opt.rate, "entries per second")
        ->check(CLI::Range(0.01, 1e6))
        ->capture_default_str();
    app.add_option("--payload", opt.payload, "body size in bytes (timestamp and padding)")
        ->check(CLI::Range(24, 20000))
        ->capture_default_str();
    app.add_option("--processes", opt.processes, "worker processes sharing the subscribers")
        ->check(CLI::Range(1, 64))
        ->capture_default_str();
    app.add_option("--server-pid", opt.server_pid, "server's pid, for its memory and CPU");
    app.add_option("--mode", mode, "liveticker (tickerd) or baseline (bench/baseline)")
        ->check(CLI::IsMember({"liveticker", "baseline"}))
        ->capture_default_str();
    app.add_option("--settle-ms", opt.settle_ms, "wait after the last post for stragglers")
        ->check(CLI::Range(0, 600'000))
        ->capture_default_str();
    app.add_option("--post-connections", opt.post_connections,
                   "keep-alive HTTP connections posting (liveticker mode)")
        ->check(CLI::Range(1, 64))
        ->capture_default_str();
    app.add_option("--prefill", opt.prefill, "entries posted before readers connect")
        ->check(CLI::Range(0, 1000))
        ->capture_default_str();
    app.add_option("--connect-concurrency", opt.connect_concurrency,
                   "connections being set up at once, per process")
        ->check(CLI::Range(1, 100'000))
        ->capture_default_str();
    app.add_option("--connect-timeout", opt.connect_timeout_s,
                   "seconds for all subscribers to get their snapshot")
        ->check(CLI::Range(1, 3600))
        ->capture_default_str();
    app.add_option("--idle-seconds", opt.idle_seconds,
                   "hold the connections idle this long before posting, measuring the server's "
                   "CPU (0: no idle window)")
        ->check(CLI::Range(0, 86'400))
        ->capture_default_str();
    app.add_flag("--json", opt.json, "print the results as one line of JSON");
    CLI11_PARSE(app, argc, argv);

    opt.mode = mode == "baseline" ? server_mode::baseline : server_mode::liveticker;
    std::string error;
    if (!parse_url(opt, error)) {
        std::fprintf(stderr, "fanout: %s\n", error.c_str());
        return 2;
    }
    if (opt.mode == server_mode::liveticker && opt.token.empty()) {
        std::fprintf(stderr, "fanout: --token (or TICKER_TOKEN) is required for tickerd\n");
        return 2;
    }
    if (opt.processes > opt.subscribers) {
        opt.processes = opt.subscribers;
    }
    const auto files = raise_file_limit();
    const auto per_process = static_cast<rlim_t>(opt.subscribers / opt.processes + 64);
    if (files < per_process) {
        std::fprintf(stderr,
                     "fanout: warning: %llu open files allowed, %llu needed per process; use "
                     "more --processes or raise the hard limit\n",
                     static_cast<unsigned long long>(files),
                     static_cast<unsigned long long>(per_process));
    }
    // A reader the server closes must show up as a failed read, not kill us.
    std::signal(SIGPIPE, SIG_IGN);

    auto workers = fork_workers(opt);
    int code = 1;
    try {
        code = coordinate(opt, workers);
    } catch (const std::exception& e) {
        std::fprintf(stderr, "fanout: %s\n", e.what());
        code = 1;
    }
    reap(workers);
    return code;
}
