// The SQLite backend of entry_store: one database file holding tickers, entries, each ticker's
// event log and the editors' idempotency keys. The file runs in WAL mode so that several
// instances (the server's writer and reader threads each own one) can share it: readers see
// every committed change and never block the writer.
#pragma once

#include "entry_store.hpp"

#include <filesystem>
#include <memory>

namespace liveticker::server {

class sqlite_store final : public entry_store {
public:
    /// Opens or creates `db_file` (and its parent folders) and brings its schema up to date.
    /// Throws SQLite::Exception when the file cannot be opened, std::runtime_error when it was
    /// written by a newer schema version than this build knows.
    explicit sqlite_store(const std::filesystem::path& db_file);
    ~sqlite_store() override;

    // One instance is one SQLite connection with statements prepared against it; it belongs to
    // one thread at a time and is neither copied nor moved.
    sqlite_store(const sqlite_store&) = delete;
    sqlite_store& operator=(const sqlite_store&) = delete;

    std::vector<protocol::ticker> list_tickers() override;
    std::optional<protocol::ticker> find_ticker(std::string_view id) override;

    protocol::ticker create_ticker(const protocol::new_ticker& t, std::int64_t now_ms) override;
    change update_ticker(std::string_view id, const protocol::ticker_patch& patch,
                         std::int64_t now_ms) override;

    create_result create_entry(std::string_view ticker, const protocol::entry_draft& draft,
                               std::string_view html, std::string_view author, std::int64_t now_ms,
                               const std::optional<idempotency>& idem) override;
    /// Throws std::invalid_argument when the patch changes the body but `html` is absent:
    /// storing the old html with a new body would show readers stale text.
    change update_entry(std::string_view ticker, std::int64_t entry_id,
                        const protocol::entry_patch& patch, const std::optional<std::string>& html,
                        std::int64_t now_ms) override;
    change delete_entry(std::string_view ticker, std::int64_t entry_id,
                        std::int64_t now_ms) override;

    /// Throws std::invalid_argument when req.limit < 1 or the cursor's order differs from
    /// req.ord (the caller validates both; this only guards against misuse).
    entry_page list_entries(const page_request& req) override;
    std::optional<protocol::entry> find_entry(std::string_view ticker,
                                              std::int64_t entry_id) override;
    std::vector<logged_event> recent_events(std::string_view ticker,
                                            std::size_t max_count) override;

private:
    // The connection and its prepared statements live in the .cpp so that SQLiteCpp stays a
    // private dependency of the server library.
    struct impl;
    std::unique_ptr<impl> impl_;
};

} // namespace liveticker::server
