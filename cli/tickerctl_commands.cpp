// tickerctl: the editors' command line. Each command is one or a few HTTP requests (or, for
// `tail`, a WebSocket subscription); output is meant for people by default and for scripts
// where it says so (`post` prints only the id, `--json` prints the server's JSON).
#include "tickerctl_commands.hpp"

#include "client.hpp"

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <ctime>
#include <iostream>
#include <iterator>
#include <memory>
#include <random>
#include <sstream>
#include <stdexcept>
#include <thread>
#include <vector>

#include <sys/ioctl.h>
#include <unistd.h>

namespace liveticker::tickerctl {

namespace {

using json = nlohmann::json;
using std::chrono::milliseconds;

constexpr std::string_view version_text = "tickerctl 0.1.0";
constexpr std::string_view default_server = "http://127.0.0.1:8080";
// One page of `list --all`: the server's maximum (protocol::limits::page_limit_max).
constexpr int all_page_limit = 100;

constexpr std::string_view help_footer = R"(Environment:
  TICKER_SERVER  server URL when --server is not given (default http://127.0.0.1:8080)
  TICKER_TOKEN   editor token when --token is not given

Exit codes:
  0  success
  1  other failure (server error, unexpected answer)
  2  usage error (bad command line)
  3  server unreachable, timed out or connection dropped
  4  unauthorized or forbidden: check --token / TICKER_TOKEN
  5  not found (ticker or entry)
  6  invalid request (the server names the field))";

/// A failure with the exit code it deserves; run() prints it and returns the code.
class command_error : public std::runtime_error {
public:
    command_error(int code, const std::string& message)
        : std::runtime_error(message)
        , code_(code) {}
    int code() const noexcept { return code_; }

private:
    int code_;
};

// ---- Small JSON accessors that tolerate missing fields and nulls ----

std::string str_of(const json& j, std::string_view key) {
    const auto it = j.find(key);
    return it != j.end() && it->is_string() ? it->get<std::string>() : std::string();
}

std::int64_t int_of(const json& j, std::string_view key) {
    const auto it = j.find(key);
    return it != j.end() && it->is_number() ? it->get<std::int64_t>() : 0;
}

bool bool_of(const json& j, std::string_view key) {
    const auto it = j.find(key);
    return it != j.end() && it->is_boolean() && it->get<bool>();
}

json parse_answer(const std::string& body, std::string_view what) {
    try {
        return json::parse(body);
    } catch (const json::exception& e) {
        throw command_error(exit_failed,
                            "unexpected answer to " + std::string(what) + ": " + e.what());
    }
}

std::int64_t now_ms() {
    using namespace std::chrono;
    return duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count();
}

// ---- Output formatting ----

/// What identifies an entry in one line: its title, else the first line of its body.
std::string entry_text(const json& e) {
    auto title = str_of(e, "title");
    return title.empty() ? first_line(str_of(e, "body")) : title;
}

std::string pad_left(std::string text, std::size_t width) {
    return text.size() < width ? std::string(width - text.size(), ' ') + text : text;
}

std::string pad_right(std::string text, std::size_t width) {
    return text.size() < width ? text + std::string(width - text.size(), ' ') : text;
}

/// ASCII flags, so column widths stay exact on every terminal: P = pinned, K = key event.
std::string flags_of(const json& e) {
    return std::string(bool_of(e, "pinned") ? "P" : "-") + (bool_of(e, "key") ? "K" : "-");
}

constexpr std::size_t time_width = 10; // "YYYY-MM-DD" or "HH:MM"

std::string entry_row(const json& e, std::size_t id_width, std::size_t columns) {
    const auto created = parse_utc_timestamp(str_of(e, "created_at"));
    std::string row = pad_left(std::to_string(int_of(e, "id")), id_width) + "  " +
                      pad_right(created ? short_local_time(*created, now_ms()) : "?", time_width) +
                      "  " + flags_of(e) + "  ";
    const std::size_t used = id_width + 2 + time_width + 2 + 2 + 2;
    return row + truncate_columns(entry_text(e), columns > used + 10 ? columns - used : 10);
}

std::size_t id_width_of(const json& entries) {
    std::size_t width = 2; // "ID"
    for (const auto& e : entries) {
        width = std::max(width, std::to_string(int_of(e, "id")).size());
    }
    return width;
}

void print_line(std::ostream& out, std::string_view line) {
    out << line << '\n' << std::flush; // flushed, so `tail | grep` sees lines as they come
}

// ---- Signals, for `tail` ----

volatile std::sig_atomic_t stop_signal = 0;

void on_stop_signal(int sig) {
    stop_signal = sig;
}

/// SIGINT/SIGTERM set a flag instead of killing the process, so `tail` can close its
/// WebSocket and exit 0. The previous handlers come back when this goes out of scope.
class stop_signals {
public:
    stop_signals() {
        stop_signal = 0;
        struct sigaction sa {};
        sa.sa_handler = on_stop_signal;
        sigemptyset(&sa.sa_mask);
        sa.sa_flags = 0; // no SA_RESTART: a blocking wait should wake up
        ::sigaction(SIGINT, &sa, &old_int_);
        ::sigaction(SIGTERM, &sa, &old_term_);
    }
    ~stop_signals() {
        ::sigaction(SIGINT, &old_int_, nullptr);
        ::sigaction(SIGTERM, &old_term_, nullptr);
    }
    stop_signals(const stop_signals&) = delete;
    stop_signals& operator=(const stop_signals&) = delete;

    static bool requested() noexcept { return stop_signal != 0; }

private:
    struct sigaction old_int_ {};
    struct sigaction old_term_ {};
};

// ---- The connection to the server ----

struct global_options {
    std::string server = std::string(default_server);
    std::string token;
    double timeout_s = 10;
};

/// What the commands share: where the server is, who we are, and the streams.
class session {
public:
    session(const global_options& options, const environment& env)
        : env_(env)
        , server_(options.server)
        , token_(options.token)
        , timeout_(static_cast<std::int64_t>(options.timeout_s * 1000)) {
        client::parse_server_url(server_); // a bad URL is a usage error before anything else
    }

    const environment& env() const noexcept { return env_; }
    const std::string& server() const noexcept { return server_; }
    milliseconds timeout() const noexcept { return timeout_; }

    /// One request with the token (when there is one); transport failures propagate as
    /// client_error, HTTP statuses come back as they are.
    client::http_response call(std::string_view method, const std::string& target,
                               const json* body = nullptr, client::header_list headers = {}) {
        if (!token_.empty()) {
            headers.emplace_back("Authorization", "Bearer " + token_);
        }
        if (!http_) {
            http_ = std::make_unique<client::http_client>(server_, timeout_);
        }
        return http_->request(method, target, body ? body->dump() : std::string(), headers);
    }

private:
    const environment& env_;
    const std::string server_;
    const std::string token_;
    const milliseconds timeout_;
    std::unique_ptr<client::http_client> http_;
};

/// Turns an HTTP answer that is not one of `ok` into a command_error with the right exit code
/// and the server's own explanation from `{"error":{"code","message","field"}}`.
void expect(const client::http_response& res, std::initializer_list<unsigned> ok,
            std::string_view what) {
    if (std::find(ok.begin(), ok.end(), res.status) != ok.end()) {
        return;
    }
    std::string message;
    std::string field;
    try {
        const auto body = json::parse(res.body);
        const auto& error = body.at("error");
        message = str_of(error, "message");
        field = str_of(error, "field");
    } catch (const json::exception&) {
        message = first_line(res.body); // not our JSON: a proxy's page, say
    }
    const std::string status = "HTTP " + std::to_string(res.status);
    switch (res.status) {
    case 401:
        throw command_error(exit_unauthorized, "unauthorized: check --token / TICKER_TOKEN");
    case 403:
        throw command_error(exit_unauthorized,
                            "forbidden: " + (message.empty() ? std::string(what) : message));
    case 404:
        throw command_error(exit_not_found,
                            "not found: " + (message.empty() ? std::string(what) : message));
    case 400:
    case 409:
    case 413:
    case 415:
    case 422:
        throw command_error(exit_invalid,
                            "invalid request: " + (field.empty() ? "" : field + ": ") +
                                (message.empty() ? status : message));
    default:
        throw command_error(exit_failed, std::string(what) + " failed: " + status +
                                             (message.empty() ? "" : ": " + message));
    }
}

std::string ticker_path(std::string_view ticker) {
    return "/api/tickers/" + url_encode(ticker);
}

std::string entry_path(std::string_view ticker, std::int64_t id) {
    return ticker_path(ticker) + "/entries/" + std::to_string(id);
}

// ---- ticker … ----

struct ticker_options {
    std::string id;
    std::string title;
    std::string description;
};

int ticker_create(session& s, const ticker_options& o) {
    const json body = {{"id", o.id}, {"title", o.title}, {"description", o.description}};
    const auto res = s.call("POST", "/api/tickers", &body);
    expect(res, {200, 201}, "creating ticker " + o.id);
    print_line(s.env().out, "created ticker " + o.id);
    return exit_ok;
}

int ticker_list(session& s) {
    const auto res = s.call("GET", "/api/tickers");
    expect(res, {200}, "listing tickers");
    const auto answer = parse_answer(res.body, "GET /api/tickers");
    // {"tickers":[…]}; a bare array is accepted too.
    const json tickers = answer.is_array() ? answer : answer.value("tickers", json::array());
    auto& out = s.env().out;
    if (tickers.empty()) {
        print_line(out, "no tickers");
        return exit_ok;
    }
    std::size_t id_width = 2;
    for (const auto& t : tickers) {
        id_width = std::max(id_width, str_of(t, "id").size());
    }
    const auto row = [&](std::string id, std::string status, std::string entries, std::string seq,
                         std::string_view title) {
        const std::string head =
            pad_right(std::move(id), id_width) + "  " + pad_right(std::move(status), 6) + "  " +
            pad_left(std::move(entries), 7) + "  " + pad_left(std::move(seq), 7) + "  ";
        const auto columns = s.env().columns;
        return head +
               truncate_columns(title, columns > head.size() + 10 ? columns - head.size() : 10);
    };
    print_line(out, row("ID", "STATUS", "ENTRIES", "SEQ", "TITLE"));
    for (const auto& t : tickers) {
        print_line(out, row(str_of(t, "id"), str_of(t, "status"),
                            std::to_string(int_of(t, "entry_count")),
                            std::to_string(int_of(t, "seq")), str_of(t, "title")));
    }
    return exit_ok;
}

int ticker_set_status(session& s, const std::string& id, std::string_view status) {
    const json body = {{"status", status}};
    const auto res = s.call("PATCH", ticker_path(id), &body);
    expect(res, {200, 204}, "changing ticker " + id);
    print_line(s.env().out, "ticker " + id + " is now " + std::string(status));
    return exit_ok;
}

// ---- post / edit / delete ----

struct image_options {
    std::string url;
    std::string caption;
    std::string credit;
    std::string alt;

    json to_json() const {
        return {{"url", url}, {"caption", caption}, {"credit", credit}, {"alt", alt}};
    }
};

struct post_options {
    std::string ticker;
    std::vector<std::string> words;
    std::string title;
    image_options image;
    bool pin = false;
    bool key = false;
};

std::string read_all(std::istream& in) {
    std::string text{std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
    // `echo text |` and editors add a final newline that is not part of the entry.
    while (!text.empty() && (text.back() == '\n' || text.back() == '\r')) {
        text.pop_back();
    }
    return text;
}

std::string join_words(const std::vector<std::string>& words) {
    std::string text;
    for (const auto& w : words) {
        text += (text.empty() ? "" : " ") + w;
    }
    return text;
}

bool is_transport_retryable(const client::client_error& e) {
    return e.kind() == client::failure::dropped || e.kind() == client::failure::timed_out ||
           e.kind() == client::failure::unreachable;
}

int post(session& s, const post_options& o, bool title_given, bool image_given) {
    std::string text;
    if (o.words.size() == 1 && o.words[0] == "-") {
        text = read_all(s.env().in);
    } else if (!o.words.empty()) {
        text = join_words(o.words);
    } else if (!s.env().stdin_is_tty) {
        text = read_all(s.env().in);
    } else {
        throw command_error(exit_usage, "post: give the text as an argument, or '-' and pipe "
                                        "it on stdin");
    }
    json body = {{"body", text}, {"pinned", o.pin}, {"key", o.key}};
    if (title_given) {
        body["title"] = o.title;
    }
    if (image_given) {
        body["image"] = o.image.to_json();
    }
    // One key per invocation: if the first attempt did reach the server and only the answer
    // got lost, the retry is recognised and answered with the same entry instead of a copy.
    const client::header_list headers = {{"Idempotency-Key", new_idempotency_key()}};
    const std::string target = ticker_path(o.ticker) + "/entries";
    client::http_response res;
    try {
        res = s.call("POST", target, &body, headers);
    } catch (const client::client_error& e) {
        if (!is_transport_retryable(e)) {
            throw;
        }
        s.env().err << "tickerctl: " << e.what() << "; retrying once\n" << std::flush;
        std::this_thread::sleep_for(milliseconds(300));
        res = s.call("POST", target, &body, headers);
    }
    expect(res, {200, 201}, "posting to " + o.ticker);
    const auto entry = parse_answer(res.body, "POST " + target);
    const auto& e = entry.contains("entry") ? entry.at("entry") : entry;
    print_line(s.env().out, std::to_string(int_of(e, "id")));
    return exit_ok;
}

struct edit_options {
    std::string ticker;
    std::int64_t id = 0;
    std::vector<std::string> words;
    std::string title;
    image_options image;
};

struct edit_flags {
    bool title = false;
    bool no_title = false;
    bool image = false;
    bool no_image = false;
    bool pin = false;
    bool unpin = false;
    bool key = false;
    bool no_key = false;
};

int edit(session& s, const edit_options& o, const edit_flags& f) {
    json body = json::object();
    if (o.words.size() == 1 && o.words[0] == "-") {
        body["body"] = read_all(s.env().in);
    } else if (!o.words.empty()) {
        body["body"] = join_words(o.words);
    }
    if (f.title) {
        body["title"] = o.title;
    } else if (f.no_title) {
        body["title"] = nullptr;
    }
    if (f.image) {
        body["image"] = o.image.to_json();
    } else if (f.no_image) {
        body["image"] = nullptr;
    }
    if (f.pin || f.unpin) {
        body["pinned"] = f.pin;
    }
    if (f.key || f.no_key) {
        body["key"] = f.key;
    }
    if (body.empty()) {
        throw command_error(exit_usage, "edit: nothing to change (give TEXT, '-', --title, "
                                        "--image, --pin, --key or their --no-/--un- forms)");
    }
    const auto target = entry_path(o.ticker, o.id);
    const auto res = s.call("PATCH", target, &body);
    expect(res, {200}, "editing entry " + std::to_string(o.id));
    const auto entry = parse_answer(res.body, "PATCH " + target);
    const auto& e = entry.contains("entry") ? entry.at("entry") : entry;
    print_line(s.env().out, "updated entry " + std::to_string(o.id) + " (revision " +
                                std::to_string(int_of(e, "revision")) + ")");
    return exit_ok;
}

int delete_entry(session& s, const std::string& ticker, std::int64_t id) {
    const auto res = s.call("DELETE", entry_path(ticker, id));
    expect(res, {200, 204}, "deleting entry " + std::to_string(id));
    print_line(s.env().out, "deleted entry " + std::to_string(id));
    return exit_ok;
}

// ---- list ----

struct list_options {
    std::string ticker;
    std::string order = "newest";
    int limit = 0; // 0 = the server's default
    bool all = false;
    bool as_json = false;
};

int list(session& s, const list_options& o) {
    std::string base = ticker_path(o.ticker) + "/entries?order=" + url_encode(o.order);
    const int limit = o.limit > 0 ? o.limit : (o.all ? all_page_limit : 0);
    if (limit > 0) {
        base += "&limit=" + std::to_string(limit);
    }
    json entries = json::array();
    std::string target = base;
    for (;;) {
        const auto res = s.call("GET", target);
        expect(res, {200}, "listing " + o.ticker);
        const auto page = parse_answer(res.body, "GET " + target);
        for (const auto& e : page.value("entries", json::array())) {
            entries.push_back(e);
        }
        const auto cursor = page.find("cursor");
        if (!o.all || cursor == page.end() || !cursor->is_string()) {
            break;
        }
        target = base + "&cursor=" + url_encode(cursor->get<std::string>());
    }
    auto& out = s.env().out;
    if (o.as_json) {
        print_line(out, entries.dump(2));
        return exit_ok;
    }
    if (entries.empty()) {
        print_line(out, "no entries");
        return exit_ok;
    }
    const auto id_width = id_width_of(entries);
    print_line(out, pad_left("ID", id_width) + "  " + pad_right("TIME", time_width) + "  PK  TEXT");
    for (const auto& e : entries) {
        print_line(out, entry_row(e, id_width, s.env().columns));
    }
    return exit_ok;
}

// ---- tail ----

struct tail_options {
    std::string ticker;
    std::string order = "newest";
    int limit = 20;
    std::optional<std::int64_t> resume;
    bool as_json = false;
};

int exit_code_for_ws_error(std::string_view code) {
    if (code.find("not_found") != std::string_view::npos) {
        return exit_not_found;
    }
    if (code.find("unauthorized") != std::string_view::npos) {
        return exit_unauthorized;
    }
    if (code.find("invalid") != std::string_view::npos || code == "bad_request") {
        return exit_invalid;
    }
    return exit_failed;
}

/// Follows one ticker over the readers' WebSocket until a signal; reconnects with the last
/// sequence number seen, so nothing is missed or printed twice across a reconnect.
class tailer {
public:
    tailer(session& s, const tail_options& o)
        : s_(s)
        , o_(o)
        , last_seq_(o.resume) {}

    int run() {
        const stop_signals signals;
        bool connected_once = false;
        milliseconds backoff(500);
        while (!stop_signals::requested()) {
            try {
                client::ws_client ws(s_.server(), "/ws", s_.timeout());
                connected_once = true;
                json subscribe = {{"type", "subscribe"},
                                  {"ticker", o_.ticker},
                                  {"order", o_.order},
                                  {"limit", o_.limit}};
                if (last_seq_) {
                    subscribe["resume_seq"] = *last_seq_;
                }
                ws.send_text(subscribe.dump());
                while (!stop_signals::requested()) {
                    // Short waits, so a signal is noticed quickly.
                    const auto frame = ws.read(milliseconds(200));
                    if (!frame) {
                        continue;
                    }
                    backoff = milliseconds(500); // the connection works again
                    if (const auto code = handle(*frame)) {
                        ws.close();
                        return *code;
                    }
                }
                ws.close();
            } catch (const client::client_error& e) {
                if (!connected_once || e.kind() == client::failure::bad_url) {
                    throw; // never reached the server: say so instead of retrying forever
                }
                if (stop_signals::requested()) {
                    break;
                }
                s_.env().err << "tickerctl: " << e.what() << "; reconnecting… (in "
                             << backoff.count() << " ms)\n"
                             << std::flush;
                sleep_unless_stopped(backoff);
                backoff = std::min(backoff * 2, milliseconds(5000));
            }
        }
        return exit_ok;
    }

private:
    static void sleep_unless_stopped(milliseconds total) {
        const auto until = std::chrono::steady_clock::now() + total;
        while (!stop_signals::requested() && std::chrono::steady_clock::now() < until) {
            std::this_thread::sleep_for(milliseconds(50));
        }
    }

    /// Prints one frame; returns an exit code when the frame ends the tail.
    std::optional<int> handle(const std::string& frame) {
        json j;
        try {
            j = json::parse(frame);
        } catch (const json::exception& e) {
            s_.env().err << "tickerctl: ignoring a frame that is not JSON: " << e.what() << "\n";
            return std::nullopt;
        }
        const auto type = str_of(j, "type");
        if (type == "snapshot") {
            last_seq_ = int_of(j.value("ticker", json::object()), "seq");
        } else if (type == "resumed" || type == "event") {
            last_seq_ = std::max(last_seq_.value_or(0), int_of(j, "seq"));
        }
        if (o_.as_json) {
            // The frame as the server sent it, unless it spans lines (then re-encoded compactly).
            print_line(s_.env().out, frame.find('\n') == std::string::npos ? frame : j.dump());
        } else if (type == "snapshot") {
            print_snapshot(j);
        } else if (type == "event") {
            print_event(j);
        }
        if (type == "error") {
            const auto code = str_of(j, "code");
            s_.env().err << "tickerctl: server: " << code << ": " << str_of(j, "message") << "\n"
                         << std::flush;
            return exit_code_for_ws_error(code);
        }
        return std::nullopt;
    }

    void print_snapshot(const json& j) {
        auto entries = j.value("entries", json::array());
        // Oldest first, so the newest ends up at the bottom, right above the live events.
        if (str_of(j, "order") != "oldest") {
            std::reverse(entries.begin(), entries.end());
        }
        const auto id_width = id_width_of(entries);
        for (const auto& e : entries) {
            print_line(s_.env().out, entry_row(e, id_width, s_.env().columns));
        }
        s_.env().err << "tickerctl: following " << o_.ticker << " from #" << last_seq_.value_or(0)
                     << " (Ctrl-C to stop)\n"
                     << std::flush;
    }

    void print_event(const json& j) {
        const auto op = str_of(j, "op");
        std::string line = "#" + std::to_string(int_of(j, "seq")) + " " + op + " ";
        std::string text;
        if (op == "ticker") {
            const auto state = j.value("ticker_state", json::object());
            line += str_of(state, "id");
            text = str_of(state, "status") + " — " + str_of(state, "title");
        } else {
            const auto entry = j.value("entry", json::object());
            line += std::to_string(int_of(entry, "id"));
            if (op != "delete") {
                text = entry_text(entry);
            }
        }
        if (!text.empty()) {
            line += ": ";
            const auto columns = s_.env().columns;
            line += truncate_columns(text, columns > line.size() + 10 ? columns - line.size() : 10);
        }
        print_line(s_.env().out, line);
    }

    session& s_;
    const tail_options& o_;
    std::optional<std::int64_t> last_seq_;
};

// ---- Command line ----

int exit_code_for(const client::client_error& e) {
    switch (e.kind()) {
    case client::failure::bad_url:
        return exit_usage;
    case client::failure::unreachable:
    case client::failure::timed_out:
    case client::failure::dropped:
        return exit_unreachable;
    case client::failure::other:
        break;
    }
    return exit_failed;
}

void add_image_options(CLI::App& cmd, image_options& image, CLI::Option*& image_opt) {
    image_opt = cmd.add_option("--image", image.url, "Image URL");
    cmd.add_option("--caption", image.caption, "Image caption")->needs(image_opt);
    cmd.add_option("--credit", image.credit, "Image credit (photographer, agency)")
        ->needs(image_opt);
    cmd.add_option("--alt", image.alt, "Image description for screen readers")->needs(image_opt);
}

} // namespace

int run(int argc, const char* const* argv, const environment& env) {
    CLI::App app{"tickerctl: the editors' command line for Liveticker", "tickerctl"};
    app.footer(std::string(help_footer));
    app.set_version_flag("--version", std::string(version_text));
    app.require_subcommand(1);
    app.fallthrough(); // global options may come after the command too

    global_options g;
    app.add_option("--server", g.server, "Server URL (http://host:port)")
        ->envname("TICKER_SERVER")
        ->capture_default_str();
    app.add_option("--token", g.token, "Editor token")->envname("TICKER_TOKEN");
    app.add_option("--timeout", g.timeout_s, "Seconds to wait for the server per request")
        ->check(CLI::Range(0.1, 3600.0))
        ->capture_default_str();

    // ticker …
    auto* ticker = app.add_subcommand("ticker", "Create, list, end or reopen tickers");
    ticker->require_subcommand(1);
    ticker_options t;
    auto* t_create = ticker->add_subcommand("create", "Create a ticker");
    t_create->add_option("id", t.id, "Ticker id ([a-z0-9-], e.g. election-2025)")->required();
    t_create->add_option("--title", t.title, "Ticker title")->required();
    t_create->add_option("--description", t.description, "Ticker description");
    auto* t_list = ticker->add_subcommand("list", "List tickers");
    std::string status_id;
    auto* t_end = ticker->add_subcommand("end", "Mark a ticker as ended");
    t_end->add_option("id", status_id, "Ticker id")->required();
    auto* t_reopen = ticker->add_subcommand("reopen", "Mark an ended ticker as live again");
    t_reopen->add_option("id", status_id, "Ticker id")->required();

    // post
    post_options p;
    auto* post_cmd = app.add_subcommand("post", "Post an entry; prints its id");
    post_cmd->add_option("ticker", p.ticker, "Ticker id")->required();
    post_cmd->add_option("text", p.words,
                         "Entry text (Markdown); '-' or nothing reads stdin when it is not a "
                         "terminal");
    auto* post_title = post_cmd->add_option("--title", p.title, "Entry title");
    CLI::Option* post_image = nullptr;
    add_image_options(*post_cmd, p.image, post_image);
    post_cmd->add_flag("--pin", p.pin, "Pin the entry to the top");
    post_cmd->add_flag("--key", p.key, "Mark as key event");

    // edit
    edit_options e;
    edit_flags ef;
    auto* edit_cmd = app.add_subcommand("edit", "Change an entry; only the given fields change");
    edit_cmd->add_option("ticker", e.ticker, "Ticker id")->required();
    edit_cmd->add_option("id", e.id, "Entry id")->required();
    edit_cmd->add_option("text", e.words, "New text; '-' reads stdin");
    auto* e_title = edit_cmd->add_option("--title", e.title, "New title");
    edit_cmd->add_flag("--no-title", ef.no_title, "Remove the title")->excludes(e_title);
    CLI::Option* e_image = nullptr;
    add_image_options(*edit_cmd, e.image, e_image);
    edit_cmd->add_flag("--no-image", ef.no_image, "Remove the image")->excludes(e_image);
    auto* e_pin = edit_cmd->add_flag("--pin", ef.pin, "Pin the entry");
    edit_cmd->add_flag("--unpin", ef.unpin, "Unpin the entry")->excludes(e_pin);
    auto* e_key = edit_cmd->add_flag("--key", ef.key, "Mark as key event");
    edit_cmd->add_flag("--no-key", ef.no_key, "Unmark as key event")->excludes(e_key);

    // delete
    std::string d_ticker;
    std::int64_t d_id = 0;
    auto* delete_cmd = app.add_subcommand("delete", "Delete an entry");
    delete_cmd->add_option("ticker", d_ticker, "Ticker id")->required();
    delete_cmd->add_option("id", d_id, "Entry id")->required();

    // list
    list_options l;
    auto* list_cmd = app.add_subcommand("list", "List a ticker's entries");
    list_cmd->add_option("ticker", l.ticker, "Ticker id")->required();
    list_cmd->add_option("--order", l.order, "newest or oldest first")
        ->check(CLI::IsMember({"newest", "oldest"}))
        ->capture_default_str();
    list_cmd->add_option("--limit", l.limit, "Entries per page (1-100; default: the server's)")
        ->check(CLI::Range(1, 100));
    list_cmd->add_flag("--all", l.all, "Follow the cursor through all pages");
    list_cmd->add_flag("--json", l.as_json, "Print the entries as a JSON array");

    // tail
    tail_options ta;
    std::int64_t resume_seq = 0;
    auto* tail_cmd = app.add_subcommand("tail", "Follow a ticker live until Ctrl-C");
    tail_cmd->add_option("ticker", ta.ticker, "Ticker id")->required();
    tail_cmd->add_option("--order", ta.order, "Order of the first entries: newest or oldest")
        ->check(CLI::IsMember({"newest", "oldest"}))
        ->capture_default_str();
    tail_cmd->add_option("--limit", ta.limit, "Entries in the first snapshot")
        ->check(CLI::Range(1, 100))
        ->capture_default_str();
    auto* resume_opt = tail_cmd->add_option(
        "--resume", resume_seq, "Start after this sequence number instead of a snapshot");
    tail_cmd->add_flag("--json", ta.as_json, "Print the server's frames, one JSON per line");

    try {
        app.parse(argc, argv);
    } catch (const CLI::ParseError& err) {
        // --help and --version exit 0; every real parse error is a usage error (2).
        return app.exit(err, env.out, env.err) == 0 ? exit_ok : exit_usage;
    }

    try {
        session s(g, env);
        if (t_create->parsed()) {
            return ticker_create(s, t);
        }
        if (t_list->parsed()) {
            return ticker_list(s);
        }
        if (t_end->parsed()) {
            return ticker_set_status(s, status_id, "ended");
        }
        if (t_reopen->parsed()) {
            return ticker_set_status(s, status_id, "live");
        }
        if (post_cmd->parsed()) {
            return post(s, p, post_title->count() > 0, post_image->count() > 0);
        }
        if (edit_cmd->parsed()) {
            ef.title = e_title->count() > 0;
            ef.image = e_image->count() > 0;
            return edit(s, e, ef);
        }
        if (delete_cmd->parsed()) {
            return delete_entry(s, d_ticker, d_id);
        }
        if (list_cmd->parsed()) {
            return list(s, l);
        }
        if (tail_cmd->parsed()) {
            if (resume_opt->count() > 0) {
                ta.resume = resume_seq;
            }
            return tailer(s, ta).run();
        }
        env.err << app.help();
        return exit_usage;
    } catch (const command_error& err) {
        env.err << "tickerctl: " << err.what() << "\n";
        return err.code();
    } catch (const client::client_error& err) {
        env.err << "tickerctl: " << err.what() << "\n";
        return exit_code_for(err);
    } catch (const std::exception& err) {
        env.err << "tickerctl: " << err.what() << "\n";
        return exit_failed;
    }
}

environment process_environment() {
    environment env{std::cin, std::cout, std::cerr};
    env.stdin_is_tty = ::isatty(STDIN_FILENO) != 0;
    winsize ws{};
    if (::isatty(STDOUT_FILENO) != 0 && ::ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0 &&
        ws.ws_col > 0) {
        env.columns = ws.ws_col;
    } else if (const char* columns = std::getenv("COLUMNS")) {
        const long value = std::strtol(columns, nullptr, 10);
        if (value >= 20 && value <= 1000) {
            env.columns = static_cast<std::size_t>(value);
        }
    }
    return env;
}

std::string new_idempotency_key() {
    std::random_device device; // getrandom(2) on Linux
    std::uniform_int_distribution<std::uint32_t> bits;
    std::string key;
    for (int i = 0; i < 4; ++i) {
        char chunk[9];
        std::snprintf(chunk, sizeof chunk, "%08x", static_cast<unsigned>(bits(device)));
        key += chunk;
    }
    return key;
}

std::string first_line(std::string_view text) {
    auto line = text.substr(0, text.find_first_of("\r\n"));
    while (!line.empty() && (line.back() == ' ' || line.back() == '\t')) {
        line.remove_suffix(1);
    }
    return std::string(line);
}

std::string truncate_columns(std::string_view text, std::size_t columns) {
    // Code points are counted as one column each: good enough for Latin text and never
    // splits a UTF-8 sequence.
    std::size_t points = 0;
    std::size_t cut = std::string_view::npos; // byte offset after columns - 1 code points
    for (std::size_t i = 0; i < text.size(); ++i) {
        if ((static_cast<unsigned char>(text[i]) & 0xC0) == 0x80) {
            continue; // continuation byte
        }
        if (columns > 0 && points == columns - 1) {
            cut = i;
        }
        ++points;
    }
    if (points <= columns) {
        return std::string(text);
    }
    if (columns == 0) {
        return {};
    }
    return std::string(text.substr(0, cut)) + "…";
}

std::optional<std::int64_t> parse_utc_timestamp(std::string_view text) {
    int year = 0, month = 0, day = 0, hour = 0, minute = 0, second = 0;
    int consumed = 0;
    const std::string s(text);
    if (std::sscanf(s.c_str(), "%4d-%2d-%2dT%2d:%2d:%2d%n", &year, &month, &day, &hour, &minute,
                    &second, &consumed) != 6) {
        return std::nullopt;
    }
    std::int64_t millis = 0;
    std::string_view rest = text.substr(static_cast<std::size_t>(consumed));
    if (rest.starts_with('.')) {
        rest.remove_prefix(1);
        int digits = 0;
        while (!rest.empty() && rest[0] >= '0' && rest[0] <= '9') {
            if (digits < 3) {
                millis = millis * 10 + (rest[0] - '0');
            }
            ++digits;
            rest.remove_prefix(1);
        }
        for (; digits < 3; ++digits) {
            millis *= 10;
        }
    }
    if (rest != "Z") {
        return std::nullopt;
    }
    std::tm tm{};
    tm.tm_year = year - 1900;
    tm.tm_mon = month - 1;
    tm.tm_mday = day;
    tm.tm_hour = hour;
    tm.tm_min = minute;
    tm.tm_sec = second;
    const std::time_t seconds = ::timegm(&tm);
    return static_cast<std::int64_t>(seconds) * 1000 + millis;
}

std::string short_local_time(std::int64_t unix_ms, std::int64_t now) {
    const std::time_t then_s = static_cast<std::time_t>(unix_ms / 1000);
    const std::time_t now_s = static_cast<std::time_t>(now / 1000);
    std::tm then_tm{};
    std::tm now_tm{};
    ::localtime_r(&then_s, &then_tm);
    ::localtime_r(&now_s, &now_tm);
    const bool same_day = then_tm.tm_year == now_tm.tm_year && then_tm.tm_yday == now_tm.tm_yday;
    char buf[32];
    std::strftime(buf, sizeof buf, same_day ? "%H:%M" : "%Y-%m-%d", &then_tm);
    return buf;
}

std::string url_encode(std::string_view text) {
    static constexpr char hex[] = "0123456789ABCDEF";
    std::string out;
    for (const char c : text) {
        const auto u = static_cast<unsigned char>(c);
        if ((u >= 'a' && u <= 'z') || (u >= 'A' && u <= 'Z') || (u >= '0' && u <= '9') ||
            u == '-' || u == '.' || u == '_' || u == '~') {
            out += c;
        } else {
            out += '%';
            out += hex[u >> 4];
            out += hex[u & 0x0F];
        }
    }
    return out;
}

} // namespace liveticker::tickerctl
