// The durable home of tickers, entries and each ticker's event log, behind an interface so that
// a second backend (PostgreSQL) can take SQLite's place. Every method is synchronous and may
// touch the disk: callers on the I/O threads go through store_worker, never call it directly.
#pragma once

#include "liveticker/protocol/types.hpp"

#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace liveticker::server {

/// Why a store operation was refused. Maps one-to-one onto HTTP statuses in the editor API.
enum class store_errc {
    ticker_not_found,    // 404
    entry_not_found,     // 404 (also for deleted entries)
    ticker_exists,       // 409
    ticker_ended,        // 409: new entries are refused once a ticker has ended
    idempotency_conflict // 422: the key was used before for a different request
};

class store_error : public std::runtime_error {
public:
    store_error(store_errc code, const std::string& message)
        : std::runtime_error(message)
        , code_(code) {}
    store_errc code() const noexcept { return code_; }

private:
    store_errc code_;
};

/// A committed change: the event it produced (with the ticker's new seq) and that event
/// already serialized as the WebSocket frame, which is also what the event log holds.
struct change {
    protocol::event event;
    std::string frame;
    protocol::ticker ticker; ///< the ticker after the change (entry_count, seq)
};

/// The result of create_entry: either a fresh change, or (replayed == true) the entry that an
/// earlier request with the same idempotency key created, in which case nothing was written.
struct create_result {
    protocol::entry entry;
    std::optional<server::change> change; ///< empty when replayed
    bool replayed = false;
};

struct idempotency {
    std::string key;         ///< the editor's Idempotency-Key header
    std::string fingerprint; ///< identifies the request body; same key + other body = conflict
};

struct page_request {
    std::string ticker;
    protocol::order ord = protocol::order::newest;
    int limit = 20;
    std::optional<protocol::cursor> after; ///< continue after this position; none = first page
};

struct entry_page {
    std::vector<protocol::entry> entries;
    std::optional<protocol::cursor> next; ///< none when this page reaches the end
};

/// An event as kept in the log: its seq and its wire frame.
struct logged_event {
    std::int64_t seq = 0;
    std::string frame;
};

class entry_store {
public:
    virtual ~entry_store() = default;

    /// All tickers, oldest first.
    virtual std::vector<protocol::ticker> list_tickers() = 0;
    virtual std::optional<protocol::ticker> find_ticker(std::string_view id) = 0;

    /// Throws store_error(ticker_exists). A new ticker has seq 0 and produces no event.
    virtual protocol::ticker create_ticker(const protocol::new_ticker& t, std::int64_t now_ms) = 0;
    /// Produces an event of op `ticker`. Throws store_error(ticker_not_found).
    virtual change update_ticker(std::string_view id, const protocol::ticker_patch& patch,
                                 std::int64_t now_ms) = 0;

    /// Inserts an entry whose html the caller already rendered. With `idem`, a key seen before
    /// for this ticker and author replays the first entry (or throws idempotency_conflict if the
    /// fingerprint differs). Throws ticker_not_found, ticker_ended.
    virtual create_result create_entry(std::string_view ticker, const protocol::entry_draft& draft,
                                       std::string_view html, std::string_view author,
                                       std::int64_t now_ms,
                                       const std::optional<idempotency>& idem) = 0;
    /// `html` is the re-rendered body when the patch changes the body. Bumps revision.
    /// Throws ticker_not_found, entry_not_found.
    virtual change update_entry(std::string_view ticker, std::int64_t entry_id,
                                const protocol::entry_patch& patch,
                                const std::optional<std::string>& html, std::int64_t now_ms) = 0;
    /// Soft delete: the entry leaves every list, the event log keeps the delete.
    /// Throws ticker_not_found, entry_not_found.
    virtual change delete_entry(std::string_view ticker, std::int64_t entry_id,
                                std::int64_t now_ms) = 0;

    /// Entries not deleted, in the requested order. Throws ticker_not_found.
    virtual entry_page list_entries(const page_request& req) = 0;
    /// One entry, deleted or not yet; std::nullopt when absent or deleted.
    virtual std::optional<protocol::entry> find_entry(std::string_view ticker,
                                                      std::int64_t entry_id) = 0;
    /// The ticker's last `max_count` events, in increasing seq order: the replay window that
    /// lets a reconnecting reader resume. Throws ticker_not_found.
    virtual std::vector<logged_event> recent_events(std::string_view ticker,
                                                    std::size_t max_count) = 0;
};

} // namespace liveticker::server
