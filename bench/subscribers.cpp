// The readers' side of bench/fanout (see subscribers.hpp): connects, subscribes and waits for
// the snapshot with a bounded number of connections in flight, then reads event frames and
// records each one's post-to-delivery latency. The hot path (one completed read) takes the
// time, finds the body's timestamp in the frame, records it in a fixed histogram and reads
// again into the same buffer: nothing is allocated per message.
#include "subscribers.hpp"

#include <boost/asio/basic_stream_socket.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/posix/stream_descriptor.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/websocket/stream.hpp>
#include <nlohmann/json.hpp>

#include <charconv>
#include <memory>
#include <netinet/in.h>
#include <string>
#include <string_view>
#include <sys/socket.h>
#include <vector>

namespace liveticker::bench {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace websocket = beast::websocket;
using tcp = net::ip::tcp;
using error_code = beast::error_code;

namespace {

constexpr std::string_view snapshot_prefix = R"({"type":"snapshot")";
constexpr std::string_view event_prefix = R"({"type":"event")";
constexpr std::string_view body_key = R"("body":")";
/// What numbers the events in order: tickerd's per-ticker `seq`, the baseline's entry `id`.
/// Either is the first such key in its frame.
constexpr std::string_view seq_key = R"("seq":)";
constexpr std::string_view id_key = R"("id":)";

/// Time allowed for the WebSocket handshake; the worker's connect deadline bounds the rest.
constexpr auto handshake_timeout = std::chrono::seconds(15);

// A plain socket bound to the io_context's own executor, not a beast::tcp_stream on an
// any_io_executor: the timer checks of the one and the type-erased executor copies of the
// other cost more per message than parsing the frame (measured with perf).
using executor = net::io_context::executor_type;
using socket_type = net::basic_stream_socket<tcp, executor>;

class worker;

class connection {
public:
    connection(worker& w, net::io_context& ioc, int index)
        : worker_(w)
        , ws_(ioc.get_executor())
        , index_(index) {}
    connection(const connection&) = delete;
    connection& operator=(const connection&) = delete;

    void start();
    /// The connect phase ran out of time: give up on this one if it is still connecting.
    void abandon();
    bool live() const noexcept { return state_ == state::live; }
    std::int64_t received() const noexcept { return received_; }

private:
    enum class state { idle, connecting, live, closed };

    void on_connect(error_code ec);
    void on_handshake(error_code ec);
    void on_subscribed(error_code ec);
    void on_snapshot(error_code ec);
    void read_next();
    void on_frame(error_code ec);
    void connect_failed(std::string_view step, std::string_view why);

    worker& worker_;
    websocket::stream<socket_type> ws_;
    beast::flat_buffer buffer_;
    const int index_;
    state state_ = state::idle;
    std::int64_t received_ = 0;
    std::int64_t last_seq_ = 0; ///< of the previous event, 0 before the first
};

class worker {
public:
    worker(const options& opt, int first, int last, int command_fd, int report_fd)
        : opt_(opt)
        , server_(net::ip::make_address(opt.host), opt.port)
        , host_header_(opt.host + ":" + std::to_string(opt.port))
        , subscribe_message_(nlohmann::json{
              {"type", "subscribe"},
              {"ticker", opt.ticker},
              {"order", "newest"},
              {"limit", 20}}.dump())
        , commands_(ioc_, command_fd)
        , report_fd_(report_fd)
        , deadline_(ioc_)
        , final_(std::make_unique<final_report>()) {
        connections_.reserve(static_cast<std::size_t>(last - first));
        for (int i = first; i < last; ++i) {
            connections_.push_back(std::make_unique<connection>(*this, ioc_, i));
        }
    }

    int run() {
        // Nothing happens before the coordinator says so: it measures the server first.
        worker_command command;
        if (!read_all(commands_.native_handle(), &command, sizeof command,
                      std::chrono::steady_clock::now() + std::chrono::hours(1)) ||
            command.what != worker_command::kind::connect) {
            return 1;
        }
        const auto in_flight = std::min<std::size_t>(
            connections_.size(), static_cast<std::size_t>(std::max(1, opt_.connect_concurrency)));
        for (std::size_t i = 0; i < in_flight; ++i) {
            start_next();
        }
        if (connections_.empty()) {
            connect_phase_over();
        } else {
            deadline_.expires_after(std::chrono::seconds(opt_.connect_timeout_s));
            deadline_.async_wait([this](error_code ec) {
                if (!ec) {
                    for (auto& c : connections_) {
                        c->abandon();
                    }
                }
            });
        }
        ioc_.run();
        return failed_to_report_ ? 1 : 0;
    }

    const tcp::endpoint& server() const noexcept { return server_; }
    const std::string& host_header() const noexcept { return host_header_; }
    const std::string& subscribe_message() const noexcept { return subscribe_message_; }
    std::string_view path() const noexcept { return websocket_path(opt_.mode); }
    /// Spreading source addresses over 127.0.0.1-254 only makes sense towards loopback.
    bool spread_sources() const noexcept { return server_.address().is_loopback(); }

    void connected() {
        ++connected_;
        ++outstanding_;
        connect_step_done();
    }

    void connect_failed(std::string_view why) {
        ++connect_failed_;
        if (connect_report_.first_error.empty()) {
            connect_report_.first_error.assign(why);
        }
        connect_step_done();
    }

    // The hot path: one event frame on a live connection.
    void delivered(std::int64_t sent_ns, std::int64_t recv_ns, std::size_t bytes,
                   bool in_sequence) noexcept {
        auto& r = *final_;
        ++r.received;
        r.frame_bytes += static_cast<std::int64_t>(bytes);
        if (!in_sequence) {
            ++r.sequence_breaks;
        }
        if (r.first_recv_ns == 0) {
            r.first_recv_ns = recv_ns;
        }
        r.last_recv_ns = recv_ns;
        r.latency.record(static_cast<std::uint64_t>(std::max<std::int64_t>(0, recv_ns - sent_ns)));
    }

    /// A connection has every delivery it is owed.
    void complete() {
        --outstanding_;
        if (settling_ && outstanding_ == 0) {
            finish();
        }
    }

    std::int64_t expected() const noexcept { return expected_; }
    std::string_view sequence_key() const noexcept {
        return opt_.mode == server_mode::liveticker ? seq_key : id_key;
    }

    void unexpected_frame(std::string_view text) {
        ++final_->unexpected;
        if (final_->first_error.empty()) {
            final_->first_error.assign(text.substr(0, 150));
        }
    }

    /// A live connection ended. `received` is what it got.
    void closed(std::string_view why, std::int64_t received) {
        ++final_->closed_early;
        if (final_->first_error.empty()) {
            final_->first_error.assign(why);
        }
        if (received < expected_) {
            complete(); // it will get nothing more
        }
    }

private:
    void start_next() {
        if (next_ < connections_.size()) {
            connections_[next_++]->start();
        }
    }

    void connect_step_done() {
        if (connected_ + connect_failed_ == static_cast<std::int64_t>(connections_.size())) {
            connect_phase_over();
        } else {
            start_next();
        }
    }

    void connect_phase_over() {
        deadline_.cancel();
        connect_report_.connected = connected_;
        connect_report_.failed = connect_failed_;
        connect_report_.finished_ns = now_ns();
        connect_report_.cpu_seconds = cpu_seconds();
        if (!write_all(report_fd_, &connect_report_, sizeof connect_report_)) {
            failed_to_report_ = true;
            ioc_.stop();
            return;
        }
        wait_for_command();
    }

    void wait_for_command() {
        net::async_read(commands_, net::buffer(&command_, sizeof command_),
                        [this](error_code ec, std::size_t) {
                            if (ec) {
                                // The coordinator is gone: nobody wants the report.
                                failed_to_report_ = true;
                                ioc_.stop();
                                return;
                            }
                            if (command_.what == worker_command::kind::posted) {
                                start_settling(command_.posted_ok);
                            }
                            wait_for_command();
                        });
    }

    /// Every post is answered: wait for the deliveries still on their way, but no longer than
    /// the settle time.
    void start_settling(std::int64_t posted_ok) {
        expected_ = posted_ok;
        outstanding_ = 0;
        for (const auto& c : connections_) {
            if (c->live() && c->received() < expected_) {
                ++outstanding_;
            }
        }
        settling_ = true;
        if (outstanding_ == 0) {
            return finish();
        }
        deadline_.expires_after(std::chrono::milliseconds(opt_.settle_ms));
        deadline_.async_wait([this](error_code ec) {
            if (!ec) {
                finish();
            }
        });
    }

    void finish() {
        if (finished_) {
            return;
        }
        finished_ = true;
        deadline_.cancel();
        final_->cpu_seconds = cpu_seconds();
        failed_to_report_ = !write_all(report_fd_, final_.get(), sizeof *final_);
        ioc_.stop();
    }

    const options& opt_;
    net::io_context ioc_{1}; // one thread: no locking anywhere in here
    const tcp::endpoint server_;
    const std::string host_header_;
    const std::string subscribe_message_;
    net::posix::stream_descriptor commands_;
    const int report_fd_;
    net::steady_timer deadline_;
    worker_command command_;

    std::vector<std::unique_ptr<connection>> connections_;
    std::size_t next_ = 0;
    std::int64_t connected_ = 0;
    std::int64_t connect_failed_ = 0;
    /// Live connections still owed deliveries: `entries` of them until the coordinator says
    /// how many posts were accepted, then that many.
    std::int64_t outstanding_ = 0;
    std::int64_t expected_ = opt_.entries;
    bool settling_ = false;
    bool finished_ = false;
    bool failed_to_report_ = false;
    connect_report connect_report_;
    std::unique_ptr<final_report> final_; // 130 KiB of histogram: not on the stack
};

void connection::start() {
    state_ = state::connecting;
    auto& socket = ws_.next_layer();
    error_code ec;
    socket.open(tcp::v4(), ec);
    if (ec) {
        return connect_failed("socket", ec.message());
    }
    if (worker_.spread_sources()) {
        // Each source address has its own ephemeral ports, so N can pass their range (28k by
        // default). Without IP_BIND_ADDRESS_NO_PORT, bind() would pick the port before the
        // destination is known and use up the range far sooner.
        const int one = 1;
        ::setsockopt(socket.native_handle(), IPPROTO_IP, IP_BIND_ADDRESS_NO_PORT, &one, sizeof one);
        const auto source = net::ip::address_v4(0x7f000001u + static_cast<unsigned>(index_ % 254));
        socket.bind(tcp::endpoint(source, 0), ec);
        if (ec) {
            return connect_failed("bind", ec.message());
        }
    }
    socket.async_connect(worker_.server(), [this](error_code e) { on_connect(e); });
}

void connection::abandon() {
    if (state_ == state::connecting) {
        connect_failed("connect", "no snapshot within the connect time-out");
    }
}

void connection::connect_failed(std::string_view step, std::string_view why) {
    state_ = state::closed;
    error_code ignored;
    ws_.next_layer().close(ignored);
    worker_.connect_failed(std::string(step) + ": " + std::string(why));
}

void connection::on_connect(error_code ec) {
    if (state_ != state::connecting) {
        return;
    }
    if (ec) {
        return connect_failed("connect", ec.message());
    }
    // No idle timeout: a reader waits as long as the run lasts (the server pings meanwhile).
    ws_.set_option(
        websocket::stream_base::timeout{handshake_timeout, websocket::stream_base::none(), false});
    ws_.read_message_max(4 << 20);
    ws_.async_handshake(worker_.host_header(), worker_.path(),
                        [this](error_code e) { on_handshake(e); });
}

void connection::on_handshake(error_code ec) {
    if (state_ != state::connecting) {
        return;
    }
    if (ec) {
        return connect_failed("websocket handshake", ec.message());
    }
    ws_.text(true);
    ws_.async_write(net::buffer(worker_.subscribe_message()),
                    [this](error_code e, std::size_t) { on_subscribed(e); });
}

void connection::on_subscribed(error_code ec) {
    if (state_ != state::connecting) {
        return;
    }
    if (ec) {
        return connect_failed("subscribe", ec.message());
    }
    ws_.async_read(buffer_, [this](error_code e, std::size_t) { on_snapshot(e); });
}

void connection::on_snapshot(error_code ec) {
    if (state_ != state::connecting) {
        return;
    }
    if (ec) {
        return connect_failed("snapshot", ec.message());
    }
    const auto data = buffer_.cdata();
    const std::string_view text(static_cast<const char*>(data.data()), data.size());
    if (!text.starts_with(snapshot_prefix)) {
        return connect_failed("snapshot", text.substr(0, 150));
    }
    buffer_.consume(buffer_.size());
    // The snapshot is far larger than an event: don't keep its buffer for every reader.
    buffer_.shrink_to_fit();
    state_ = state::live;
    worker_.connected();
    read_next();
}

void connection::read_next() {
    ws_.async_read(buffer_, [this](error_code e, std::size_t) { on_frame(e); });
}

void connection::on_frame(error_code ec) {
    if (ec) {
        state_ = state::closed;
        if (ec != net::error::operation_aborted) {
            const auto reason = ws_.reason();
            worker_.closed(ec == websocket::error::closed
                               ? "closed by the server: " + std::to_string(reason.code) + " " +
                                     std::string(reason.reason.data(), reason.reason.size())
                               : "read: " + ec.message(),
                           received_);
        }
        return;
    }
    const std::int64_t recv_ns = now_ns();
    const auto data = buffer_.cdata();
    const std::string_view text(static_cast<const char*>(data.data()), data.size());
    // Enough parsing to find the timestamp: the frame's type, then the body's first digits.
    // Both servers write compact JSON, and no field before "body" can contain that key.
    const auto number_after = [&text](std::string_view key, std::int64_t& value) {
        const auto at = text.find(key);
        return at != std::string_view::npos &&
               std::from_chars(text.data() + at + key.size(), text.data() + text.size(), value)
                       .ec == std::errc();
    };
    std::int64_t sent_ns = 0;
    std::int64_t seq = 0;
    if (!text.starts_with(event_prefix) || !number_after(worker_.sequence_key(), seq) ||
        !number_after(body_key, sent_ns)) {
        worker_.unexpected_frame(text);
    } else {
        worker_.delivered(sent_ns, recv_ns, text.size(), last_seq_ == 0 || seq == last_seq_ + 1);
        last_seq_ = seq;
        if (++received_ == worker_.expected()) {
            worker_.complete();
        }
    }
    buffer_.consume(buffer_.size());
    read_next();
}

} // namespace

int run_subscriber_worker(const options& opt, int first, int last, int command_fd, int report_fd) {
    worker w(opt, first, last, command_fd, report_fd);
    return w.run();
}

} // namespace liveticker::bench
