// Tests of sqlite_store against a real SQLite file in a temporary folder: ordering and paging,
// the gap-free event log, idempotency, error cases, persistence and two instances on one file.
#include "sqlite_store.hpp"

#include "liveticker/protocol/json.hpp"
#include "temp_dir.hpp"

#include <catch2/catch.hpp>

#include <algorithm>
#include <atomic>
#include <functional>
#include <set>
#include <string>
#include <thread>
#include <vector>

namespace lt = liveticker;
using lt::protocol::order;
using lt::server::page_request;
using lt::server::sqlite_store;
using lt::server::store_errc;
using lt::server::store_error;

namespace {

// Clock of the tests: strictly increasing so timestamps tell changes apart.
struct test_clock {
    std::int64_t now = 1'700'000'000'000;
    std::int64_t tick() { return now += 1000; }
};

lt::protocol::new_ticker new_ticker(std::string id) {
    return lt::protocol::new_ticker{id, "Title of " + id, "About " + id};
}

lt::protocol::entry_draft draft(std::string body) {
    lt::protocol::entry_draft d;
    d.body = std::move(body);
    return d;
}

lt::protocol::entry create(sqlite_store& store, test_clock& clock, std::string_view ticker,
                           std::string body) {
    const auto html = "<p>" + body + "</p>";
    auto result =
        store.create_entry(ticker, draft(body), html, "alice", clock.tick(), std::nullopt);
    REQUIRE_FALSE(result.replayed);
    REQUIRE(result.change);
    return result.entry;
}

std::vector<std::int64_t> ids_of(const std::vector<lt::protocol::entry>& entries) {
    std::vector<std::int64_t> ids;
    for (const auto& e : entries) {
        ids.push_back(e.id);
    }
    return ids;
}

// Every page of `ticker` in `ord`, `limit` at a time; `between` runs after each page.
std::vector<std::int64_t> page_all(sqlite_store& store, std::string_view ticker, order ord,
                                   int limit, const std::function<void()>& between = {}) {
    std::vector<std::int64_t> seen;
    page_request req{std::string(ticker), ord, limit, std::nullopt};
    for (int pages = 0; pages < 1000; ++pages) {
        const auto page = store.list_entries(req);
        REQUIRE(page.entries.size() <= static_cast<std::size_t>(limit));
        const auto ids = ids_of(page.entries);
        seen.insert(seen.end(), ids.begin(), ids.end());
        if (!page.next) {
            return seen;
        }
        REQUIRE(page.entries.size() == static_cast<std::size_t>(limit));
        REQUIRE(page.next->ord == ord);
        REQUIRE(page.next->last_id == page.entries.back().id);
        req.after = page.next;
        if (between) {
            between();
        }
    }
    FAIL("paging did not end");
    return seen;
}

void require_errc(const std::function<void()>& action, store_errc expected) {
    try {
        action();
    } catch (const store_error& e) {
        REQUIRE(e.code() == expected);
        return;
    }
    FAIL("expected a store_error");
}

} // namespace

TEST_CASE("tickers are created once and listed oldest first", "[store]") {
    const lt::test::temp_dir dir;
    sqlite_store store(dir / "nested" / "folder" / "ticker.db"); // parents are created
    test_clock clock;

    const auto t = store.create_ticker(new_ticker("zeta"), clock.tick());
    CHECK(t.id == "zeta");
    CHECK(t.title == "Title of zeta");
    CHECK(t.description == "About zeta");
    CHECK(t.status == lt::protocol::ticker_status::live);
    CHECK(t.created_at_ms == clock.now);
    CHECK(t.seq == 0);
    CHECK(t.entry_count == 0);
    store.create_ticker(new_ticker("alpha"), clock.tick());

    require_errc([&] { store.create_ticker(new_ticker("zeta"), clock.tick()); },
                 store_errc::ticker_exists);

    const auto all = store.list_tickers();
    REQUIRE(all.size() == 2);
    CHECK(all[0] == t);
    CHECK(all[1].id == "alpha");
    CHECK(store.find_ticker("zeta") == t);
    CHECK_FALSE(store.find_ticker("nope"));
    CHECK(store.recent_events("zeta", 10).empty()); // creating a ticker is no event
}

TEST_CASE("entries are listed newest first or oldest first", "[store]") {
    const lt::test::temp_dir dir;
    sqlite_store store(dir / "t.db");
    test_clock clock;
    store.create_ticker(new_ticker("t"), clock.tick());
    std::vector<std::int64_t> created;
    for (int i = 0; i < 5; ++i) {
        created.push_back(create(store, clock, "t", "entry " + std::to_string(i)).id);
    }

    const auto newest = store.list_entries({"t", order::newest, 10, std::nullopt});
    auto expected = created;
    std::reverse(expected.begin(), expected.end());
    CHECK(ids_of(newest.entries) == expected);
    CHECK_FALSE(newest.next);

    const auto oldest = store.list_entries({"t", order::oldest, 10, std::nullopt});
    CHECK(ids_of(oldest.entries) == created);
    CHECK_FALSE(oldest.next);

    // Entries come back as written.
    const auto& first = oldest.entries.front();
    CHECK(first.ticker == "t");
    CHECK(first.author == "alice");
    CHECK(first.body == "entry 0");
    CHECK(first.html == "<p>entry 0</p>");
    CHECK(first.revision == 1);
    CHECK(first.created_at_ms == first.updated_at_ms);
    CHECK_FALSE(first.title);
    CHECK_FALSE(first.image);
}

TEST_CASE("paging visits every entry exactly once in both orders", "[store]") {
    const lt::test::temp_dir dir;
    sqlite_store store(dir / "t.db");
    test_clock clock;
    store.create_ticker(new_ticker("t"), clock.tick());
    store.create_ticker(new_ticker("other"), clock.tick());

    const int count = GENERATE(0, 1, 20, 23);
    std::vector<std::int64_t> created;
    for (int i = 0; i < count; ++i) {
        created.push_back(create(store, clock, "t", "e" + std::to_string(i)).id);
        create(store, clock, "other", "noise"); // other tickers' entries never show up
    }
    INFO("entries: " << count);

    CHECK(page_all(store, "t", order::oldest, 5) == created);
    auto reversed = created;
    std::reverse(reversed.begin(), reversed.end());
    CHECK(page_all(store, "t", order::newest, 5) == reversed);
    CHECK(page_all(store, "t", order::newest, 1) == reversed);
    CHECK(page_all(store, "t", order::oldest, 100) == created);
}

TEST_CASE("paging stays stable while entries are added and deleted", "[store]") {
    const lt::test::temp_dir dir;
    sqlite_store store(dir / "t.db");
    test_clock clock;
    store.create_ticker(new_ticker("t"), clock.tick());

    std::vector<std::int64_t> initial;
    for (int i = 0; i < 30; ++i) {
        initial.push_back(create(store, clock, "t", "e" + std::to_string(i)).id);
    }
    const auto ord = GENERATE(order::newest, order::oldest);
    INFO("order: " << (ord == order::newest ? "newest" : "oldest"));

    // Between pages: add an entry, delete one already seen and one not yet seen (taken from the
    // far end of the list, so it lies ahead of the cursor in either order).
    std::set<std::int64_t> deleted;
    std::size_t victim_front = 0;
    std::size_t victim_back = initial.size() - 1;
    const auto churn = [&] {
        create(store, clock, "t", "late");
        const bool newest = ord == order::newest;
        const auto seen_one =
            newest ? initial[initial.size() - 1 - victim_front] : initial[victim_front];
        const auto ahead_one =
            newest ? initial[initial.size() - 1 - victim_back] : initial[victim_back];
        ++victim_front;
        --victim_back;
        for (const auto id : {seen_one, ahead_one}) {
            if (deleted.insert(id).second) {
                store.delete_entry("t", id, clock.tick());
            }
        }
    };
    const auto seen = page_all(store, "t", ord, 4, churn);

    const std::set<std::int64_t> unique(seen.begin(), seen.end());
    CHECK(unique.size() == seen.size()); // no duplicates
    for (const auto id : initial) {
        if (!deleted.contains(id)) {
            CHECK(unique.contains(id)); // nothing that existed throughout was skipped
        }
    }
    // And the order held across pages.
    if (ord == order::newest) {
        CHECK(std::is_sorted(seen.rbegin(), seen.rend()));
    } else {
        CHECK(std::is_sorted(seen.begin(), seen.end()));
    }
}

TEST_CASE("every change takes the next seq and is logged with its frame", "[store]") {
    const lt::test::temp_dir dir;
    sqlite_store store(dir / "t.db");
    test_clock clock;
    store.create_ticker(new_ticker("t"), clock.tick());
    store.create_ticker(new_ticker("u"), clock.tick());

    std::vector<lt::server::change> changes;
    const auto a = store.create_entry("t", draft("a"), "<p>a</p>", "alice", clock.tick(), {});
    changes.push_back(*a.change);
    create(store, clock, "u", "elsewhere"); // seqs are per ticker
    lt::protocol::entry_patch patch;
    patch.pinned = true;
    changes.push_back(store.update_entry("t", a.entry.id, patch, std::nullopt, clock.tick()));
    changes.push_back(store.delete_entry("t", a.entry.id, clock.tick()));
    lt::protocol::ticker_patch tp;
    tp.title = "New title";
    changes.push_back(store.update_ticker("t", tp, clock.tick()));
    const auto b = store.create_entry("t", draft("b"), "<p>b</p>", "bob", clock.tick(), {});
    changes.push_back(*b.change);

    const std::vector<lt::protocol::event_op> ops = {
        lt::protocol::event_op::create, lt::protocol::event_op::update,
        lt::protocol::event_op::remove, lt::protocol::event_op::ticker,
        lt::protocol::event_op::create};
    for (std::size_t i = 0; i < changes.size(); ++i) {
        const auto& c = changes[i];
        INFO("change " << i);
        CHECK(c.event.seq == static_cast<std::int64_t>(i + 1));
        CHECK(c.ticker.seq == c.event.seq);
        CHECK(c.event.ticker == "t");
        CHECK(c.event.op == ops[i]);
        CHECK(c.frame == lt::protocol::encode_event(c.event));
    }
    CHECK(changes[0].event.entry == a.entry);
    CHECK(changes[1].event.entry->pinned);
    CHECK(changes[2].event.deleted_id == a.entry.id);
    REQUIRE(changes[3].event.ticker_state);
    CHECK(changes[3].event.ticker_state->title == "New title");
    CHECK(*changes[3].event.ticker_state == changes[3].ticker);
    CHECK(store.find_ticker("t")->seq == 5);
    CHECK(store.find_ticker("u")->seq == 1);

    const auto log = store.recent_events("t", 100);
    REQUIRE(log.size() == changes.size());
    for (std::size_t i = 0; i < log.size(); ++i) {
        INFO("event " << i);
        CHECK(log[i].seq == static_cast<std::int64_t>(i + 1));
        CHECK(log[i].frame == changes[i].frame);
        const auto decoded = lt::protocol::decode_event(log[i].frame);
        CHECK(decoded.seq == log[i].seq);
        CHECK(decoded.op == ops[i]);
        CHECK(decoded.ticker == "t");
    }

    const auto last_two = store.recent_events("t", 2);
    REQUIRE(last_two.size() == 2);
    CHECK(last_two[0].seq == 4);
    CHECK(last_two[1].seq == 5);
    CHECK(store.recent_events("t", 0).empty());
}

TEST_CASE("entry_count counts the entries not deleted", "[store]") {
    const lt::test::temp_dir dir;
    sqlite_store store(dir / "t.db");
    test_clock clock;
    store.create_ticker(new_ticker("t"), clock.tick());

    const auto a = create(store, clock, "t", "a");
    const auto b = create(store, clock, "t", "b");
    CHECK(store.find_ticker("t")->entry_count == 2);
    const auto c = store.delete_entry("t", a.id, clock.tick());
    CHECK(c.ticker.entry_count == 1);
    CHECK(store.find_ticker("t")->entry_count == 1);
    lt::protocol::entry_patch patch;
    patch.key = true;
    CHECK(store.update_entry("t", b.id, patch, std::nullopt, clock.tick()).ticker.entry_count == 1);
    const auto d = store.create_entry("t", draft("d"), "<p>d</p>", "alice", clock.tick(), {});
    CHECK(d.change->ticker.entry_count == 2);
    CHECK(store.list_entries({"t", order::newest, 10, std::nullopt}).entries.size() == 2);
}

TEST_CASE("an idempotency key replays the first entry and writes nothing", "[store]") {
    const lt::test::temp_dir dir;
    sqlite_store store(dir / "t.db");
    test_clock clock;
    store.create_ticker(new_ticker("t"), clock.tick());
    const lt::server::idempotency idem{"key-1", "fingerprint-A"};

    const auto first = store.create_entry("t", draft("a"), "<p>a</p>", "alice", clock.tick(), idem);
    REQUIRE_FALSE(first.replayed);
    REQUIRE(first.change);

    const auto again = store.create_entry("t", draft("a"), "<p>a</p>", "alice", clock.tick(), idem);
    CHECK(again.replayed);
    CHECK_FALSE(again.change);
    CHECK(again.entry == first.entry);
    CHECK(store.find_ticker("t")->seq == 1);
    CHECK(store.find_ticker("t")->entry_count == 1);
    CHECK(store.recent_events("t", 10).size() == 1);

    SECTION("the replay shows the entry as it is now") {
        lt::protocol::entry_patch patch;
        patch.body = "edited";
        store.update_entry("t", first.entry.id, patch, std::string("<p>edited</p>"), clock.tick());
        const auto replay =
            store.create_entry("t", draft("a"), "<p>a</p>", "alice", clock.tick(), idem);
        CHECK(replay.replayed);
        CHECK(replay.entry.id == first.entry.id);
        CHECK(replay.entry.body == "edited");
        CHECK(replay.entry.revision == 2);
        CHECK(store.find_ticker("t")->seq == 2);
    }
    SECTION("the same key with another body is a conflict") {
        require_errc(
            [&] {
                store.create_entry("t", draft("b"), "<p>b</p>", "alice", clock.tick(),
                                   lt::server::idempotency{"key-1", "fingerprint-B"});
            },
            store_errc::idempotency_conflict);
        CHECK(store.find_ticker("t")->seq == 1);
    }
    SECTION("keys are per author and per ticker") {
        const auto bob = store.create_entry("t", draft("a"), "<p>a</p>", "bob", clock.tick(), idem);
        CHECK_FALSE(bob.replayed);
        CHECK(bob.entry.id != first.entry.id);
        store.create_ticker(new_ticker("u"), clock.tick());
        const auto other =
            store.create_entry("u", draft("a"), "<p>a</p>", "alice", clock.tick(), idem);
        CHECK_FALSE(other.replayed);
    }
    SECTION("a replay is answered after the ticker ended") {
        lt::protocol::ticker_patch end;
        end.status = lt::protocol::ticker_status::ended;
        store.update_ticker("t", end, clock.tick());
        const auto replay =
            store.create_entry("t", draft("a"), "<p>a</p>", "alice", clock.tick(), idem);
        CHECK(replay.replayed);
        CHECK(replay.entry.id == first.entry.id);
    }
    SECTION("keys expire after a day") {
        clock.now += 25LL * 60 * 60 * 1000;
        const auto fresh =
            store.create_entry("t", draft("a"), "<p>a</p>", "alice", clock.tick(), idem);
        CHECK_FALSE(fresh.replayed);
        CHECK(fresh.entry.id != first.entry.id);
        // The key now stands for the fresh entry.
        const auto replay =
            store.create_entry("t", draft("a"), "<p>a</p>", "alice", clock.tick(), idem);
        CHECK(replay.replayed);
        CHECK(replay.entry.id == fresh.entry.id);
    }
}

TEST_CASE("an ended ticker refuses new entries but allows edits", "[store]") {
    const lt::test::temp_dir dir;
    sqlite_store store(dir / "t.db");
    test_clock clock;
    store.create_ticker(new_ticker("t"), clock.tick());
    const auto a = create(store, clock, "t", "a");
    const auto b = create(store, clock, "t", "b");

    lt::protocol::ticker_patch end;
    end.status = lt::protocol::ticker_status::ended;
    const auto ended = store.update_ticker("t", end, clock.tick());
    CHECK(ended.ticker.status == lt::protocol::ticker_status::ended);
    CHECK(ended.ticker.title == "Title of t"); // absent fields stay
    CHECK(store.find_ticker("t")->status == lt::protocol::ticker_status::ended);

    require_errc(
        [&] {
            store.create_entry("t", draft("late"), "<p>late</p>", "alice", clock.tick(),
                               std::nullopt);
        },
        store_errc::ticker_ended);
    CHECK(store.find_ticker("t")->seq == 3); // the refused create wrote nothing

    lt::protocol::entry_patch patch;
    patch.title = std::optional<std::string>("Correction");
    const auto updated = store.update_entry("t", a.id, patch, std::nullopt, clock.tick());
    CHECK(updated.event.entry->title == "Correction");
    store.delete_entry("t", b.id, clock.tick());
    CHECK(store.find_ticker("t")->seq == 5);
}

TEST_CASE("unknown tickers and entries are reported as not found", "[store]") {
    const lt::test::temp_dir dir;
    sqlite_store store(dir / "t.db");
    test_clock clock;
    store.create_ticker(new_ticker("t"), clock.tick());
    store.create_ticker(new_ticker("u"), clock.tick());
    const auto a = create(store, clock, "t", "a");
    const auto gone = create(store, clock, "t", "gone");
    store.delete_entry("t", gone.id, clock.tick());
    lt::protocol::entry_patch patch;
    patch.pinned = true;

    using store_errc::entry_not_found;
    using store_errc::ticker_not_found;
    require_errc([&] { store.create_entry("x", draft("a"), "", "alice", clock.tick(), {}); },
                 ticker_not_found);
    require_errc([&] { store.update_entry("x", a.id, patch, std::nullopt, clock.tick()); },
                 ticker_not_found);
    require_errc([&] { store.delete_entry("x", a.id, clock.tick()); }, ticker_not_found);
    require_errc([&] { store.update_ticker("x", {}, clock.tick()); }, ticker_not_found);
    require_errc(
        [&] {
            store.list_entries({"x", order::newest, 10, std::nullopt});
        },
        ticker_not_found);
    require_errc([&] { store.recent_events("x", 10); }, ticker_not_found);

    require_errc([&] { store.update_entry("t", 9999, patch, std::nullopt, clock.tick()); },
                 entry_not_found);
    require_errc([&] { store.update_entry("u", a.id, patch, std::nullopt, clock.tick()); },
                 entry_not_found); // belongs to another ticker
    require_errc([&] { store.update_entry("t", gone.id, patch, std::nullopt, clock.tick()); },
                 entry_not_found);
    require_errc([&] { store.delete_entry("t", gone.id, clock.tick()); }, entry_not_found);
    require_errc([&] { store.delete_entry("u", a.id, clock.tick()); }, entry_not_found);

    CHECK(store.find_entry("t", a.id) == a);
    CHECK_FALSE(store.find_entry("u", a.id));
    CHECK_FALSE(store.find_entry("t", gone.id));
    CHECK_FALSE(store.find_entry("t", 9999));
    CHECK(store.find_ticker("t")->seq == 3); // failures wrote nothing
    CHECK(store.find_ticker("u")->seq == 0);
}

TEST_CASE("update_entry applies a patch and bumps revision and updated_at", "[store]") {
    const lt::test::temp_dir dir;
    sqlite_store store(dir / "t.db");
    test_clock clock;
    store.create_ticker(new_ticker("t"), clock.tick());
    lt::protocol::entry_draft d;
    d.title = "Headline";
    d.body = "body";
    d.image = lt::protocol::image{"https://img.example/a.jpg", "Caption", "Credit", "Alt"};
    d.pinned = true;
    const auto created =
        store.create_entry("t", d, "<p>body</p>", "alice", clock.tick(), std::nullopt).entry;
    CHECK(created.title == "Headline");
    CHECK(created.image == d.image);
    CHECK(created.pinned);
    CHECK_FALSE(created.key);

    SECTION("absent fields stay, body and html change together") {
        lt::protocol::entry_patch patch;
        patch.body = "new body";
        const auto c = store.update_entry("t", created.id, patch, std::string("<p>new body</p>"),
                                          clock.tick());
        const auto& e = *c.event.entry;
        CHECK(e.revision == 2);
        CHECK(e.updated_at_ms == clock.now);
        CHECK(e.created_at_ms == created.created_at_ms);
        CHECK(e.body == "new body");
        CHECK(e.html == "<p>new body</p>");
        CHECK(e.title == "Headline");
        CHECK(e.image == d.image);
        CHECK(e.pinned);
        CHECK(store.find_entry("t", created.id) == e);

        const auto again = store.update_entry("t", created.id, {}, std::nullopt, clock.tick());
        CHECK(again.event.entry->revision == 3);
    }
    SECTION("null clears title and image") {
        lt::protocol::entry_patch patch;
        patch.title = std::optional<std::string>{};
        patch.image = std::optional<lt::protocol::image>{};
        patch.pinned = false;
        patch.key = true;
        store.update_entry("t", created.id, patch, std::nullopt, clock.tick());
        const auto e = store.find_entry("t", created.id);
        REQUIRE(e);
        CHECK_FALSE(e->title);
        CHECK_FALSE(e->image);
        CHECK_FALSE(e->pinned);
        CHECK(e->key);
        CHECK(e->body == "body");
        CHECK(e->html == "<p>body</p>");
        CHECK(e->revision == 2);
    }
    SECTION("a new body needs its html") {
        lt::protocol::entry_patch patch;
        patch.body = "new body";
        CHECK_THROWS_AS(store.update_entry("t", created.id, patch, std::nullopt, clock.tick()),
                        std::invalid_argument);
        CHECK(store.find_entry("t", created.id) == created);
    }
}

TEST_CASE("entry ids are unique across tickers and never reused", "[store]") {
    const lt::test::temp_dir dir;
    const auto file = dir / "t.db";
    test_clock clock;
    std::int64_t last = 0;
    {
        sqlite_store store(file);
        store.create_ticker(new_ticker("t"), clock.tick());
        store.create_ticker(new_ticker("u"), clock.tick());
        std::set<std::int64_t> ids;
        for (int i = 0; i < 5; ++i) {
            for (const char* ticker : {"t", "u"}) {
                const auto e = create(store, clock, ticker, "e");
                CHECK(e.id > last);
                last = e.id;
                ids.insert(e.id);
            }
        }
        CHECK(ids.size() == 10);
        store.delete_entry("u", last, clock.tick()); // the highest id
        const auto next = create(store, clock, "t", "after delete");
        CHECK(next.id > last);
        last = next.id;
        store.delete_entry("t", last, clock.tick());
    }
    sqlite_store reopened(file);
    CHECK(create(reopened, clock, "u", "after reopen").id > last);
}

TEST_CASE("data survives closing and reopening the file", "[store]") {
    const lt::test::temp_dir dir;
    const auto file = dir / "t.db";
    test_clock clock;
    lt::protocol::ticker ticker;
    std::vector<lt::protocol::entry> entries;
    std::vector<lt::server::logged_event> log;
    {
        sqlite_store store(file);
        store.create_ticker(new_ticker("t"), clock.tick());
        lt::protocol::entry_draft d;
        d.title = "T";
        d.body = "with image";
        d.image = lt::protocol::image{"https://img.example/b.png", "", "", "alt"};
        d.key = true;
        store.create_entry("t", d, "<p>with image</p>", "alice", clock.tick(),
                           lt::server::idempotency{"k", "f"});
        create(store, clock, "t", "plain");
        ticker = *store.find_ticker("t");
        entries = store.list_entries({"t", order::oldest, 10, std::nullopt}).entries;
        log = store.recent_events("t", 10);
    }
    sqlite_store store(file);
    CHECK(store.find_ticker("t") == ticker);
    CHECK(store.list_entries({"t", order::oldest, 10, std::nullopt}).entries == entries);
    const auto reread = store.recent_events("t", 10);
    REQUIRE(reread.size() == log.size());
    for (std::size_t i = 0; i < log.size(); ++i) {
        CHECK(reread[i].seq == log[i].seq);
        CHECK(reread[i].frame == log[i].frame);
    }
    // The idempotency key survived too.
    const auto replay = store.create_entry("t", draft("with image"), "", "alice", clock.tick(),
                                           lt::server::idempotency{"k", "f"});
    CHECK(replay.replayed);
    CHECK(replay.entry == entries.front());
    // And the log continues without a gap.
    CHECK(store.delete_entry("t", entries.back().id, clock.tick()).event.seq == ticker.seq + 1);
}

TEST_CASE("two instances on one file see each other's writes", "[store]") {
    const lt::test::temp_dir dir;
    const auto file = dir / "t.db";
    test_clock clock;
    sqlite_store writer(file);
    sqlite_store reader(file);

    writer.create_ticker(new_ticker("t"), clock.tick());
    REQUIRE(reader.find_ticker("t"));
    CHECK(reader.list_entries({"t", order::newest, 10, std::nullopt}).entries.empty());

    const auto a = create(writer, clock, "t", "a");
    // A page left with more rows to read must not pin the reader to an old snapshot.
    create(writer, clock, "t", "b");
    const auto first = reader.list_entries({"t", order::oldest, 1, std::nullopt});
    REQUIRE(first.next);
    const auto c = create(writer, clock, "t", "c");
    CHECK(ids_of(reader.list_entries({"t", order::oldest, 10, first.next}).entries).back() == c.id);
    CHECK(reader.find_ticker("t")->seq == 3);
    CHECK(reader.recent_events("t", 10).size() == 3);

    // Writes go both ways; seqs stay gap-free whichever instance writes.
    const auto removed = reader.delete_entry("t", a.id, clock.tick());
    CHECK(removed.event.seq == 4);
    CHECK_FALSE(writer.find_entry("t", a.id));
    CHECK(create(writer, clock, "t", "d").id > c.id);
    CHECK(writer.find_ticker("t")->seq == 5);
    CHECK(reader.find_ticker("t")->entry_count == 3);

    // A third instance opening the already-migrated file works as well.
    sqlite_store third(file);
    CHECK(third.list_tickers().size() == 1);
}

TEST_CASE("list_entries rejects a bad limit or a cursor of the other order", "[store]") {
    const lt::test::temp_dir dir;
    sqlite_store store(dir / "t.db");
    test_clock clock;
    store.create_ticker(new_ticker("t"), clock.tick());
    CHECK_THROWS_AS(store.list_entries({"t", order::newest, 0, std::nullopt}),
                    std::invalid_argument);
    CHECK_THROWS_AS(
        store.list_entries({"t", order::newest, 10, lt::protocol::cursor{order::oldest, 5}}),
        std::invalid_argument);
}

TEST_CASE("instances opening and writing one file concurrently keep seqs gap-free", "[store]") {
    const lt::test::temp_dir dir;
    const auto file = dir / "fresh.db";
    constexpr int writers = 4;
    constexpr int posts = 25;

    // All instances open the fresh file at once (racing to create the schema), then all post
    // to the same ticker. Catch2 is not thread-safe, so threads only count their failures.
    std::atomic<int> failures = 0;
    std::atomic<int> ready = 0;
    std::vector<std::thread> threads;
    for (int w = 0; w < writers; ++w) {
        threads.emplace_back([&, w] {
            try {
                sqlite_store store(file);
                try {
                    store.create_ticker(new_ticker("shared"), 1);
                } catch (const store_error& e) {
                    if (e.code() != store_errc::ticker_exists) {
                        throw;
                    }
                }
                ++ready;
                while (ready.load() < writers) {
                    std::this_thread::yield();
                }
                for (int i = 0; i < posts; ++i) {
                    const auto body = "w" + std::to_string(w) + "-" + std::to_string(i);
                    store.create_entry("shared", draft(body), body, "author", 2 + i,
                                       lt::server::idempotency{body, body});
                }
            } catch (...) {
                ++failures;
                ++ready; // do not leave the others waiting
            }
        });
    }
    for (auto& t : threads) {
        t.join();
    }
    REQUIRE(failures == 0);

    sqlite_store store(file);
    const auto t = store.find_ticker("shared");
    REQUIRE(t);
    CHECK(t->seq == writers * posts);
    CHECK(t->entry_count == writers * posts);
    const auto log = store.recent_events("shared", 1000);
    REQUIRE(log.size() == static_cast<std::size_t>(writers * posts));
    for (std::size_t i = 0; i < log.size(); ++i) {
        CHECK(log[i].seq == static_cast<std::int64_t>(i + 1));
    }
    const auto all = page_all(store, "shared", order::oldest, 100);
    CHECK(std::set<std::int64_t>(all.begin(), all.end()).size() == all.size());
    CHECK(all.size() == static_cast<std::size_t>(writers * posts));
}
