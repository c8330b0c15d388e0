#include "queued_socket.hpp"

#include "metrics.hpp"

#include <boost/asio/socket_base.hpp>

namespace liveticker::server {

namespace {
// Linux takes up to 1,024 buffers per writev; 64 frames already fill a socket's send buffer.
constexpr std::size_t max_gather = 64;
// A queue that grew this long during a backlog gives its memory back once it is empty.
constexpr std::size_t keep_capacity = 64;

// The buffers of one gather write. Per thread, not per connection: a lane's thread writes to
// one socket at a time, and 10,000 readers need not carry 1 KiB each for it.
std::vector<net::const_buffer>& gather_scratch() {
    thread_local std::vector<net::const_buffer> buffers = [] {
        std::vector<net::const_buffer> v;
        v.reserve(max_gather);
        return v;
    }();
    return buffers;
}
} // namespace

queued_socket::queued_socket(tcp::socket&& socket, server::metrics& m)
    : socket_(std::move(socket))
    , metrics_(m)
    , flushed_(socket_.get_executor()) {
    flushed_.expires_at(net::steady_timer::time_point::max());
    // Writes must return at once when the socket is full; Asio's own asynchronous operations
    // work either way.
    error_code ec;
    socket_.non_blocking(true, ec);
    if (ec) {
        fail_writes(ec);
    }
}

void queued_socket::push(std::shared_ptr<const std::string> frame) {
    if (failed_ || frame->empty()) {
        return;
    }
    queued_bytes_ += frame->size();
    queue_.push_back(std::move(frame));
}

void queued_socket::flush() {
    if (!waiting_ && !failed_ && head_ < queue_.size()) {
        write_now();
    }
}

void queued_socket::pop_front() {
    queued_bytes_ -= queue_[head_]->size();
    queue_[head_].reset();
    front_written_ = 0;
    if (++head_ == queue_.size()) {
        queue_.clear();
        head_ = 0;
        if (queue_.capacity() > keep_capacity) {
            queue_.shrink_to_fit();
        }
    }
}

void queued_socket::write_now() {
    auto& gather = gather_scratch();
    while (head_ < queue_.size()) {
        gather.clear();
        std::size_t offered = 0;
        for (std::size_t i = head_; i < queue_.size() && gather.size() < max_gather; ++i) {
            const std::size_t skip = i == head_ ? front_written_ : 0;
            gather.emplace_back(queue_[i]->data() + skip, queue_[i]->size() - skip);
            offered += queue_[i]->size() - skip;
        }
        error_code ec;
        const std::size_t written = socket_.write_some(gather, ec);
        if (ec == net::error::would_block || ec == net::error::try_again) {
            return wait_for_room();
        }
        if (ec) {
            return fail_writes(ec);
        }
        const bool send_buffer_full = written < offered;
        std::uint64_t frames = 0;
        for (std::size_t rest = written; rest > 0;) {
            const std::size_t left = queue_[head_]->size() - front_written_;
            if (rest < left) {
                front_written_ += rest;
                break;
            }
            rest -= left;
            pop_front();
            ++frames;
        }
        metrics_.count_sent(frames, written);
        if (send_buffer_full) {
            return wait_for_room();
        }
    }
    wake_flush_waiter();
}

void queued_socket::wake_flush_waiter() {
    if (flush_awaited_) {
        flush_awaited_ = false;
        flushed_.cancel();
    }
}

void queued_socket::wait_for_room() {
    waiting_ = true;
    socket_.async_wait(tcp::socket::wait_write, [this, owner = owner_.lock()](error_code ec) {
        waiting_ = false;
        if (ec) {
            return fail_writes(ec);
        }
        flush();
    });
}

void queued_socket::fail_writes(error_code ec) {
    if (failed_) {
        return;
    }
    failed_ = true;
    queue_.clear();
    queue_.shrink_to_fit();
    head_ = 0;
    queued_bytes_ = 0;
    front_written_ = 0;
    if (ec != net::error::operation_aborted) {
        fail(ec, "websocket write");
    }
    // The reader is gone or broken: closing ends Beast's pending read, and with it the session.
    error_code ignored;
    socket_.close(ignored);
    wake_flush_waiter();
}

void queued_socket::drop_queued() {
    const std::size_t keep = head_ + (front_written_ > 0 ? 1 : 0);
    while (queue_.size() > keep) {
        queued_bytes_ -= queue_.back()->size();
        queue_.pop_back();
    }
    if (head_ == queue_.size()) {
        queue_.clear();
        head_ = 0;
    }
}

void teardown(beast::role_type role, queued_socket& s, error_code& ec) {
    beast::websocket::teardown(role, s.next_layer(), ec);
}

} // namespace liveticker::server
