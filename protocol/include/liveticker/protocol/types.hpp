// The data Liveticker speaks about: tickers, entries and the events that change them.
// Plain values only; encoding lives in json.hpp, validation limits in limits.hpp.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace liveticker::protocol {

/// The order in which a reader sees a ticker: newest entry first, or oldest first.
enum class order { newest, oldest };

/// A ticker is `live` while a story runs and `ended` once the newsroom closes it.
enum class ticker_status { live, ended };

/// What an event did. `remove` is spelled "delete" on the wire.
enum class event_op { create, update, remove, ticker };

std::string_view to_string(order o) noexcept;
std::string_view to_string(ticker_status s) noexcept;
std::string_view to_string(event_op op) noexcept;
std::optional<order> parse_order(std::string_view text) noexcept;
std::optional<ticker_status> parse_ticker_status(std::string_view text) noexcept;

struct image {
    std::string url;
    std::string caption;
    std::string credit;
    std::string alt;

    bool operator==(const image&) const = default;
};

struct entry {
    std::int64_t id = 0; ///< unique over all tickers, increasing
    std::string ticker;
    std::int64_t created_at_ms = 0; ///< milliseconds since the Unix epoch, UTC
    std::int64_t updated_at_ms = 0;
    std::string author;
    std::optional<std::string> title;
    std::string body; ///< Markdown source as the editor wrote it
    std::string html; ///< sanitised HTML, rendered once when the entry is written
    std::optional<protocol::image> image;
    bool pinned = false;
    bool key = false;
    std::int64_t revision = 1; ///< 1 on create, +1 on every edit

    bool operator==(const entry&) const = default;
};

struct ticker {
    std::string id;
    std::string title;
    std::string description;
    ticker_status status = ticker_status::live;
    std::int64_t created_at_ms = 0;
    std::int64_t entry_count = 0; ///< entries not deleted
    std::int64_t seq = 0;         ///< sequence number of the ticker's latest event

    bool operator==(const ticker&) const = default;
};

/// One change to a ticker. Exactly one payload is set, according to `op`:
/// create/update carry `entry`, remove carries `deleted_id`, ticker carries `ticker_state`.
struct event {
    std::string ticker;
    std::int64_t seq = 0;
    event_op op = event_op::create;
    std::optional<protocol::entry> entry;
    std::int64_t deleted_id = 0;
    std::optional<protocol::ticker> ticker_state;

    bool operator==(const event&) const = default;
};

/// A position in a ticker's entry list: the page after it continues past `last_id` in `ord`.
/// Positions (not offsets) keep paging stable while entries are added or deleted.
struct cursor {
    protocol::order ord = order::newest;
    std::int64_t last_id = 0;

    bool operator==(const cursor&) const = default;
};

// ---- Editors' requests (bodies of the HTTP API) ----

struct new_ticker {
    std::string id;
    std::string title;
    std::string description;
};

/// PATCH semantics: a field that is absent stays as it is.
struct ticker_patch {
    std::optional<std::string> title;
    std::optional<std::string> description;
    std::optional<ticker_status> status;
};

struct entry_draft {
    std::optional<std::string> title;
    std::string body;
    std::optional<protocol::image> image;
    bool pinned = false;
    bool key = false;
};

/// PATCH semantics: absent stays; for `title` and `image` an explicit JSON null clears them,
/// which is the inner std::nullopt.
struct entry_patch {
    std::optional<std::optional<std::string>> title;
    std::optional<std::string> body;
    std::optional<std::optional<protocol::image>> image;
    std::optional<bool> pinned;
    std::optional<bool> key;

    bool empty() const noexcept { return !title && !body && !image && !pinned && !key; }
};

// ---- Reader messages (WebSocket, client to server) ----

struct subscribe_request {
    std::string ticker;
    order ord = order::newest;
    int limit = 20;
    std::optional<std::int64_t> resume_seq;
};

struct more_request {
    std::string ticker;
    protocol::cursor after;
    int limit = 20;
};

struct unsubscribe_request {
    std::string ticker;
};

/// True for ids of the form [a-z0-9][a-z0-9-]{0,63}.
bool is_valid_ticker_id(std::string_view id) noexcept;

} // namespace liveticker::protocol
