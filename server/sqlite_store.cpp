// The SQLite backend of entry_store. Each change runs in one BEGIN IMMEDIATE transaction that
// bumps the ticker's seq, writes the entry, and appends the event frame to the log, so the log
// and the tables never disagree and seqs have no gaps. Hot statements are prepared once per
// instance; every use of one goes through `use`, which resets it afterwards.
#include "sqlite_store.hpp"

#include "liveticker/protocol/json.hpp"

#include <SQLiteCpp/Database.h>
#include <SQLiteCpp/Exception.h>
#include <SQLiteCpp/Statement.h>
#include <SQLiteCpp/Transaction.h>

#include "liveticker/protocol/limits.hpp"

#include <algorithm>
#include <limits>
#include <string>
#include <utility>

namespace liveticker::server {

namespace {

constexpr int busy_timeout_ms = 5000;

// Bump when the schema changes and add a step to migrate(); PRAGMA user_version records the
// version a file is at.
constexpr int schema_version = 1;

// Editors retry a post within seconds or minutes; a day keeps the table small while covering
// any sane retry, and after that the same key may create a new entry.
constexpr std::int64_t idempotency_ttl_ms = 24LL * 60 * 60 * 1000;

// Entries are soft-deleted so the event log and idempotency replays can still point at them.
// `is_key` is the editor's "key event" flag; `idem_key` the Idempotency-Key header. A NULL
// image_url means the entry has no image.
constexpr const char* schema_v1 = R"sql(
CREATE TABLE tickers(
    id            TEXT PRIMARY KEY NOT NULL,
    title         TEXT NOT NULL,
    description   TEXT NOT NULL,
    status        TEXT NOT NULL,
    created_at_ms INTEGER NOT NULL,
    entry_count   INTEGER NOT NULL DEFAULT 0,
    seq           INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE entries(
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    ticker        TEXT NOT NULL REFERENCES tickers(id),
    created_at_ms INTEGER NOT NULL,
    updated_at_ms INTEGER NOT NULL,
    author        TEXT NOT NULL,
    title         TEXT,
    body          TEXT NOT NULL,
    html          TEXT NOT NULL,
    image_url     TEXT,
    image_caption TEXT NOT NULL DEFAULT '',
    image_credit  TEXT NOT NULL DEFAULT '',
    image_alt     TEXT NOT NULL DEFAULT '',
    pinned        INTEGER NOT NULL DEFAULT 0,
    is_key        INTEGER NOT NULL DEFAULT 0,
    revision      INTEGER NOT NULL DEFAULT 1,
    deleted       INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX entries_by_ticker ON entries(ticker, deleted, id);
CREATE TABLE events(
    ticker        TEXT NOT NULL REFERENCES tickers(id),
    seq           INTEGER NOT NULL,
    op            TEXT NOT NULL,
    frame         TEXT NOT NULL,
    created_at_ms INTEGER NOT NULL,
    PRIMARY KEY(ticker, seq)
) WITHOUT ROWID;
CREATE TABLE idempotency(
    ticker        TEXT NOT NULL REFERENCES tickers(id),
    author        TEXT NOT NULL,
    idem_key      TEXT NOT NULL,
    fingerprint   TEXT NOT NULL,
    entry_id      INTEGER NOT NULL REFERENCES entries(id),
    created_at_ms INTEGER NOT NULL,
    PRIMARY KEY(ticker, author, idem_key)
) WITHOUT ROWID;
CREATE INDEX idempotency_by_age ON idempotency(created_at_ms);
)sql";

// Column lists in the order read_ticker() and read_entry() expect them.
const std::string select_ticker =
    "SELECT id, title, description, status, created_at_ms, entry_count, seq FROM tickers ";
const std::string select_entry =
    "SELECT id, ticker, created_at_ms, updated_at_ms, author, title, body, html, image_url, "
    "image_caption, image_credit, image_alt, pinned, is_key, revision FROM entries ";

// Borrows a prepared statement for one use. It starts clean (an earlier exception may have left
// it mid-step) and is reset on the way out: a SELECT left unfinished would keep its read snapshot
// open and hide later commits from this connection.
class use {
public:
    explicit use(SQLite::Statement& s)
        : s_(s) {
        s_.tryReset();
        s_.clearBindings();
    }
    ~use() { s_.tryReset(); }
    use(const use&) = delete;
    use& operator=(const use&) = delete;

    SQLite::Statement* operator->() const noexcept { return &s_; }
    SQLite::Statement& operator*() const noexcept { return s_; }

private:
    SQLite::Statement& s_;
};

// SQLiteCpp binds text only from std::string or NUL-terminated strings (its statement handle is
// private), so views are copied once here.
void bind_text(SQLite::Statement& s, int index, std::string_view text) {
    s.bind(index, std::string(text));
}

void bind_optional_text(SQLite::Statement& s, int index, const std::optional<std::string>& text) {
    if (text) {
        bind_text(s, index, *text);
    } else {
        s.bind(index); // NULL
    }
}

std::string to_db(protocol::ticker_status s) {
    return std::string(protocol::to_string(s));
}

protocol::ticker read_ticker(const SQLite::Statement& s) {
    protocol::ticker t;
    t.id = s.getColumn(0).getString();
    t.title = s.getColumn(1).getString();
    t.description = s.getColumn(2).getString();
    const std::string status = s.getColumn(3).getString();
    const auto parsed = protocol::parse_ticker_status(status);
    if (!parsed) {
        throw std::runtime_error("ticker " + t.id + " has unknown status '" + status + "'");
    }
    t.status = *parsed;
    t.created_at_ms = s.getColumn(4).getInt64();
    t.entry_count = s.getColumn(5).getInt64();
    t.seq = s.getColumn(6).getInt64();
    return t;
}

protocol::entry read_entry(const SQLite::Statement& s) {
    protocol::entry e;
    e.id = s.getColumn(0).getInt64();
    e.ticker = s.getColumn(1).getString();
    e.created_at_ms = s.getColumn(2).getInt64();
    e.updated_at_ms = s.getColumn(3).getInt64();
    e.author = s.getColumn(4).getString();
    if (!s.getColumn(5).isNull()) {
        e.title = s.getColumn(5).getString();
    }
    e.body = s.getColumn(6).getString();
    e.html = s.getColumn(7).getString();
    if (!s.getColumn(8).isNull()) {
        e.image = protocol::image{s.getColumn(8).getString(), s.getColumn(9).getString(),
                                  s.getColumn(10).getString(), s.getColumn(11).getString()};
    }
    e.pinned = s.getColumn(12).getInt() != 0;
    e.key = s.getColumn(13).getInt() != 0;
    e.revision = s.getColumn(14).getInt64();
    return e;
}

// Binds the entry's content columns (title .. is_key) to 10 consecutive parameters from `first`.
void bind_entry_content(SQLite::Statement& s, int first, const protocol::entry& e) {
    bind_optional_text(s, first, e.title);
    bind_text(s, first + 1, e.body);
    bind_text(s, first + 2, e.html);
    if (e.image) {
        bind_text(s, first + 3, e.image->url);
        bind_text(s, first + 4, e.image->caption);
        bind_text(s, first + 5, e.image->credit);
        bind_text(s, first + 6, e.image->alt);
    } else {
        s.bind(first + 3);
        bind_text(s, first + 4, "");
        bind_text(s, first + 5, "");
        bind_text(s, first + 6, "");
    }
    s.bind(first + 7, e.pinned ? 1 : 0);
    s.bind(first + 8, e.key ? 1 : 0);
}

int user_version(SQLite::Database& db) {
    return db.execAndGet("PRAGMA user_version").getInt();
}

// Creates or upgrades the schema. Runs under BEGIN IMMEDIATE and re-reads the version inside,
// so two instances opening a fresh file at once do not both try to create the tables.
void migrate(SQLite::Database& db) {
    if (user_version(db) == schema_version) {
        return;
    }
    SQLite::Transaction tx(db, SQLite::TransactionBehavior::IMMEDIATE);
    const int found = user_version(db);
    if (found > schema_version) {
        throw std::runtime_error("database schema version " + std::to_string(found) +
                                 " is newer than this build supports (" +
                                 std::to_string(schema_version) + ")");
    }
    if (found < 1) {
        db.exec(schema_v1);
    }
    // Later versions: if (found < 2) { ... }
    db.exec("PRAGMA user_version = " + std::to_string(schema_version));
    tx.commit();
}

SQLite::Database open_database(const std::filesystem::path& db_file) {
    if (db_file.has_parent_path()) {
        std::filesystem::create_directories(db_file.parent_path());
    }
    SQLite::Database db(db_file.string(), SQLite::OPEN_READWRITE | SQLite::OPEN_CREATE,
                        busy_timeout_ms);
    // WAL lets the reader instance read while the writer writes; without it the multi-instance
    // design would stall on locks, so refuse to run rather than degrade silently.
    const std::string mode = db.execAndGet("PRAGMA journal_mode=WAL").getString();
    if (mode != "wal") {
        throw std::runtime_error("cannot switch " + db_file.string() +
                                 " to WAL journal mode (got '" + mode + "')");
    }
    // FULL: a change the editor saw acknowledged survives a power cut.
    db.exec("PRAGMA synchronous=FULL");
    db.exec("PRAGMA foreign_keys=ON");
    migrate(db);
    return db;
}

} // namespace

struct sqlite_store::impl {
    // Declared first so it is destroyed last, after the statements prepared against it.
    SQLite::Database db;

    SQLite::Statement find_ticker{db, select_ticker + "WHERE id = ?"};
    SQLite::Statement list_tickers{db, select_ticker + "ORDER BY created_at_ms, id"};
    SQLite::Statement insert_ticker{
        db, "INSERT INTO tickers(id, title, description, status, created_at_ms, entry_count, seq) "
            "VALUES(?, ?, ?, ?, ?, 0, 0) ON CONFLICT(id) DO NOTHING"};
    SQLite::Statement save_ticker{db, "UPDATE tickers SET title = ?, description = ?, status = ?, "
                                      "entry_count = ?, seq = ? WHERE id = ?"};

    SQLite::Statement find_entry{db, select_entry + "WHERE id = ? AND ticker = ? AND deleted = 0"};
    // For idempotency replays, which return the entry even if it was deleted since.
    SQLite::Statement find_entry_any{db, select_entry + "WHERE id = ?"};
    SQLite::Statement insert_entry{
        db, "INSERT INTO entries(ticker, created_at_ms, updated_at_ms, author, title, body, html, "
            "image_url, image_caption, image_credit, image_alt, pinned, is_key, revision, deleted) "
            "VALUES(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 1, 0)"};
    SQLite::Statement save_entry{
        db, "UPDATE entries SET title = ?, body = ?, html = ?, image_url = ?, image_caption = ?, "
            "image_credit = ?, image_alt = ?, pinned = ?, is_key = ?, updated_at_ms = ?, "
            "revision = ? WHERE id = ?"};
    SQLite::Statement mark_deleted{
        db, "UPDATE entries SET deleted = 1, updated_at_ms = ? WHERE id = ?"};

    // Paging by id position (not offset) keeps pages stable while entries come and go; the
    // (ticker, deleted, id) index serves both directions.
    SQLite::Statement list_newest{
        db, select_entry + "WHERE ticker = ? AND deleted = 0 AND id < ? ORDER BY id DESC LIMIT ?"};
    SQLite::Statement list_oldest{
        db, select_entry + "WHERE ticker = ? AND deleted = 0 AND id > ? ORDER BY id ASC LIMIT ?"};

    SQLite::Statement insert_event{
        db, "INSERT INTO events(ticker, seq, op, frame, created_at_ms) VALUES(?, ?, ?, ?, ?)"};
    SQLite::Statement recent_events{
        db, "SELECT seq, frame FROM (SELECT seq, frame FROM events WHERE ticker = ? "
            "ORDER BY seq DESC LIMIT ?) ORDER BY seq ASC"};

    SQLite::Statement find_idempotency{db, "SELECT fingerprint, entry_id FROM idempotency "
                                           "WHERE ticker = ? AND author = ? AND idem_key = ? "
                                           "AND created_at_ms >= ?"};
    SQLite::Statement insert_idempotency{
        db, "INSERT INTO idempotency(ticker, author, idem_key, fingerprint, entry_id, "
            "created_at_ms) VALUES(?, ?, ?, ?, ?, ?)"};
    SQLite::Statement prune_idempotency{db, "DELETE FROM idempotency WHERE created_at_ms < ?"};

    explicit impl(const std::filesystem::path& db_file)
        : db(open_database(db_file)) {}

    std::optional<protocol::ticker> load_ticker(std::string_view id) {
        const use s(find_ticker);
        bind_text(*s, 1, id);
        if (!s->executeStep()) {
            return std::nullopt;
        }
        return read_ticker(*s);
    }

    protocol::ticker require_ticker(std::string_view id) {
        auto t = load_ticker(id);
        if (!t) {
            throw store_error(store_errc::ticker_not_found,
                              "ticker '" + std::string(id) + "' not found");
        }
        return std::move(*t);
    }

    std::optional<protocol::entry> load_entry(std::string_view ticker, std::int64_t entry_id) {
        const use s(find_entry);
        s->bind(1, entry_id);
        bind_text(*s, 2, ticker);
        if (!s->executeStep()) {
            return std::nullopt;
        }
        return read_entry(*s);
    }

    protocol::entry require_entry(std::string_view ticker, std::int64_t entry_id) {
        auto e = load_entry(ticker, entry_id);
        if (!e) {
            throw store_error(store_errc::entry_not_found, "entry " + std::to_string(entry_id) +
                                                               " not found in ticker '" +
                                                               std::string(ticker) + "'");
        }
        return std::move(*e);
    }

    void write_ticker(const protocol::ticker& t) {
        const use s(save_ticker);
        bind_text(*s, 1, t.title);
        bind_text(*s, 2, t.description);
        bind_text(*s, 3, to_db(t.status));
        s->bind(4, t.entry_count);
        s->bind(5, t.seq);
        bind_text(*s, 6, t.id);
        s->exec();
    }

    // The common tail of every change, inside the caller's transaction: the ticker (with its
    // entry_count already adjusted) takes the next seq, and the event is logged under it.
    change record(protocol::ticker t, protocol::event ev, std::int64_t now_ms) {
        t.seq += 1;
        ev.ticker = t.id;
        ev.seq = t.seq;
        if (ev.op == protocol::event_op::ticker) {
            ev.ticker_state = t;
        }
        std::string frame = protocol::encode_event(ev);
        write_ticker(t);
        {
            const use s(insert_event);
            bind_text(*s, 1, t.id);
            s->bind(2, t.seq);
            bind_text(*s, 3, protocol::to_string(ev.op));
            bind_text(*s, 4, frame);
            s->bind(5, now_ms);
            s->exec();
        }
        return change{std::move(ev), std::move(frame), std::move(t)};
    }
};

sqlite_store::sqlite_store(const std::filesystem::path& db_file)
    : impl_(std::make_unique<impl>(db_file)) {}

sqlite_store::~sqlite_store() = default;

std::vector<protocol::ticker> sqlite_store::list_tickers() {
    const use s(impl_->list_tickers);
    std::vector<protocol::ticker> out;
    while (s->executeStep()) {
        out.push_back(read_ticker(*s));
    }
    return out;
}

std::optional<protocol::ticker> sqlite_store::find_ticker(std::string_view id) {
    return impl_->load_ticker(id);
}

protocol::ticker sqlite_store::create_ticker(const protocol::new_ticker& t, std::int64_t now_ms) {
    protocol::ticker created;
    created.id = t.id;
    created.title = t.title;
    created.description = t.description;
    created.status = protocol::ticker_status::live;
    created.created_at_ms = now_ms;

    SQLite::Transaction tx(impl_->db, SQLite::TransactionBehavior::IMMEDIATE);
    {
        const use s(impl_->insert_ticker);
        bind_text(*s, 1, created.id);
        bind_text(*s, 2, created.title);
        bind_text(*s, 3, created.description);
        bind_text(*s, 4, to_db(created.status));
        s->bind(5, now_ms);
        if (s->exec() == 0) {
            throw store_error(store_errc::ticker_exists, "ticker '" + t.id + "' already exists");
        }
    }
    tx.commit();
    return created;
}

change sqlite_store::update_ticker(std::string_view id, const protocol::ticker_patch& patch,
                                   std::int64_t now_ms) {
    SQLite::Transaction tx(impl_->db, SQLite::TransactionBehavior::IMMEDIATE);
    protocol::ticker t = impl_->require_ticker(id);
    if (patch.title) {
        t.title = *patch.title;
    }
    if (patch.description) {
        t.description = *patch.description;
    }
    if (patch.status) {
        t.status = *patch.status;
    }
    protocol::event ev;
    ev.op = protocol::event_op::ticker;
    change c = impl_->record(std::move(t), std::move(ev), now_ms);
    tx.commit();
    return c;
}

create_result sqlite_store::create_entry(std::string_view ticker,
                                         const protocol::entry_draft& draft, std::string_view html,
                                         std::string_view author, std::int64_t now_ms,
                                         const std::optional<idempotency>& idem) {
    // IMMEDIATE takes the write lock up front, so the idempotency lookup and the insert are
    // atomic even against another instance posting the same key.
    SQLite::Transaction tx(impl_->db, SQLite::TransactionBehavior::IMMEDIATE);
    protocol::ticker t = impl_->require_ticker(ticker);

    // A replay is answered even after the ticker ended: the client is retrying a post that
    // already succeeded.
    if (idem) {
        const use s(impl_->find_idempotency);
        bind_text(*s, 1, ticker);
        bind_text(*s, 2, author);
        bind_text(*s, 3, idem->key);
        // Expired keys count as unused whether or not a prune has removed them yet.
        s->bind(4, now_ms - idempotency_ttl_ms);
        if (s->executeStep()) {
            if (s->getColumn(0).getString() != idem->fingerprint) {
                throw store_error(store_errc::idempotency_conflict,
                                  "idempotency key '" + idem->key +
                                      "' was already used for a different request");
            }
            const std::int64_t entry_id = s->getColumn(1).getInt64();
            const use e(impl_->find_entry_any);
            e->bind(1, entry_id);
            if (!e->executeStep()) {
                // Cannot happen with foreign keys on; a broken file should not look like success.
                throw std::runtime_error("idempotency key refers to missing entry " +
                                         std::to_string(entry_id));
            }
            return create_result{read_entry(*e), std::nullopt, true};
        }
    }

    if (t.status == protocol::ticker_status::ended) {
        throw store_error(store_errc::ticker_ended,
                          "ticker '" + std::string(ticker) + "' has ended");
    }

    protocol::entry e;
    e.ticker = t.id;
    e.created_at_ms = now_ms;
    e.updated_at_ms = now_ms;
    e.author = std::string(author);
    e.title = draft.title;
    e.body = draft.body;
    e.html = std::string(html);
    e.image = draft.image;
    e.pinned = draft.pinned;
    e.key = draft.key;
    e.revision = 1;
    {
        const use s(impl_->insert_entry);
        bind_text(*s, 1, e.ticker);
        s->bind(2, e.created_at_ms);
        s->bind(3, e.updated_at_ms);
        bind_text(*s, 4, e.author);
        bind_entry_content(*s, 5, e);
        s->exec();
        e.id = impl_->db.getLastInsertRowid();
    }

    if (idem) {
        {
            // Also removes an expired row for this very key, which would block the insert.
            const use s(impl_->prune_idempotency);
            s->bind(1, now_ms - idempotency_ttl_ms);
            s->exec();
        }
        const use s(impl_->insert_idempotency);
        bind_text(*s, 1, ticker);
        bind_text(*s, 2, author);
        bind_text(*s, 3, idem->key);
        bind_text(*s, 4, idem->fingerprint);
        s->bind(5, e.id);
        s->bind(6, now_ms);
        s->exec();
    }

    t.entry_count += 1;
    protocol::event ev;
    ev.op = protocol::event_op::create;
    ev.entry = e;
    change c = impl_->record(std::move(t), std::move(ev), now_ms);
    tx.commit();
    return create_result{std::move(e), std::move(c), false};
}

change sqlite_store::update_entry(std::string_view ticker, std::int64_t entry_id,
                                  const protocol::entry_patch& patch,
                                  const std::optional<std::string>& html, std::int64_t now_ms) {
    if (patch.body && !html) {
        throw std::invalid_argument("update_entry: the patch changes the body but no html given");
    }
    SQLite::Transaction tx(impl_->db, SQLite::TransactionBehavior::IMMEDIATE);
    protocol::ticker t = impl_->require_ticker(ticker);
    protocol::entry e = impl_->require_entry(ticker, entry_id);

    if (patch.title) {
        e.title = *patch.title;
    }
    if (patch.body) {
        e.body = *patch.body;
    }
    if (html) {
        e.html = *html;
    }
    if (patch.image) {
        e.image = *patch.image;
    }
    if (patch.pinned) {
        e.pinned = *patch.pinned;
    }
    if (patch.key) {
        e.key = *patch.key;
    }
    e.updated_at_ms = now_ms;
    e.revision += 1;
    {
        const use s(impl_->save_entry);
        bind_entry_content(*s, 1, e);
        s->bind(10, e.updated_at_ms);
        s->bind(11, e.revision);
        s->bind(12, e.id);
        s->exec();
    }

    protocol::event ev;
    ev.op = protocol::event_op::update;
    ev.entry = std::move(e);
    change c = impl_->record(std::move(t), std::move(ev), now_ms);
    tx.commit();
    return c;
}

change sqlite_store::delete_entry(std::string_view ticker, std::int64_t entry_id,
                                  std::int64_t now_ms) {
    SQLite::Transaction tx(impl_->db, SQLite::TransactionBehavior::IMMEDIATE);
    protocol::ticker t = impl_->require_ticker(ticker);
    const protocol::entry e = impl_->require_entry(ticker, entry_id);
    {
        const use s(impl_->mark_deleted);
        s->bind(1, now_ms);
        s->bind(2, e.id);
        s->exec();
    }
    t.entry_count -= 1;
    protocol::event ev;
    ev.op = protocol::event_op::remove;
    ev.deleted_id = e.id;
    change c = impl_->record(std::move(t), std::move(ev), now_ms);
    tx.commit();
    return c;
}

entry_page sqlite_store::list_entries(const page_request& req) {
    if (req.limit < 1) {
        throw std::invalid_argument("list_entries: limit must be at least 1");
    }
    if (req.after && req.after->ord != req.ord) {
        throw std::invalid_argument("list_entries: cursor order differs from requested order");
    }
    impl_->require_ticker(req.ticker);

    const bool newest = req.ord == protocol::order::newest;
    // Ids start at 1, so 0 and INT64_MAX lie before the first position in either direction.
    const std::int64_t bound =
        req.after ? req.after->last_id : (newest ? std::numeric_limits<std::int64_t>::max() : 0);

    const use s(newest ? impl_->list_newest : impl_->list_oldest);
    bind_text(*s, 1, req.ticker);
    s->bind(2, bound);
    // One row more than asked tells whether a next page exists without a COUNT.
    s->bind(3, static_cast<std::int64_t>(req.limit) + 1);

    entry_page page;
    page.entries.reserve(
        static_cast<std::size_t>(std::min(req.limit, protocol::limits::page_limit_max)));
    bool more = false;
    while (s->executeStep()) {
        if (page.entries.size() == static_cast<std::size_t>(req.limit)) {
            more = true;
            break;
        }
        page.entries.push_back(read_entry(*s));
    }
    if (more) {
        page.next = protocol::cursor{req.ord, page.entries.back().id};
    }
    return page;
}

std::optional<protocol::entry> sqlite_store::find_entry(std::string_view ticker,
                                                        std::int64_t entry_id) {
    return impl_->load_entry(ticker, entry_id);
}

std::vector<logged_event> sqlite_store::recent_events(std::string_view ticker,
                                                      std::size_t max_count) {
    impl_->require_ticker(ticker);
    std::vector<logged_event> out;
    if (max_count == 0) {
        return out;
    }
    const auto limit = static_cast<std::int64_t>(
        std::min<std::size_t>(max_count, std::numeric_limits<std::int64_t>::max()));
    const use s(impl_->recent_events);
    bind_text(*s, 1, ticker);
    s->bind(2, limit);
    while (s->executeStep()) {
        out.push_back(logged_event{s->getColumn(0).getInt64(), s->getColumn(1).getString()});
    }
    return out;
}

} // namespace liveticker::server
