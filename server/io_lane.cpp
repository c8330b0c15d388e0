#include "io_lane.hpp"

#include "ticker_hub.hpp"

#include <boost/asio/post.hpp>

namespace liveticker::server {

io_lane::io_lane()
    : work_(net::make_work_guard(ioc_)) {}

void io_lane::run() {
    ioc_.run();
}

void io_lane::stop() {
    work_.reset();
    ioc_.stop();
}

void io_lane::hand_over(std::shared_ptr<const published_event> ev) {
    {
        const std::lock_guard lock(mailbox_mutex_);
        mailbox_.push_back(std::move(ev));
        if (drain_posted_) {
            return; // the pending drain takes this event too
        }
        drain_posted_ = true;
    }
    net::post(ioc_, [this] { drain(); });
}

void io_lane::drain() {
    {
        const std::lock_guard lock(mailbox_mutex_);
        batch_.swap(mailbox_);
        drain_posted_ = false;
    }
    for (const auto& ev : batch_) {
        const auto it = followers_.find(ev->ticker);
        if (it == followers_.end()) {
            continue;
        }
        auto& list = it->second;
        for (auto f = list.begin(); f != list.end();) {
            auto reader = f->second.lock();
            if (!reader) {
                f = list.erase(f);
                continue;
            }
            if (reader->queue_event(ev)) {
                to_flush_.push_back(std::move(reader));
            }
            ++f;
        }
    }
    batch_.clear();
    for (const auto& reader : to_flush_) {
        reader->flush_events();
    }
    to_flush_.clear();
}

void io_lane::follow(const std::string& ticker, const std::shared_ptr<event_reader>& reader) {
    followers_[ticker][reader.get()] = reader;
}

void io_lane::unfollow(std::string_view ticker, const event_reader* reader) {
    if (const auto it = followers_.find(ticker); it != followers_.end()) {
        it->second.erase(reader);
        if (it->second.empty()) {
            followers_.erase(it);
        }
    }
}

io_lanes::io_lanes(std::size_t readers) {
    const std::size_t count = 1 + std::max<std::size_t>(readers, 1);
    lanes_.reserve(count);
    for (std::size_t i = 0; i < count; ++i) {
        lanes_.push_back(std::make_unique<io_lane>());
    }
}

io_lane& io_lanes::next_reader_lane() noexcept {
    auto& lane = *lanes_[next_];
    next_ = next_ + 1 < lanes_.size() ? next_ + 1 : 1;
    return lane;
}

void io_lanes::hand_over(const std::shared_ptr<const published_event>& ev) {
    for (std::size_t i = 1; i < lanes_.size(); ++i) {
        lanes_[i]->hand_over(ev);
    }
}

void io_lanes::stop() {
    for (const auto& lane : lanes_) {
        lane->stop();
    }
}

} // namespace liveticker::server
