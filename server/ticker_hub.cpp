#include "ticker_hub.hpp"

#include "metrics.hpp"

#include "liveticker/protocol/json.hpp"
#include "liveticker/protocol/websocket_frame.hpp"

#include <algorithm>
#include <span>

namespace liveticker::server {

using protocol::order;

ticker_hub::ticker_hub(std::size_t replay_window, server::metrics& m, head_loader load_head)
    : replay_window_(replay_window)
    , metrics_(m)
    , load_head_(std::move(load_head)) {}

void ticker_hub::set_fan_out(fan_out f) {
    const std::lock_guard lock(mutex_);
    fan_out_ = std::move(f);
}

void ticker_hub::load(const protocol::ticker& t, std::vector<protocol::entry> newest,
                      std::vector<protocol::entry> oldest,
                      const std::vector<logged_event>& events) {
    const std::lock_guard lock(mutex_);
    auto& state = tickers_[t.id];
    state.info = t;
    state.newest = std::move(newest);
    state.oldest = std::move(oldest);
    state.recent.clear();
    for (const auto& e : events) {
        state.recent.push_back(std::make_shared<const published_event>(
            published_event{t.id, e.seq, protocol::websocket_text_frame(e.frame)}));
    }
    while (state.recent.size() > replay_window_) {
        state.recent.pop_front();
    }
    state.cached.clear();
}

void ticker_hub::ticker_created(const protocol::ticker& t) {
    const std::lock_guard lock(mutex_);
    auto& state = tickers_[t.id];
    state.info = t;
    state.cached.clear();
}

void ticker_hub::apply(ticker_state& state, const change& c) {
    const auto& ev = c.event;
    const std::int64_t count_before = state.info.entry_count;
    state.info = c.ticker;
    switch (ev.op) {
    case protocol::event_op::create: {
        const auto& e = *ev.entry;
        state.newest.insert(state.newest.begin(), e);
        if (state.newest.size() > head_capacity) {
            state.newest.pop_back();
        }
        // The oldest-first head only grows while it still holds every entry of the ticker.
        if (static_cast<std::int64_t>(state.oldest.size()) == count_before &&
            state.oldest.size() < head_capacity) {
            state.oldest.push_back(e);
        }
        break;
    }
    case protocol::event_op::update: {
        const auto& e = *ev.entry;
        for (auto* head : {&state.newest, &state.oldest}) {
            const auto it = std::find_if(head->begin(), head->end(),
                                         [&](const protocol::entry& x) { return x.id == e.id; });
            if (it != head->end()) {
                *it = e;
            }
        }
        break;
    }
    case protocol::event_op::remove:
    case protocol::event_op::ticker:
        break; // heads of a delete were reloaded by publish()
    }
    state.cached.clear();
}

void ticker_hub::publish(const change& committed) {
    const auto& ev = committed.event;
    // A delete leaves a hole at the end of a head; fill it from the store now, before taking
    // the lock, so that readers subscribing meanwhile never wait on the disk.
    std::optional<std::pair<std::vector<protocol::entry>, std::vector<protocol::entry>>> heads;
    if (ev.op == protocol::event_op::remove && load_head_) {
        heads.emplace(load_head_(ev.ticker, order::newest, static_cast<int>(head_capacity)),
                      load_head_(ev.ticker, order::oldest, static_cast<int>(head_capacity)));
    }
    auto shared = std::make_shared<const published_event>(
        published_event{ev.ticker, ev.seq, protocol::websocket_text_frame(committed.frame)});
    {
        const std::lock_guard lock(mutex_);
        auto& state = tickers_[ev.ticker];
        apply(state, committed);
        if (heads) {
            state.newest = std::move(heads->first);
            state.oldest = std::move(heads->second);
        }
        state.recent.push_back(shared);
        while (state.recent.size() > replay_window_) {
            state.recent.pop_front();
        }
        // Under the lock, so that events reach the lanes in the order of their seq. Handing
        // over only appends to each lane's mailbox.
        if (fan_out_) {
            fan_out_(shared);
        }
    }
    metrics_.events_published.fetch_add(1, std::memory_order_relaxed);
}

std::shared_ptr<const std::string> ticker_hub::cached_page(ticker_state& state, page_format format,
                                                           order ord, int limit,
                                                           const page_renderer& render) {
    const auto key = std::make_tuple(format, ord, limit);
    if (const auto it = state.cached.find(key); it != state.cached.end()) {
        return it->second;
    }
    const auto& head = ord == order::newest ? state.newest : state.oldest;
    const std::size_t n = std::min(head.size(), static_cast<std::size_t>(std::max(limit, 0)));
    const std::span<const protocol::entry> page(head.data(), n);
    std::optional<protocol::cursor> next;
    if (n > 0 && state.info.entry_count > static_cast<std::int64_t>(n)) {
        next = protocol::cursor{ord, head[n - 1].id};
    }
    auto rendered = std::make_shared<const std::string>(render(state.info, ord, page, next));
    state.cached.emplace(key, rendered);
    return rendered;
}

namespace {

// Framed for the WebSocket: a crowd subscribing shares these bytes as they are.
std::string render_snapshot(const protocol::ticker& t, order ord,
                            std::span<const protocol::entry> entries,
                            const std::optional<protocol::cursor>& next) {
    return protocol::websocket_text_frame(protocol::encode_snapshot(t, ord, entries, next));
}

std::string render_api_page(const protocol::ticker&, order,
                            std::span<const protocol::entry> entries,
                            const std::optional<protocol::cursor>& next) {
    return protocol::encode_entry_page(entries, next);
}

} // namespace

subscription_start ticker_hub::subscribe(const protocol::subscribe_request& req) {
    subscription_start start;
    const std::lock_guard lock(mutex_);
    const auto it = tickers_.find(req.ticker);
    if (it == tickers_.end()) {
        return start;
    }
    auto& state = it->second;

    if (req.resume_seq) {
        const std::int64_t from = *req.resume_seq;
        const bool in_window =
            from == state.info.seq || (from < state.info.seq && !state.recent.empty() &&
                                       state.recent.front()->seq <= from + 1);
        if (in_window) {
            start.outcome = subscription_start::kind::resumed;
            start.first_frame = std::make_shared<const std::string>(
                protocol::websocket_text_frame(protocol::encode_resumed(req.ticker, from)));
            for (const auto& ev : state.recent) {
                if (ev->seq > from) {
                    start.replay.push_back(ev);
                }
            }
            start.seq = state.info.seq;
            return start;
        }
    }
    start.outcome = subscription_start::kind::snapshot;
    start.first_frame =
        cached_page(state, page_format::snapshot, req.ord, req.limit, render_snapshot);
    start.seq = state.info.seq;
    return start;
}

void ticker_hub::join(const std::shared_ptr<subscriber>& s) {
    const std::lock_guard lock(mutex_);
    sessions_[s.get()] = s;
}

void ticker_hub::leave(const subscriber* s) {
    const std::lock_guard lock(mutex_);
    sessions_.erase(s);
}

void ticker_hub::shut_down_all() {
    std::vector<std::shared_ptr<subscriber>> all;
    {
        const std::lock_guard lock(mutex_);
        for (const auto& [_, weak] : sessions_) {
            if (auto s = weak.lock()) {
                all.push_back(std::move(s));
            }
        }
    }
    for (const auto& s : all) {
        s->shut_down();
    }
}

std::vector<protocol::ticker> ticker_hub::tickers() const {
    std::vector<protocol::ticker> result;
    const std::lock_guard lock(mutex_);
    result.reserve(tickers_.size());
    for (const auto& [_, state] : tickers_) {
        result.push_back(state.info);
    }
    std::sort(result.begin(), result.end(), [](const auto& a, const auto& b) {
        return std::tie(a.created_at_ms, a.id) < std::tie(b.created_at_ms, b.id);
    });
    return result;
}

std::optional<protocol::ticker> ticker_hub::find_ticker(std::string_view id) const {
    const std::lock_guard lock(mutex_);
    const auto it = tickers_.find(id);
    if (it == tickers_.end()) {
        return std::nullopt;
    }
    return it->second.info;
}

std::optional<std::shared_ptr<const std::string>> ticker_hub::first_page(std::string_view ticker,
                                                                         order ord, int limit) {
    const std::lock_guard lock(mutex_);
    const auto it = tickers_.find(ticker);
    if (it == tickers_.end()) {
        return std::nullopt;
    }
    return cached_page(it->second, page_format::api_page, ord, limit, render_api_page);
}

std::optional<std::shared_ptr<const std::string>>
ticker_hub::rendered_first_page(std::string_view ticker, page_format format, order ord, int limit,
                                const page_renderer& render) {
    const std::lock_guard lock(mutex_);
    const auto it = tickers_.find(ticker);
    if (it == tickers_.end()) {
        return std::nullopt;
    }
    return cached_page(it->second, format, ord, limit, render);
}

} // namespace liveticker::server
