// The hub holds every reader session and every subscription, and the in-memory state that lets
// a crowd of readers subscribe without a database read: each ticker's metadata, the first
// entries in both orders, the serialized snapshots, and a window of recent events to resume
// from. Each event is serialized once (by the store), framed once (here), and the same bytes go
// to every reader.
#pragma once

#include "change_sink.hpp"
#include "entry_store.hpp"

#include "liveticker/protocol/types.hpp"

#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace liveticker::server {

class metrics;

/// An event on its way to readers: one allocation shared by all of them.
struct published_event {
    std::string ticker;
    std::int64_t seq = 0;
    std::string frame; ///< the complete WebSocket frame (header and JSON), as sent
};

/// A reader connection as the hub sees it.
class subscriber {
public:
    virtual ~subscriber() = default;
    /// The server is stopping: close with 1001 (going away) after what is queued. Called from
    /// any thread; must not block.
    virtual void shut_down() = 0;
};

/// How a subscription starts. For `snapshot` and `resumed`, `first_frame` goes out first, then
/// `replay` in order; afterwards only events with seq > `seq` are delivered.
struct subscription_start {
    enum class kind { snapshot, resumed, not_found };
    kind outcome = kind::not_found;
    std::shared_ptr<const std::string> first_frame;
    std::vector<std::shared_ptr<const published_event>> replay;
    std::int64_t seq = 0; ///< the last seq the reader has after the frames above
};

class ticker_hub final : public change_sink {
public:
    /// Reads one ticker's first entries in an order (`limit` of them) from the store. Called by
    /// publish() only, so on the store's writer thread and never under the hub's lock.
    using head_loader = std::function<std::vector<protocol::entry>(std::string_view ticker,
                                                                   protocol::order, int limit)>;

    /// Hands an event to the readers; called in seq order, under the hub's lock.
    using fan_out = std::function<void(const std::shared_ptr<const published_event>&)>;

    ticker_hub(std::size_t replay_window, server::metrics& m, head_loader load_head);

    /// Where events go from now on; an empty function drops them (the readers are gone).
    void set_fan_out(fan_out f);

    /// Loads a ticker's state at start. Not thread-safe against publish: call before serving.
    void load(const protocol::ticker& t, std::vector<protocol::entry> newest,
              std::vector<protocol::entry> oldest, const std::vector<logged_event>& events);

    // change_sink. publish() updates the hub's state at once (so the next subscriber, or the
    // editor's next read, sees the change) and hands the event to the I/O lanes, which write it
    // to their readers, so the store's writer can answer the editor and commit the next change
    // meanwhile.
    void publish(const change& committed) override;
    void ticker_created(const protocol::ticker& t) override;

    /// Tells a reader how to start following a ticker: the frames to send first and the seq
    /// they bring it to. The reader must follow the ticker on its lane before its handler
    /// returns: events published meanwhile reach the lane after that, and the reader drops
    /// those up to `seq`.
    subscription_start subscribe(const protocol::subscribe_request& req);

    /// Reader sessions, so that shutdown reaches those not subscribed to anything too.
    void join(const std::shared_ptr<subscriber>& s);
    void leave(const subscriber* s);
    /// Asks every reader session to close (server stopping).
    void shut_down_all();
    std::vector<protocol::ticker> tickers() const;
    std::optional<protocol::ticker> find_ticker(std::string_view id) const;
    /// The HTTP API's first page (`{"entries":[…],"cursor":…}`), cached like the snapshots.
    /// std::nullopt when the ticker is unknown.
    std::optional<std::shared_ptr<const std::string>> first_page(std::string_view ticker,
                                                                 protocol::order ord, int limit);

    /// Turns a ticker's first page into one representation (a frame, an HTML page, a feed).
    using page_renderer = std::function<std::string(const protocol::ticker&, protocol::order,
                                                    std::span<const protocol::entry>,
                                                    const std::optional<protocol::cursor>&)>;
    /// Representations the hub caches until the ticker next changes. Each caller renders with
    /// its own renderer under its own format id; the ids must not collide.
    enum class page_format { snapshot, api_page, html_page, atom_feed };
    /// The first page rendered by `render` and cached under `format`; std::nullopt when the
    /// ticker is unknown. `render` runs under the hub's lock on a cache miss: keep it pure.
    std::optional<std::shared_ptr<const std::string>>
    rendered_first_page(std::string_view ticker, page_format format, protocol::order ord, int limit,
                        const page_renderer& render);

    /// Entries kept per order: the first page of any allowed size, with room for deletes.
    static constexpr std::size_t head_capacity = 200;

private:
    struct ticker_state {
        protocol::ticker info;
        std::vector<protocol::entry> newest; ///< up to head_capacity, id descending
        std::vector<protocol::entry> oldest; ///< up to head_capacity, id ascending
        std::deque<std::shared_ptr<const published_event>> recent; ///< replay window
        /// First pages rendered by format, order and limit; cleared on every change.
        std::map<std::tuple<page_format, protocol::order, int>, std::shared_ptr<const std::string>>
            cached;
    };

    void apply(ticker_state& state, const change& c);
    std::shared_ptr<const std::string> cached_page(ticker_state& state, page_format format,
                                                   protocol::order ord, int limit,
                                                   const page_renderer& render);

    const std::size_t replay_window_;
    server::metrics& metrics_;
    const head_loader load_head_;

    mutable std::mutex mutex_; // guards everything below; never held while calling out
    std::map<std::string, ticker_state, std::less<>> tickers_;
    std::unordered_map<const subscriber*, std::weak_ptr<subscriber>> sessions_;
    fan_out fan_out_;
};

} // namespace liveticker::server
