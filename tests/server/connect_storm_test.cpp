// Connect storm: 10,000 readers connect to one tickerd at once, subscribe and wait for their
// snapshot, as when a push notification sends a crowd to a ticker. Every one must get in (none
// refused, none timed out), every snapshot must come from the hub's cache (no store read for
// any of them), and every reader must then get the next event. In its own binary, so that the
// sanitizer runs can leave it out by name.
//
// The readers are Beast's asynchronous WebSocket clients on one io_context, run on this thread:
// a crowd of browsers is many sockets, not many threads, and one thread needs no locks here.
#include "client.hpp"
#include "tickerd_process.hpp"

#include <boost/asio/basic_stream_socket.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/websocket/stream.hpp>
#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <netinet/in.h>
#include <optional>
#include <sstream>
#include <string>
#include <string_view>
#include <sys/resource.h>
#include <sys/socket.h>
#include <vector>

using liveticker::client::header_list;
using liveticker::client::http_client;
using liveticker::client::ws_client;
using liveticker::test::tickerd_process;
using json = nlohmann::json;
using namespace std::chrono_literals;

namespace {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace websocket = beast::websocket;
using tcp = net::ip::tcp;
using error_code = beast::error_code;
using steady = std::chrono::steady_clock;

constexpr int reader_count = 10'000;
constexpr int entry_count = 20;
/// Generous: on 2 shared cores the storm takes seconds (more under ASan). A broken server fails
/// the test when these run out instead of hanging it.
constexpr auto storm_deadline = 120s;
constexpr auto event_deadline = 60s;

/// Raises this process's soft limit on open files to the hard one; returns the new soft limit.
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

/// Every sample of /metrics by name (labels included), e.g. "liveticker_websockets" -> 3.
std::map<std::string, double> read_metrics(http_client& api) {
    const auto res = api.request("GET", "/metrics");
    REQUIRE(res.status == 200);
    std::map<std::string, double> samples;
    std::istringstream lines(res.body);
    for (std::string line; std::getline(lines, line);) {
        const auto space = line.rfind(' ');
        if (!line.starts_with('#') && space != std::string::npos) {
            samples[line.substr(0, space)] = std::stod(line.substr(space + 1));
        }
    }
    return samples;
}

/// One sample; fails the test when tickerd does not export it.
std::int64_t sample(const std::map<std::string, double>& samples, const std::string& name) {
    const auto it = samples.find(name);
    INFO("metric " << name);
    REQUIRE(it != samples.end());
    return static_cast<std::int64_t>(it->second);
}

class storm;

/// One reader of the storm: connect, handshake, subscribe, snapshot, then one event.
class storm_reader {
public:
    storm_reader(storm& s, net::io_context& ioc, int index)
        : storm_(s)
        , ws_(ioc.get_executor())
        , index_(index) {}
    storm_reader(const storm_reader&) = delete;
    storm_reader& operator=(const storm_reader&) = delete;

    void start();
    /// Counts as a failure of the step it is at (its time ran out, or its frame was wrong) and
    /// closes the socket.
    void fail(std::string_view why);
    /// Closes the socket; what is pending ends with operation_aborted.
    void close();

    /// Connecting, subscribing or waiting for the snapshot.
    bool waiting_for_snapshot() const noexcept { return state_ < state::live; }
    /// Has its snapshot and waits for the event.
    bool waiting_for_event() const noexcept { return state_ == state::live; }
    bool has_snapshot() const noexcept { return state_ == state::live || state_ == state::done; }
    bool has_event() const noexcept { return state_ == state::done; }
    bool failed() const noexcept { return state_ == state::failed; }
    const json& event() const noexcept { return event_; }

private:
    // In this order: waiting_for_snapshot() compares.
    enum class state {
        connecting,
        handshaking,
        subscribing,
        awaiting_snapshot,
        live,
        done,
        failed
    };

    void on_connect(error_code ec);
    void on_handshake(error_code ec);
    void on_subscribed(error_code ec);
    void on_snapshot(error_code ec);
    void on_event(error_code ec);
    /// Whether the step just completed can go on; fails the reader when `ec` says it broke.
    bool went_well(error_code ec);
    const char* step() const noexcept;
    std::string_view received() const;

    storm& storm_;
    websocket::stream<net::basic_stream_socket<tcp, net::io_context::executor_type>> ws_;
    beast::flat_buffer buffer_;
    const int index_;
    state state_ = state::connecting;
    json event_;
};

/// The crowd, and what it saw.
class storm {
public:
    storm(net::io_context& ioc, unsigned short port, std::string ticker,
          std::string reference_snapshot)
        : ioc_(ioc)
        , server_(net::ip::make_address_v4("127.0.0.1"), port)
        , host_header_("127.0.0.1:" + std::to_string(port))
        , subscribe_message_(json{
              {"type", "subscribe"},
              {"ticker", std::move(ticker)},
              {"order", "newest"},
              {"limit",
               entry_count}}.dump())
        , reference_snapshot_(std::move(reference_snapshot))
        , reference_(json::parse(reference_snapshot_)) {
        readers_.reserve(reader_count);
        for (int i = 0; i < reader_count; ++i) {
            readers_.push_back(std::make_unique<storm_reader>(*this, ioc, i));
        }
    }
    ~storm() {
        // Everything still open is cut, and the aborted operations' handlers run while their
        // readers exist.
        for (auto& r : readers_) {
            r->close();
        }
        ioc_.restart();
        ioc_.run_for(10s); // returns as soon as nothing is pending
    }
    storm(const storm&) = delete;
    storm& operator=(const storm&) = delete;

    /// Every reader starts connecting now, none waits for another.
    void start() {
        started_ = steady::now();
        for (auto& r : readers_) {
            r->start();
        }
    }

    /// Runs the readers until none is `waiting` any more, or until the deadline; then those
    /// still waiting fail with `why`.
    void run_while(bool (storm_reader::*waiting)() const noexcept, steady::time_point deadline,
                   std::string_view why) {
        while (count(waiting) > 0 && steady::now() < deadline) {
            ioc_.run_for(100ms);
            ioc_.restart(); // run_for stops the context when it had nothing to do
        }
        for (auto& r : readers_) {
            if (((*r).*waiting)()) {
                r->fail(why);
            }
        }
        ioc_.restart();
        ioc_.run_for(1s); // the aborted operations' handlers; returns once they ran
    }

    std::int64_t count(bool (storm_reader::*what)() const noexcept) const {
        std::int64_t n = 0;
        for (const auto& r : readers_) {
            n += ((*r).*what)() ? 1 : 0;
        }
        return n;
    }

    const std::vector<std::unique_ptr<storm_reader>>& readers() const { return readers_; }

    /// "handshake: 12 (first: end of stream)", one line per step that failed.
    std::string failure_summary() const {
        std::string out;
        for (const auto& [step, f] : failures_) {
            out += step + ": " + std::to_string(f.count) + " (first: " + f.first + ")\n";
        }
        return out;
    }

    /// From start() to the last snapshot; nullopt before the first.
    std::optional<std::chrono::duration<double>> last_snapshot_after() const {
        if (!last_snapshot_) {
            return std::nullopt;
        }
        return *last_snapshot_ - started_;
    }

    // For the readers.
    const tcp::endpoint& server() const noexcept { return server_; }
    const std::string& host_header() const noexcept { return host_header_; }
    const std::string& subscribe_message() const noexcept { return subscribe_message_; }

    void failed(std::string_view step, std::string_view why) {
        auto& f = failures_[std::string(step)];
        if (f.count++ == 0) {
            f.first.assign(why.substr(0, 200));
        }
    }

    /// Whether a snapshot shows the ticker as the reference reader saw it. The cache hands out
    /// the same bytes to everyone, so a plain comparison settles almost all of them; anything
    /// else is parsed and compared where it matters.
    std::string check_snapshot(std::string_view text) {
        last_snapshot_ = steady::now();
        if (text == reference_snapshot_) {
            return {};
        }
        try {
            const auto snapshot = json::parse(text);
            if (snapshot.at("type") != "snapshot" ||
                snapshot.at("ticker").at("seq") != reference_.at("ticker").at("seq") ||
                snapshot.at("entries") != reference_.at("entries")) {
                return "not the ticker's snapshot: " + std::string(text.substr(0, 150));
            }
        } catch (const json::exception& e) {
            return std::string("not JSON: ") + e.what();
        }
        return {};
    }

private:
    struct failure {
        std::int64_t count = 0;
        std::string first;
    };

    net::io_context& ioc_;
    const tcp::endpoint server_;
    const std::string host_header_;
    const std::string subscribe_message_;
    const std::string reference_snapshot_;
    const json reference_;
    std::vector<std::unique_ptr<storm_reader>> readers_;
    std::map<std::string, failure> failures_;
    steady::time_point started_{};
    std::optional<steady::time_point> last_snapshot_;
};

void storm_reader::start() {
    auto& socket = ws_.next_layer();
    error_code ec;
    socket.open(tcp::v4(), ec);
    if (ec) {
        return fail("socket: " + ec.message());
    }
    // Source addresses spread over 127.0.0.1-254, as a crowd comes from many addresses: each
    // stays far under tickerd's per-address cap (1,000) and has its own ephemeral ports. With
    // IP_BIND_ADDRESS_NO_PORT the port is picked at connect, not at bind, when it can be reused
    // towards another destination.
    const int one = 1;
    ::setsockopt(socket.native_handle(), IPPROTO_IP, IP_BIND_ADDRESS_NO_PORT, &one, sizeof one);
    socket.bind(
        tcp::endpoint(net::ip::address_v4(0x7f000001u + static_cast<unsigned>(index_ % 254)), 0),
        ec);
    if (ec) {
        return fail("bind: " + ec.message());
    }
    socket.async_connect(storm_.server(), [this](error_code e) { on_connect(e); });
}

void storm_reader::fail(std::string_view why) {
    storm_.failed(step(), why);
    state_ = state::failed;
    close();
}

void storm_reader::close() {
    error_code ignored;
    ws_.next_layer().close(ignored);
}

const char* storm_reader::step() const noexcept {
    switch (state_) {
    case state::connecting:
        return "connect";
    case state::handshaking:
        return "handshake";
    case state::subscribing:
        return "subscribe";
    case state::awaiting_snapshot:
        return "snapshot";
    case state::live:
        return "event";
    case state::done:
    case state::failed:
        break;
    }
    return "after the event";
}

bool storm_reader::went_well(error_code ec) {
    if (state_ == state::failed) {
        return false; // it was given up on, and its socket closed under the operation
    }
    if (ec == websocket::error::closed) {
        fail("closed by tickerd: " + std::to_string(ws_.reason().code) + " " +
             std::string(ws_.reason().reason.c_str()));
    } else if (ec) {
        fail(ec.message());
    }
    return !ec;
}

std::string_view storm_reader::received() const {
    const auto data = buffer_.cdata();
    return {static_cast<const char*>(data.data()), data.size()};
}

void storm_reader::on_connect(error_code ec) {
    if (!went_well(ec)) {
        return;
    }
    // No time-outs of its own: the storm's deadline bounds every step.
    ws_.set_option(websocket::stream_base::timeout{websocket::stream_base::none(),
                                                   websocket::stream_base::none(), false});
    state_ = state::handshaking;
    ws_.async_handshake(storm_.host_header(), "/ws", [this](error_code e) { on_handshake(e); });
}

void storm_reader::on_handshake(error_code ec) {
    if (!went_well(ec)) {
        return;
    }
    state_ = state::subscribing;
    ws_.text(true);
    ws_.async_write(net::buffer(storm_.subscribe_message()),
                    [this](error_code e, std::size_t) { on_subscribed(e); });
}

void storm_reader::on_subscribed(error_code ec) {
    if (!went_well(ec)) {
        return;
    }
    state_ = state::awaiting_snapshot;
    ws_.async_read(buffer_, [this](error_code e, std::size_t) { on_snapshot(e); });
}

void storm_reader::on_snapshot(error_code ec) {
    if (!went_well(ec)) {
        return;
    }
    if (const auto wrong = storm_.check_snapshot(received()); !wrong.empty()) {
        return fail(wrong);
    }
    buffer_.consume(buffer_.size());
    buffer_.shrink_to_fit(); // 10,000 snapshots of 20 entries need not stay in memory
    state_ = state::live;
    // Reading on at once, so that tickerd's pings are answered while the others connect.
    ws_.async_read(buffer_, [this](error_code e, std::size_t) { on_event(e); });
}

void storm_reader::on_event(error_code ec) {
    if (!went_well(ec)) {
        return;
    }
    try {
        event_ = json::parse(received());
    } catch (const json::exception& e) {
        return fail(std::string("not JSON: ") + e.what());
    }
    buffer_.consume(buffer_.size());
    state_ = state::done;
}

header_list editor() {
    return {{"Authorization", std::string("Bearer ") + liveticker::test::alice_token}};
}

std::int64_t post(http_client& api, const std::string& ticker, const std::string& body) {
    const auto res = api.request("POST", "/api/tickers/" + ticker + "/entries",
                                 json{{"body", body}, {"title", "Meldung"}}.dump(), editor());
    INFO(res.body);
    REQUIRE(res.status == 201);
    return json::parse(res.body).at("id").get<std::int64_t>();
}

} // namespace

TEST_CASE("connect storm: 10,000 readers connect at once, get their snapshot from the hub's "
          "cache and then the next event",
          "[server][storm]") {
    // Before tickerd starts, so that it inherits the raised limit too (it raises its own).
    const auto files = raise_file_limit();
    INFO("open files allowed: " << files << "; the storm needs " << reader_count << " and some");
    REQUIRE(files >= reader_count + 200);

    tickerd_process server;
    http_client api(server.url());
    const std::string ticker = "ansturm";
    REQUIRE(
        api.request("POST", "/api/tickers",
                    json{{"id", ticker}, {"title", "Ansturm"}, {"description", "Lasttest"}}.dump(),
                    editor())
            .status == 201);
    // Real entries, so that every snapshot has a real size (20 entries of about 1.5 KB with
    // their HTML).
    std::vector<std::int64_t> ids;
    for (int i = 0; i < entry_count; ++i) {
        std::string body = "**Eilmeldung " + std::to_string(i) + ":**";
        for (int sentence = 0; sentence < 12; ++sentence) {
            body += " Die Lage in der Hauptstadt bleibt angespannt, Gespräche laufen.";
        }
        ids.push_back(post(api, ticker, body));
    }

    // The store's reads are counted: one entry read by id is one read.
    const auto reads_at_start = sample(read_metrics(api), "liveticker_store_reads_total");
    REQUIRE(api.request("GET", "/api/tickers/" + ticker + "/entries/" + std::to_string(ids[0]))
                .status == 200);
    CHECK(sample(read_metrics(api), "liveticker_store_reads_total") == reads_at_start + 1);

    // The first reader: its snapshot is the one every reader of the storm must get, and it must
    // show the ticker as the API does.
    ws_client first(server.url());
    first.send_text(
        json{{"type", "subscribe"}, {"ticker", ticker}, {"order", "newest"}, {"limit", 20}}.dump());
    const auto first_text = first.read(10s);
    REQUIRE(first_text.has_value());
    const auto reference = json::parse(*first_text);
    REQUIRE(reference.at("type") == "snapshot");
    const auto api_ticker = json::parse(api.request("GET", "/api/tickers/" + ticker).body);
    const auto api_page = json::parse(
        api.request("GET", "/api/tickers/" + ticker + "/entries?order=newest&limit=20").body);
    const auto seq = reference.at("ticker").at("seq").get<std::int64_t>();
    CHECK(seq == api_ticker.at("seq").get<std::int64_t>());
    CHECK(reference.at("entries") == api_page.at("entries"));
    std::vector<std::int64_t> snapshot_ids;
    for (const auto& e : reference.at("entries")) {
        snapshot_ids.push_back(e.at("id").get<std::int64_t>());
    }
    CHECK(snapshot_ids == std::vector<std::int64_t>(ids.rbegin(), ids.rend()));

    const auto before = read_metrics(api);

    net::io_context ioc{1};
    storm crowd(ioc, server.port(), ticker, *first_text);
    const auto storm_start = steady::now();
    crowd.start();
    crowd.run_while(&storm_reader::waiting_for_snapshot, storm_start + storm_deadline,
                    "no snapshot within the deadline");
    const auto with_snapshot = crowd.count(&storm_reader::has_snapshot);
    const auto storm_took = crowd.last_snapshot_after();
    WARN("connect storm: " << with_snapshot << " of " << reader_count
                           << " readers connected and had their snapshot; the last after "
                           << (storm_took ? storm_took->count() : 0.0) << " s");

    const auto after = read_metrics(api);
    INFO(crowd.failure_summary());
    const auto said = server.output();
    INFO("tickerd said: " << said.substr(said.size() > 2000 ? said.size() - 2000 : 0));
    CHECK(with_snapshot == reader_count);
    CHECK(sample(after, "liveticker_connections_refused_total") ==
          sample(before, "liveticker_connections_refused_total"));
    CHECK(sample(after, "liveticker_websockets") ==
          sample(before, "liveticker_websockets") + reader_count);
    // Every snapshot came from the hub's cache: not one read of the store.
    CHECK(sample(after, "liveticker_store_reads_total") ==
          sample(before, "liveticker_store_reads_total"));
    REQUIRE(with_snapshot == reader_count); // the rest is about readers that got in

    // One more entry reaches every reader with the next seq.
    const auto event_start = steady::now();
    const auto id = post(api, ticker, "Nach dem Ansturm: eine neue Meldung.");
    crowd.run_while(&storm_reader::waiting_for_event, event_start + event_deadline,
                    "no event within the deadline");
    const std::chrono::duration<double> event_took = steady::now() - event_start;
    std::int64_t right_event = 0;
    std::string first_wrong;
    for (const auto& r : crowd.readers()) {
        const auto& ev = r->event();
        const bool right = r->has_event() && ev.is_object() && ev.value("type", "") == "event" &&
                           ev.value("seq", std::int64_t{0}) == seq + 1 &&
                           ev.value("op", "") == "create" && ev.contains("entry") &&
                           ev["entry"].value("id", std::int64_t{0}) == id;
        right_event += right ? 1 : 0;
        if (!right && first_wrong.empty()) {
            first_wrong = r->has_event() ? ev.dump().substr(0, 200) : "(no event)";
        }
    }
    WARN("the next event reached " << right_event << " of " << reader_count << " readers within "
                                   << event_took.count() << " s of posting");
    INFO(first_wrong);
    CHECK(right_event == reader_count);
    const auto first_event = first.read(10s);
    REQUIRE(first_event.has_value());
    CHECK(json::parse(*first_event).at("seq") == seq + 1);
    CHECK(sample(read_metrics(api), "liveticker_store_reads_total") ==
          sample(before, "liveticker_store_reads_total"));
}
