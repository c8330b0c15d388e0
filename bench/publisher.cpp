// The editor side of bench/fanout (see publisher.hpp). It runs in the coordinating process on
// its own io_context, apart from the subscriber workers, so that readers' traffic never delays
// a post and skews the send timestamps.
#include "publisher.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/write.hpp>
#include <boost/beast/websocket/stream.hpp>
#include <nlohmann/json.hpp>

#include <charconv>
#include <functional>
#include <stdexcept>
#include <vector>

namespace liveticker::bench {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace websocket = beast::websocket;
using tcp = net::ip::tcp;
using error_code = beast::error_code;

namespace {

/// The entry body: the send time in ns since the epoch, a space, and padding up to `size`
/// bytes. Only digits, a space and 'x', so it needs no JSON escaping.
std::string make_body(std::int64_t sent_ns, std::size_t size) {
    char digits[24];
    const auto end = std::to_chars(digits, digits + sizeof digits, sent_ns).ptr;
    std::string body(digits, end);
    if (body.size() + 1 < size) {
        body += ' ';
        body.append(size - body.size(), 'x');
    }
    return body;
}

/// One connection to the server that carries posts, one at a time.
class channel {
public:
    using done_handler = std::function<void(std::string error)>; // empty: accepted
    virtual ~channel() = default;
    virtual void async_open(done_handler done) = 0;
    virtual void async_post(const std::string& body, done_handler done) = 0;
};

/// A keep-alive HTTP connection to tickerd's editor API.
class http_channel final : public channel {
public:
    http_channel(net::io_context& ioc, const options& opt, tcp::endpoint server)
        : stream_(ioc)
        , opt_(opt)
        , server_(server)
        , entries_target_("/api/tickers/" + opt.ticker + "/entries") {}

    void async_open(done_handler done) override {
        stream_.expires_after(std::chrono::seconds(10));
        stream_.async_connect(server_, [this, done = std::move(done)](error_code ec) {
            if (ec) {
                return done("connect: " + ec.message());
            }
            stream_.socket().set_option(tcp::no_delay(true), ec); // posts are small and urgent
            done({});
        });
    }

    /// Creates the ticker; one that exists already is fine (a second run on the same server).
    void async_create_ticker(done_handler done) {
        const nlohmann::json draft = {{"id", opt_.ticker}, {"title", "Benchmark " + opt_.ticker}};
        async_request(http::verb::post, "/api/tickers", draft.dump(),
                      [done = std::move(done)](unsigned status, const std::string& body) {
                          if (status == 201 || status == 409) {
                              return done({});
                          }
                          done("creating the ticker: HTTP " + std::to_string(status) + " " + body);
                      });
    }

    void async_post(const std::string& body, done_handler done) override {
        std::string json;
        json.reserve(body.size() + 16);
        json.append(R"({"body":")").append(body).append(R"("})");
        async_request(http::verb::post, entries_target_, std::move(json),
                      [done = std::move(done)](unsigned status, const std::string& answer) {
                          if (status == 201) {
                              return done({});
                          }
                          done(status == 0 ? answer
                                           : "HTTP " + std::to_string(status) + " " + answer);
                      });
    }

private:
    /// status 0 means a transport failure, described in the second argument.
    using answer_handler = std::function<void(unsigned status, const std::string& body)>;

    void async_request(http::verb method, const std::string& target, std::string body,
                       answer_handler done) {
        req_ = {};
        req_.method(method);
        req_.target(target);
        req_.version(11);
        req_.set(http::field::host, opt_.host + ":" + std::to_string(opt_.port));
        req_.set(http::field::authorization, "Bearer " + opt_.token);
        req_.set(http::field::content_type, "application/json");
        req_.keep_alive(true);
        req_.body() = std::move(body);
        req_.prepare_payload();
        stream_.expires_after(std::chrono::seconds(30));
        http::async_write(
            stream_, req_, [this, done = std::move(done)](error_code ec, std::size_t) mutable {
                if (ec) {
                    return done(0, "write: " + ec.message());
                }
                res_ = {};
                http::async_read(stream_, buffer_, res_,
                                 [this, done = std::move(done)](error_code rec, std::size_t) {
                                     if (rec) {
                                         return done(0, "read: " + rec.message());
                                     }
                                     done(res_.result_int(), res_.body());
                                 });
            });
    }

    beast::tcp_stream stream_;
    beast::flat_buffer buffer_;
    http::request<http::string_body> req_;
    http::response<http::string_body> res_;
    const options& opt_;
    const tcp::endpoint server_;
    const std::string entries_target_;
};

/// The baseline's publisher WebSocket: a post is done once it is written, as the baseline
/// answers nothing.
class websocket_channel final : public channel {
public:
    websocket_channel(net::io_context& ioc, const options& opt, tcp::endpoint server)
        : ws_(ioc)
        , opt_(opt)
        , server_(server) {}

    void async_open(done_handler done) override {
        auto& lowest = beast::get_lowest_layer(ws_);
        lowest.expires_after(std::chrono::seconds(10));
        lowest.async_connect(server_, [this, done = std::move(done)](error_code ec) mutable {
            if (ec) {
                return done("connect: " + ec.message());
            }
            beast::get_lowest_layer(ws_).socket().set_option(tcp::no_delay(true), ec);
            beast::get_lowest_layer(ws_).expires_never();
            ws_.set_option(websocket::stream_base::timeout{std::chrono::seconds(10),
                                                           websocket::stream_base::none(), false});
            ws_.async_handshake(opt_.host + ":" + std::to_string(opt_.port),
                                std::string(websocket_path(opt_.mode)),
                                [this, done = std::move(done)](error_code hec) {
                                    if (hec) {
                                        return done("websocket handshake: " + hec.message());
                                    }
                                    ws_.text(true);
                                    drain();
                                    done({});
                                });
        });
    }

    void async_post(const std::string& body, done_handler done) override {
        message_.clear();
        message_.append(R"({"type":"publish","body":")").append(body).append(R"("})");
        ws_.async_write(net::buffer(message_),
                        [done = std::move(done)](error_code ec, std::size_t) {
                            done(ec ? "write: " + ec.message() : std::string());
                        });
    }

private:
    // Reads (and drops) what the server might send, so that its pings and errors are handled.
    void drain() {
        ws_.async_read(in_, [this](error_code ec, std::size_t) {
            in_.consume(in_.size());
            if (!ec) {
                drain();
            }
        });
    }

    websocket::stream<beast::tcp_stream> ws_;
    beast::flat_buffer in_;
    std::string message_;
    const options& opt_;
    const tcp::endpoint server_;
};

} // namespace

struct publisher::impl {
    explicit impl(const options& o)
        : opt(o)
        , server(net::ip::make_address(o.host), o.port) {}

    /// Runs the loop until `finished` is set (by a handler, which then stops the loop) or the
    /// deadline passes. Returns whether it finished in time.
    bool run_until_finished(std::chrono::milliseconds deadline) {
        ioc.restart();
        ioc.run_for(deadline);
        return finished;
    }

    void finish() {
        finished = true;
        ioc.stop();
    }

    const options& opt;
    const tcp::endpoint server;
    net::io_context ioc{1};
    std::vector<std::unique_ptr<channel>> channels;
    bool finished = false;
    /// A run that missed its deadline leaves handlers behind that refer to its state: the
    /// publisher cannot be used again after one.
    bool abandoned = false;
};

publisher::publisher(const options& opt)
    : impl_(std::make_unique<impl>(opt)) {}

publisher::~publisher() = default;

void publisher::open(std::chrono::seconds deadline) {
    auto& s = *impl_;
    const bool http = s.opt.mode == server_mode::liveticker;
    // tickerd answers each post only after its commit, so several connections keep posts in
    // flight; the baseline answers nothing, and one WebSocket is what its publisher would use.
    const int count = http ? s.opt.post_connections : 1;
    for (int i = 0; i < count; ++i) {
        if (http) {
            s.channels.push_back(std::make_unique<http_channel>(s.ioc, s.opt, s.server));
        } else {
            s.channels.push_back(std::make_unique<websocket_channel>(s.ioc, s.opt, s.server));
        }
    }
    std::string error;
    std::size_t opened = 0;
    s.finished = false;
    for (auto& ch : s.channels) {
        ch->async_open([&](std::string e) {
            if (!e.empty() && error.empty()) {
                error = std::move(e);
            }
            if (++opened == s.channels.size()) {
                if (error.empty() && http) {
                    // One request is enough; any channel will do.
                    static_cast<http_channel&>(*s.channels.front())
                        .async_create_ticker([&](std::string ce) {
                            error = std::move(ce);
                            s.finish();
                        });
                } else {
                    s.finish();
                }
            }
        });
    }
    if (!s.run_until_finished(deadline)) {
        s.abandoned = true;
        throw std::runtime_error("the server did not answer within " +
                                 std::to_string(deadline.count()) + " s");
    }
    if (!error.empty()) {
        throw std::runtime_error(error);
    }
}

publish_result publisher::publish(std::int64_t count, double rate,
                                  std::chrono::milliseconds deadline) {
    auto& s = *impl_;
    if (s.abandoned) {
        throw std::logic_error("publisher used after a run that missed its deadline");
    }
    publish_result result;
    if (count <= 0) {
        return result;
    }
    using clock = std::chrono::steady_clock;
    const auto start = clock::now();
    const auto period = std::chrono::duration<double>(rate > 0 ? 1.0 / rate : 0.0);
    const auto due_time = [&](std::int64_t i) {
        return start + std::chrono::duration_cast<clock::duration>(period * static_cast<double>(i));
    };

    std::vector<channel*> idle;
    for (auto& ch : s.channels) {
        idle.push_back(ch.get());
    }
    std::int64_t next = 0;      // the next entry to send
    std::int64_t in_flight = 0; // sent and not answered yet
    std::size_t broken = 0;     // channels given up after a transport failure
    net::steady_timer timer(s.ioc);
    s.finished = false;

    // Sends every entry that is due while a channel is idle; otherwise waits for the next one
    // to fall due (timer) or for a channel to come back (its completion calls pump again).
    std::function<void()> pump = [&] {
        if (next == count || broken == s.channels.size()) {
            if (in_flight == 0) {
                s.finish();
            }
            return;
        }
        const auto now = clock::now();
        while (next < count && !idle.empty() && due_time(next) <= now) {
            channel* ch = idle.back();
            idle.pop_back();
            ++next;
            ++in_flight;
            ++result.sent;
            const std::int64_t sent_ns = now_ns();
            if (result.first_send_ns == 0) {
                result.first_send_ns = sent_ns;
            }
            result.last_send_ns = sent_ns;
            const auto sent = clock::now();
            ch->async_post(make_body(sent_ns, s.opt.payload), [&, ch, sent](std::string error) {
                --in_flight;
                if (error.empty()) {
                    ++result.ok;
                    // The baseline answers nothing: a finished write says nothing about it.
                    if (s.opt.mode == server_mode::liveticker) {
                        result.answer_latency->record(static_cast<std::uint64_t>(
                            std::chrono::duration_cast<std::chrono::nanoseconds>(clock::now() -
                                                                                 sent)
                                .count()));
                    }
                    idle.push_back(ch);
                } else {
                    ++result.failed;
                    ++broken; // the connection may be out of sync now: stop using it
                    if (result.first_error.empty()) {
                        result.first_error = std::move(error);
                    }
                }
                pump();
            });
        }
        if (next < count && !idle.empty()) {
            timer.expires_at(due_time(next));
            timer.async_wait([&](error_code ec) {
                if (!ec) {
                    pump();
                }
            });
        }
    };
    net::post(s.ioc, pump);
    if (!s.run_until_finished(deadline)) {
        s.abandoned = true;
        if (result.first_error.empty()) {
            result.first_error = "publishing did not finish within the deadline";
        }
    }
    timer.cancel();
    // Whatever was sent and not answered did not make it; the rest was never sent.
    result.failed = result.sent - result.ok;
    result.unsent = count - result.sent;
    if (broken == s.channels.size() && result.first_error.empty()) {
        result.first_error = "every publishing connection failed";
    }
    return result;
}

} // namespace liveticker::bench
