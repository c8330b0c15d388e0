// An I/O thread with its own io_context, and the readers on it.
//
// Every connection is accepted onto one lane and lives on that lane's thread, so its handlers
// never run concurrently and need no strand. The hub hands each event to each lane once; the
// lane's thread then queues it for each of its readers that follow the ticker and flushes every
// reader once per batch. So an event costs one post per lane, not one per reader, and when
// events arrive faster than readers take them, a reader gets all that piled up in one write.
#pragma once

#include "net.hpp"

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>

#include <cstddef>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace liveticker::server {

struct published_event;

/// A reader as its lane sees it. Both calls come from the lane's own thread.
class event_reader {
public:
    virtual ~event_reader() = default;
    /// Queues `ev` if the reader follows its ticker and has not seen it. True when the reader
    /// now waits for flush_events() (once per batch, however many events it queued).
    virtual bool queue_event(const std::shared_ptr<const published_event>& ev) = 0;
    virtual void flush_events() = 0;
};

class io_lane {
public:
    io_lane();
    io_lane(const io_lane&) = delete;
    io_lane& operator=(const io_lane&) = delete;

    net::io_context& context() noexcept { return ioc_; }
    /// Runs the lane's handlers on the calling thread until stop().
    void run();
    void stop();

    /// Any thread. Events of one ticker must be handed over in seq order.
    void hand_over(std::shared_ptr<const published_event> ev);

    // The lane's own thread only.
    void follow(const std::string& ticker, const std::shared_ptr<event_reader>& reader);
    void unfollow(std::string_view ticker, const event_reader* reader);

private:
    void drain();

    net::io_context ioc_{1};
    net::executor_work_guard<net::io_context::executor_type> work_;

    std::mutex mailbox_mutex_;
    std::vector<std::shared_ptr<const published_event>> mailbox_; // guarded
    bool drain_posted_ = false;                                   // guarded

    // Lane thread only. Weak: a session may end on another thread (its last reference held by
    // a store job); an expired entry is dropped on the next event.
    using followers = std::unordered_map<const event_reader*, std::weak_ptr<event_reader>>;
    std::map<std::string, followers, std::less<>> followers_;
    std::vector<std::shared_ptr<const published_event>> batch_;
    std::vector<std::shared_ptr<event_reader>> to_flush_;
};

/// The lanes of one tickerd, one thread each: a front lane that accepts connections and answers
/// HTTP (editors, pages, files), and `readers` lanes that the WebSockets move to on upgrade.
/// Editors' answers thus never wait behind writes to thousands of readers, and as the front
/// lane's thread is idle most of the time, the kernel runs it as soon as a request arrives.
class io_lanes {
public:
    explicit io_lanes(std::size_t readers);

    /// Lanes in all: 1 + readers.
    std::size_t size() const noexcept { return lanes_.size(); }
    io_lane& operator[](std::size_t i) noexcept { return *lanes_[i]; }
    io_lane& front() noexcept { return *lanes_[0]; }
    /// Round robin over the reader lanes. Front lane's thread only.
    io_lane& next_reader_lane() noexcept;
    void hand_over(const std::shared_ptr<const published_event>& ev);
    void stop();

private:
    std::vector<std::unique_ptr<io_lane>> lanes_;
    std::size_t next_ = 1;
};

} // namespace liveticker::server
