// tickerd end to end: a real tickerd process on a loopback port with a real SQLite file, real
// WebSocket readers and real HTTP editors. Each test says what a reader or editor relies on.
#include "client.hpp"
#include "temp_dir.hpp"
#include "tickerd_process.hpp"

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <fstream>
#include <functional>
#include <limits>
#include <map>
#include <mutex>
#include <optional>
#include <random>
#include <string>
#include <thread>
#include <vector>

using liveticker::client::header_list;
using liveticker::client::http_client;
using liveticker::client::http_response;
using liveticker::client::ws_client;
using liveticker::test::tickerd_options;
using liveticker::test::tickerd_process;
using json = nlohmann::json;
using namespace std::chrono_literals;

namespace {

header_list editor(const char* token = liveticker::test::alice_token) {
    return {{"Authorization", std::string("Bearer ") + token}};
}

http_response create_ticker(http_client& api, const std::string& id,
                            const std::string& title = "Testticker") {
    return api.request("POST", "/api/tickers",
                       json{{"id", id}, {"title", title}, {"description", "für Tests"}}.dump(),
                       editor());
}

std::int64_t post(http_client& api, const std::string& ticker, const std::string& body,
                  header_list headers = editor()) {
    const auto res = api.request("POST", "/api/tickers/" + ticker + "/entries",
                                 json{{"body", body}}.dump(), headers);
    INFO(res.body);
    REQUIRE(res.status == 201);
    return json::parse(res.body).at("id").get<std::int64_t>();
}

json read_json(ws_client& ws, std::chrono::milliseconds timeout = 5s) {
    const auto text = ws.read(timeout);
    REQUIRE(text.has_value());
    return json::parse(*text);
}

/// The ticker as the API shows it now (entry_count, seq, status).
json fetch_ticker(http_client& api, const std::string& id) {
    const auto res = api.request("GET", "/api/tickers/" + id);
    REQUIRE(res.status == 200);
    return json::parse(res.body);
}

unsigned post_status(http_client& api, const std::string& ticker) {
    return api
        .request("POST", "/api/tickers/" + ticker + "/entries", json{{"body", "x"}}.dump(),
                 editor())
        .status;
}

/// Reads the next frame and checks its type.
json expect(ws_client& ws, const std::string& type) {
    auto frame = read_json(ws);
    INFO(frame.dump());
    REQUIRE(frame.at("type") == type);
    return frame;
}

json subscribe(ws_client& ws, const std::string& ticker, const std::string& order = "newest",
               int limit = 20) {
    ws.send_text(
        json{{"type", "subscribe"}, {"ticker", ticker}, {"order", order}, {"limit", limit}}.dump());
    return expect(ws, "snapshot");
}

std::vector<std::int64_t> ids_of(const json& entries) {
    std::vector<std::int64_t> ids;
    for (const auto& e : entries) {
        ids.push_back(e.at("id").get<std::int64_t>());
    }
    return ids;
}

std::string metric_line(http_client& api, const std::string& name) {
    const auto body = api.request("GET", "/metrics").body;
    const auto at = body.find("\n" + name + " ");
    return at == std::string::npos ? std::string()
                                   : body.substr(at + 1, body.find('\n', at + 1) - at - 1);
}

/// The value of an unlabelled metric in /metrics.
std::uint64_t metric_value(http_client& api, const std::string& name) {
    const auto line = metric_line(api, name);
    REQUIRE_FALSE(line.empty());
    return std::stoull(line.substr(name.size() + 1));
}

/// Checks that nothing else arrives for a short while.
void expect_silence(ws_client& ws) {
    const auto text = ws.read(300ms);
    INFO((text ? *text : std::string("(nothing)")));
    CHECK_FALSE(text.has_value());
}

} // namespace

TEST_CASE("tickerd answers health, metrics and the web client", "[server]") {
    tickerd_process server;
    http_client http(server.url());

    const auto health = http.request("GET", "/healthz");
    CHECK(health.status == 200);
    CHECK(health.body == "ok\n");

    const auto metrics = http.request("GET", "/metrics");
    CHECK(metrics.status == 200);
    CHECK(metrics.body.find("liveticker_websockets ") != std::string::npos);
    CHECK(metrics.body.find("liveticker_http_responses_total{status=\"200\"}") !=
          std::string::npos);

    const auto index = http.request("GET", "/");
    CHECK(index.status == 200);
    CHECK(index.header("Content-Type").starts_with("text/html"));
    // A ticker that does not exist: the web client's page (which says so), with a 404.
    const auto page = http.request("GET", "/t/demo");
    CHECK(page.status == 404);
    CHECK(page.body == index.body);

    const auto cached = http.request("GET", "/", {}, {{"If-None-Match", index.header("ETag")}});
    CHECK(cached.status == 304);

    CHECK(http.request("GET", "/../CMakeLists.txt").status == 404);
    CHECK(http.request("GET", "/%2e%2e/CMakeLists.txt").status == 404);
    CHECK(http.request("GET", "/no-such-file.js").status == 404);
}

TEST_CASE("the editor API refuses what it must, with a clear error", "[server][api]") {
    tickerd_process server;
    http_client api(server.url());
    REQUIRE(create_ticker(api, "koalition").status == 201);

    SECTION("no token or a wrong token: 401") {
        const auto none =
            api.request("POST", "/api/tickers/koalition/entries", json{{"body", "x"}}.dump());
        CHECK(none.status == 401);
        CHECK(json::parse(none.body)["error"]["code"] == "unauthorized");
        const auto wrong =
            api.request("POST", "/api/tickers/koalition/entries", json{{"body", "x"}}.dump(),
                        {{"Authorization", "Bearer not-a-real-token-000"}});
        CHECK(wrong.status == 401);
        CHECK(wrong.body.find("not-a-real-token") == std::string::npos);
    }
    SECTION("validation names the field: 400") {
        const auto res = api.request("POST", "/api/tickers/koalition/entries",
                                     json{{"body", "   "}}.dump(), editor());
        CHECK(res.status == 400);
        const auto error = json::parse(res.body)["error"];
        CHECK(error["code"] == "invalid_request");
        CHECK(error["field"] == "body");

        const auto bad_json =
            api.request("POST", "/api/tickers/koalition/entries", "{\"body\":", editor());
        CHECK(bad_json.status == 400);
        const auto bad_id = api.request(
            "POST", "/api/tickers", json{{"id", "Nicht gültig"}, {"title", "x"}}.dump(), editor());
        CHECK(bad_id.status == 400);
        CHECK(json::parse(bad_id.body)["error"]["field"] == "id");
        const auto bad_limit = api.request("GET", "/api/tickers/koalition/entries?limit=500");
        CHECK(bad_limit.status == 400);
        CHECK(json::parse(bad_limit.body)["error"]["field"] == "limit");
        CHECK(api.request("GET", "/api/tickers/koalition/entries?cursor=zzz").status == 400);
    }
    SECTION("unknown ticker or entry: 404") {
        CHECK(api.request("GET", "/api/tickers/nope").status == 404);
        CHECK(api.request("GET", "/api/tickers/nope/entries").status == 404);
        CHECK(post_status(api, "nope") == 404);
        CHECK(api.request("DELETE", "/api/tickers/koalition/entries/999", {}, editor()).status ==
              404);
        CHECK(api.request("GET", "/api/nothing").status == 404);
    }
    SECTION("wrong method: 405 with Allow") {
        const auto res = api.request("DELETE", "/api/tickers/koalition", {}, editor());
        CHECK(res.status == 405);
        CHECK(res.header("Allow") == "GET, PATCH");
    }
    SECTION("existing ticker: 409") {
        const auto res = create_ticker(api, "koalition");
        CHECK(res.status == 409);
        CHECK(json::parse(res.body)["error"]["code"] == "ticker_exists");
    }
    SECTION("body over the limit: 413") {
        const std::string huge(100 * 1024, 'a');
        http_client fresh(server.url());
        const auto res = fresh.request("POST", "/api/tickers/koalition/entries",
                                       json{{"body", huge}}.dump(), editor());
        CHECK(res.status == 413);
    }
    SECTION("not JSON: 415") {
        const auto res =
            api.request("POST", "/api/tickers/koalition/entries", "body=x",
                        {{"Authorization", std::string("Bearer ") + liveticker::test::alice_token},
                         {"Content-Type", "application/x-www-form-urlencoded"}});
        CHECK(res.status == 415);
    }
    // Nothing of the above wrote anything.
    const auto t = fetch_ticker(api, "koalition");
    CHECK(t["entry_count"] == 0);
    CHECK(t["seq"] == 0);
}

TEST_CASE("entries are created, edited and deleted through the API", "[server][api]") {
    tickerd_process server;
    http_client api(server.url());
    REQUIRE(create_ticker(api, "telefonat").status == 201);

    const auto created = api.request(
        "POST", "/api/tickers/telefonat/entries",
        json{{"body", "Das Gespräch beginnt um **21:30 MEZ**. <script>alert(1)</script>"},
             {"title", "Termin"},
             {"image",
              {{"url", "https://example.org/peskow.jpg"},
               {"caption", "Kreml-Sprecher (Archivbild)"},
               {"credit", "© Agentur"},
               {"alt", "Ein Mann am Rednerpult"}}},
             {"key", true}}
            .dump(),
        editor());
    REQUIRE(created.status == 201);
    const auto entry = json::parse(created.body);
    CHECK(entry["author"] == "alice");
    CHECK(entry["title"] == "Termin");
    CHECK(entry["key"] == true);
    CHECK(entry["pinned"] == false);
    CHECK(entry["revision"] == 1);
    CHECK(entry["image"]["credit"] == "© Agentur");
    CHECK(entry["html"].get<std::string>().find("<strong>21:30 MEZ</strong>") != std::string::npos);
    CHECK(entry["html"].get<std::string>().find("<script>") == std::string::npos);
    const auto id = entry["id"].get<std::int64_t>();

    const auto edited =
        api.request("PATCH", "/api/tickers/telefonat/entries/" + std::to_string(id),
                    json{{"body", "Verschoben auf 22:00 MEZ."}, {"title", nullptr}}.dump(),
                    editor("bob-token-9876543210"));
    REQUIRE(edited.status == 200);
    const auto after = json::parse(edited.body);
    CHECK(after["revision"] == 2);
    CHECK(after["title"].is_null());
    CHECK(after["author"] == "alice"); // the entry stays its author's
    CHECK(after["html"] == "<p>Verschoben auf 22:00 MEZ.</p>\n");

    const auto fetched = api.request("GET", "/api/tickers/telefonat/entries/" + std::to_string(id));
    CHECK(json::parse(fetched.body) == after);

    CHECK(
        api.request("DELETE", "/api/tickers/telefonat/entries/" + std::to_string(id), {}, editor())
            .status == 204);
    CHECK(api.request("GET", "/api/tickers/telefonat/entries/" + std::to_string(id)).status == 404);
    const auto t = fetch_ticker(api, "telefonat");
    CHECK(t["entry_count"] == 0);
    CHECK(t["seq"] == 3);
}

TEST_CASE("an Idempotency-Key makes an editor's retry post nothing new", "[server][api]") {
    tickerd_process server;
    http_client api(server.url());
    REQUIRE(create_ticker(api, "wahl").status == 201);
    auto headers = editor();
    headers.emplace_back("Idempotency-Key", "retry-0001");

    const auto first = post(api, "wahl", "Erste Hochrechnung", headers);
    const auto again = api.request("POST", "/api/tickers/wahl/entries",
                                   json{{"body", "Erste Hochrechnung"}}.dump(), headers);
    CHECK(again.status == 201);
    CHECK(again.header("Idempotent-Replayed") == "true");
    CHECK(json::parse(again.body)["id"] == first);

    const auto reused = api.request("POST", "/api/tickers/wahl/entries",
                                    json{{"body", "Etwas anderes"}}.dump(), headers);
    CHECK(reused.status == 422);

    const auto t = fetch_ticker(api, "wahl");
    CHECK(t["entry_count"] == 1);
    CHECK(t["seq"] == 1);
}

namespace {

/// Walks every page of a ticker over HTTP; `between` runs after the first page.
std::vector<std::int64_t> walk_pages(http_client& api, const std::string& ticker,
                                     const std::string& order,
                                     const std::function<void()>& between) {
    std::vector<std::int64_t> seen;
    std::string target = "/api/tickers/" + ticker + "/entries?order=" + order + "&limit=3";
    for (int pages = 0; pages < 20; ++pages) {
        const auto res = api.request("GET", target);
        REQUIRE(res.status == 200);
        const auto page = json::parse(res.body);
        for (const auto id : ids_of(page["entries"])) {
            seen.push_back(id);
        }
        if (page["cursor"].is_null()) {
            break;
        }
        target = "/api/tickers/" + ticker +
                 "/entries?limit=3&cursor=" + page["cursor"].get<std::string>();
        if (pages == 0) {
            between();
        }
    }
    return seen;
}

} // namespace

TEST_CASE("HTTP pages walk the whole ticker, stable while it changes", "[server][api]") {
    tickerd_process server;
    http_client api(server.url());
    REQUIRE(create_ticker(api, "seiten").status == 201);
    std::vector<std::int64_t> ids;
    for (int i = 0; i < 7; ++i) {
        ids.push_back(post(api, "seiten", "Eintrag " + std::to_string(i)));
    }

    // Newest first: an entry posted meanwhile lands above the pages already read.
    std::int64_t extra = 0;
    const auto newest =
        walk_pages(api, "seiten", "newest", [&] { extra = post(api, "seiten", "dazwischen"); });
    CHECK(newest == std::vector<std::int64_t>(ids.rbegin(), ids.rend()));

    // Oldest first: deleting an entry already read does not make the next page skip one.
    const auto oldest = walk_pages(api, "seiten", "oldest", [&] {
        REQUIRE(api.request("DELETE", "/api/tickers/seiten/entries/" + std::to_string(ids[0]), {},
                            editor())
                    .status == 204);
    });
    auto expected = ids;
    expected.push_back(extra);
    CHECK(oldest == expected);

    const auto mixed = api.request("GET", "/api/tickers/seiten/entries?order=oldest&cursor=" +
                                              json::parse(api.request("GET", "/api/tickers/seiten/"
                                                                             "entries?limit=1")
                                                              .body)["cursor"]
                                                  .get<std::string>());
    CHECK(mixed.status == 400); // a newest-first cursor cannot continue an oldest-first list
}

TEST_CASE("a reader gets a snapshot in its order and then every change live",
          "[server][websocket]") {
    tickerd_process server;
    http_client api(server.url());
    REQUIRE(create_ticker(api, "gipfel").status == 201);
    std::vector<std::int64_t> ids;
    for (int i = 1; i <= 5; ++i) {
        ids.push_back(post(api, "gipfel", "Meldung " + std::to_string(i)));
    }

    ws_client newest(server.url());
    ws_client oldest(server.url());
    const auto snap_newest = subscribe(newest, "gipfel", "newest", 3);
    const auto snap_oldest = subscribe(oldest, "gipfel", "oldest", 3);
    CHECK(ids_of(snap_newest["entries"]) == std::vector<std::int64_t>{ids[4], ids[3], ids[2]});
    CHECK(ids_of(snap_oldest["entries"]) == std::vector<std::int64_t>{ids[0], ids[1], ids[2]});
    CHECK(snap_newest["ticker"]["seq"] == 5);
    CHECK(snap_newest["ticker"]["entry_count"] == 5);
    CHECK(snap_newest["order"] == "newest");
    REQUIRE(snap_newest["cursor"].is_string());

    SECTION("more pages continue in the subscription's order") {
        newest.send_text(json{
            {"type", "more"},
            {"ticker", "gipfel"},
            {"cursor", snap_newest["cursor"]},
            {"limit", 3}}.dump());
        const auto page = expect(newest, "page");
        CHECK(ids_of(page["entries"]) == std::vector<std::int64_t>{ids[1], ids[0]});
        CHECK(page["cursor"].is_null());
        CHECK(page["order"] == "newest");
    }

    SECTION("two readers receive the same events, in seq order") {
        const auto created = post(api, "gipfel", "Neu: die Delegationen treffen ein");
        REQUIRE(api.request("PATCH", "/api/tickers/gipfel/entries/" + std::to_string(created),
                            json{{"pinned", true}}.dump(), editor())
                    .status == 200);
        REQUIRE(api.request("DELETE", "/api/tickers/gipfel/entries/" + std::to_string(ids[0]), {},
                            editor())
                    .status == 204);
        REQUIRE(
            api.request("PATCH", "/api/tickers/gipfel", json{{"status", "ended"}}.dump(), editor())
                .status == 200);

        std::uint64_t event_bytes = 0;
        for (auto* ws : {&newest, &oldest}) {
            const auto e1 = expect(*ws, "event");
            CHECK(e1["seq"] == 6);
            CHECK(e1["op"] == "create");
            CHECK(e1["entry"]["id"] == created);
            CHECK(e1["entry"]["body"] == "Neu: die Delegationen treffen ein");
            const auto e2 = expect(*ws, "event");
            CHECK(e2["seq"] == 7);
            CHECK(e2["op"] == "update");
            CHECK(e2["entry"]["pinned"] == true);
            CHECK(e2["entry"]["revision"] == 2);
            const auto e3 = expect(*ws, "event");
            CHECK(e3["seq"] == 8);
            CHECK(e3["op"] == "delete");
            CHECK(e3["entry"] == json{{"id", ids[0]}, {"deleted", true}});
            const auto e4 = expect(*ws, "event");
            CHECK(e4["seq"] == 9);
            CHECK(e4["op"] == "ticker");
            CHECK(e4["ticker_state"]["status"] == "ended");
            expect_silence(*ws);
            for (const auto& e : {e1, e2, e3, e4}) {
                event_bytes += e.dump().size();
            }
        }
        // /metrics counts what the readers got, whichever lane wrote it: two handshakes, two
        // snapshots and these eight events at least (a ping may have gone out too).
        CHECK(metric_value(api, "liveticker_frames_sent_total") >= 2 + 2 + 8);
        CHECK(metric_value(api, "liveticker_bytes_sent_total") >= event_bytes);
        // An ended ticker takes no new entries, and says why.
        const auto refused = api.request("POST", "/api/tickers/gipfel/entries",
                                         json{{"body", "zu spät"}}.dump(), editor());
        CHECK(refused.status == 409);
        CHECK(json::parse(refused.body)["error"]["code"] == "ticker_ended");
    }

    SECTION("unsubscribe stops the events") {
        newest.send_text(json{{"type", "unsubscribe"}, {"ticker", "gipfel"}}.dump());
        post(api, "gipfel", "nur für den zweiten Leser");
        CHECK(expect(oldest, "event")["op"] == "create");
        expect_silence(newest);
    }
}

TEST_CASE("a reader who reconnects resumes exactly where it left off", "[server][websocket]") {
    tickerd_process server({.extra_args = {"--replay-window", "4"}});
    http_client api(server.url());
    REQUIRE(create_ticker(api, "resume").status == 201);
    post(api, "resume", "vorher");

    std::int64_t last_seq = 0;
    {
        ws_client ws(server.url());
        last_seq = subscribe(ws, "resume")["ticker"]["seq"].get<std::int64_t>();
        post(api, "resume", "live gesehen");
        last_seq = expect(ws, "event")["seq"].get<std::int64_t>();
        ws.close();
    }
    CHECK(last_seq == 2);
    const auto missed1 = post(api, "resume", "verpasst 1");
    const auto missed2 = post(api, "resume", "verpasst 2");

    ws_client ws(server.url());
    ws.send_text(json{
        {"type", "subscribe"}, {"ticker", "resume"}, {"order", "newest"}, {"resume_seq", last_seq}}
                     .dump());
    const auto resumed = expect(ws, "resumed");
    CHECK(resumed["seq"] == last_seq);
    const auto e3 = expect(ws, "event");
    CHECK(e3["seq"] == 3);
    CHECK(e3["entry"]["id"] == missed1);
    const auto e4 = expect(ws, "event");
    CHECK(e4["seq"] == 4);
    CHECK(e4["entry"]["id"] == missed2);
    expect_silence(ws);
    post(api, "resume", "wieder live");
    CHECK(expect(ws, "event")["seq"] == 5);

    SECTION("a resume older than the replay window gets a fresh snapshot") {
        for (int i = 0; i < 5; ++i) {
            post(api, "resume", "viel passiert");
        }
        ws_client late(server.url());
        late.send_text(json{{"type", "subscribe"}, {"ticker", "resume"}, {"resume_seq", 1}}.dump());
        const auto snap = expect(late, "snapshot");
        CHECK(snap["ticker"]["seq"] == 10);
        CHECK(snap["entries"].size() == 10);
    }
    SECTION("a resume from the current seq sends nothing but 'resumed'") {
        ws_client current(server.url());
        current.send_text(
            json{{"type", "subscribe"}, {"ticker", "resume"}, {"resume_seq", 5}}.dump());
        CHECK(expect(current, "resumed")["seq"] == 5);
        expect_silence(current);
    }
}

TEST_CASE("bad frames get errors or a close, and other readers never notice",
          "[server][websocket]") {
    tickerd_process server({.extra_args = {"--max-subscriptions", "2"}});
    http_client api(server.url());
    REQUIRE(create_ticker(api, "robust").status == 201);
    REQUIRE(create_ticker(api, "zwei").status == 201);
    REQUIRE(create_ticker(api, "drei").status == 201);

    ws_client bystander(server.url());
    subscribe(bystander, "robust");
    ws_client bad(server.url());
    subscribe(bad, "robust");

    for (const std::string& frame :
         {std::string("nicht json"), std::string("[1,2]"), std::string("{\"type\":\"tanz\"}"),
          std::string("{\"type\":\"subscribe\",\"ticker\":\"robust\",\"limit\":0}"),
          std::string("{\"type\":\"more\",\"ticker\":\"robust\",\"cursor\":\"kaputt\"}")}) {
        bad.send_text(frame);
        const auto error = expect(bad, "error");
        CHECK(error["code"] == "bad_request");
        CHECK_FALSE(error["message"].get<std::string>().empty());
    }
    bad.send_text(json{{"type", "subscribe"}, {"ticker", "gibt-es-nicht"}}.dump());
    CHECK(expect(bad, "error")["code"] == "not_found");
    bad.send_text(json{{"type", "unsubscribe"}, {"ticker", "zwei"}}.dump());
    CHECK(expect(bad, "error")["code"] == "not_subscribed");
    subscribe(bad, "zwei");
    bad.send_text(json{{"type", "subscribe"}, {"ticker", "drei"}}.dump());
    CHECK(expect(bad, "error")["code"] == "too_many_subscriptions");

    // The connection is still in service after all that.
    const auto id = post(api, "robust", "trotzdem zugestellt");
    CHECK(expect(bad, "event")["entry"]["id"] == id);
    CHECK(expect(bystander, "event")["entry"]["id"] == id);

    SECTION("a frame over the limit closes with 1009") {
        bad.send_text(std::string(9000, ' ')); // small enough to be sent whole before the close
        CHECK_THROWS(read_json(bad));
        REQUIRE(bad.closed().has_value());
        CHECK(bad.closed()->code == 1009);
    }
    SECTION("a binary frame closes with 1003") {
        bad.send_binary("\x01\x02");
        CHECK_THROWS(read_json(bad));
        REQUIRE(bad.closed().has_value());
        CHECK(bad.closed()->code == 1003);
    }
    const auto later = post(api, "robust", "der andere Leser merkt nichts");
    CHECK(expect(bystander, "event")["entry"]["id"] == later);
}

TEST_CASE("everything survives a restart, and seq goes on without a gap", "[server][store]") {
    liveticker::test::temp_dir dir;
    const auto db = dir / "restart.db";
    std::int64_t id = 0;
    unsigned short port = 0;
    {
        tickerd_process first({.db = db});
        port = first.port();
        http_client api(first.url());
        REQUIRE(create_ticker(api, "neustart").status == 201);
        auto headers = editor();
        headers.emplace_back("Idempotency-Key", "vor-dem-neustart");
        id = post(api, "neustart", "vor dem Neustart", headers);
        post(api, "neustart", "auch vor dem Neustart");
        CHECK(first.stop() == 0);
    }
    tickerd_process second({.db = db, .port = port});
    http_client api(second.url());
    const auto page = json::parse(api.request("GET", "/api/tickers/neustart/entries").body);
    REQUIRE(page["entries"].size() == 2);
    CHECK(page["entries"][1]["id"] == id);

    // The editor's retry after a restart still posts nothing twice.
    auto headers = editor();
    headers.emplace_back("Idempotency-Key", "vor-dem-neustart");
    CHECK(post(api, "neustart", "vor dem Neustart", headers) == id);

    ws_client ws(second.url());
    ws.send_text(json{{"type", "subscribe"}, {"ticker", "neustart"}, {"resume_seq", 1}}.dump());
    CHECK(expect(ws, "resumed")["seq"] == 1);
    CHECK(expect(ws, "event")["seq"] == 2);
    post(api, "neustart", "nach dem Neustart");
    CHECK(expect(ws, "event")["seq"] == 3);
}

TEST_CASE("stopping tickerd closes readers with 1001", "[server][websocket]") {
    tickerd_process server;
    http_client api(server.url());
    REQUIRE(create_ticker(api, "ende").status == 201);
    ws_client ws(server.url());
    subscribe(ws, "ende");
    CHECK(server.stop() == 0);
    CHECK_THROWS(read_json(ws));
    REQUIRE(ws.closed().has_value());
    INFO(ws.closed()->reason);
    CHECK(ws.closed()->code == 1001);
}

TEST_CASE("the reader's page arrives with the first entries, and the ticker has an Atom feed",
          "[server][pages]") {
    tickerd_process server;
    http_client api(server.url());
    REQUIRE(create_ticker(api, "seite", "Gipfel <live>").status == 201);
    const auto first = post(api, "seite", "Erste Meldung");
    const auto res = api.request("POST", "/api/tickers/seite/entries",
                                 json{{"body", "Zweite **Meldung**"},
                                      {"title", "</script><script>alert(1)</script>"},
                                      {"key", true}}
                                     .dump(),
                                 editor());
    REQUIRE(res.status == 201);
    const auto second = json::parse(res.body)["id"].get<std::int64_t>();

    const auto page = api.request("GET", "/t/seite");
    REQUIRE(page.status == 200);
    CHECK(page.header("Content-Type").starts_with("text/html"));
    const auto& html = page.body;
    CHECK(html.find("<title>Gipfel &lt;live&gt; – Liveticker</title>") != std::string::npos);
    const auto at_second = html.find("id=\"entry-" + std::to_string(second) + "\"");
    const auto at_first = html.find("id=\"entry-" + std::to_string(first) + "\"");
    REQUIRE(at_second != std::string::npos);
    REQUIRE(at_first != std::string::npos);
    CHECK(at_second < at_first); // newest first by default
    CHECK(html.find("<strong>Meldung</strong>") != std::string::npos);
    CHECK(html.find("<script>alert(1)") == std::string::npos);
    CHECK(html.find("\"@type\":\"LiveBlogPosting\"") != std::string::npos);
    CHECK(html.find("id=\"lt-initial\"") != std::string::npos);
    CHECK(html.find("<!--lt:") == std::string::npos); // every marker was filled

    const auto oldest = api.request("GET", "/t/seite?order=oldest");
    CHECK(oldest.body.find("id=\"entry-" + std::to_string(first) + "\"") <
          oldest.body.find("id=\"entry-" + std::to_string(second) + "\""));

    // The page follows the ticker: an edit shows on the next load.
    REQUIRE(api.request("PATCH", "/api/tickers/seite/entries/" + std::to_string(first),
                        json{{"body", "Erste Meldung, korrigiert"}}.dump(), editor())
                .status == 200);
    CHECK(api.request("GET", "/t/seite").body.find("Erste Meldung, korrigiert") !=
          std::string::npos);

    const auto feed = api.request("GET", "/t/seite/feed.atom");
    REQUIRE(feed.status == 200);
    CHECK(feed.header("Content-Type").starts_with("application/atom+xml"));
    CHECK(feed.body.starts_with("<?xml version=\"1.0\" encoding=\"utf-8\"?>"));
    CHECK(feed.body.find("<feed xmlns=\"http://www.w3.org/2005/Atom\">") != std::string::npos);
    CHECK(feed.body.find("<id>urn:liveticker:entry:" + std::to_string(second) + "</id>") !=
          std::string::npos);
    CHECK(feed.body.find("&lt;/script&gt;") != std::string::npos);

    CHECK(api.request("GET", "/t/gibt-es-nicht").status == 404);
    CHECK(api.request("GET", "/t/gibt-es-nicht/feed.atom").status == 404);
}

TEST_CASE("an acknowledged post survives a crash, and retries post nothing twice",
          "[server][store][durability]") {
    liveticker::test::temp_dir dir;
    const auto db = dir / "crash.db";
    auto server = std::make_unique<tickerd_process>(tickerd_options{.db = db});
    const auto url = server->url();
    {
        http_client api(url);
        REQUIRE(create_ticker(api, "absturz").status == 201);
    }

    // Four editors post as fast as they can while tickerd is killed under them.
    constexpr int writers = 4;
    struct attempt {
        std::string key;
        std::string body;
        std::optional<std::int64_t> acknowledged_id;
    };
    std::vector<std::vector<attempt>> attempts(writers);
    std::atomic<bool> killed{false};
    std::vector<std::thread> threads;
    for (int w = 0; w < writers; ++w) {
        threads.emplace_back([&, w] {
            http_client api(url, 2s);
            for (int i = 0; i < 500 && !killed.load(); ++i) {
                attempt a{"crash-" + std::to_string(w) + "-" + std::to_string(i),
                          "Meldung " + std::to_string(w) + "/" + std::to_string(i), std::nullopt};
                auto headers = editor();
                headers.emplace_back("Idempotency-Key", a.key);
                try {
                    const auto res = api.request("POST", "/api/tickers/absturz/entries",
                                                 json{{"body", a.body}}.dump(), headers);
                    if (res.status == 201) {
                        a.acknowledged_id = json::parse(res.body)["id"].get<std::int64_t>();
                    }
                } catch (const liveticker::client::client_error&) {
                    // the crash: this post may or may not have been committed
                }
                attempts[static_cast<std::size_t>(w)].push_back(std::move(a));
            }
        });
    }
    std::this_thread::sleep_for(400ms);
    server->kill();
    killed = true;
    for (auto& t : threads) {
        t.join();
    }

    tickerd_process restarted({.db = db});
    http_client api(restarted.url());
    std::size_t acknowledged = 0;
    std::size_t total = 0;
    for (const auto& list : attempts) {
        for (const auto& a : list) {
            ++total;
            if (a.acknowledged_id) {
                ++acknowledged;
                const auto got = api.request("GET", "/api/tickers/absturz/entries/" +
                                                        std::to_string(*a.acknowledged_id));
                REQUIRE(got.status == 200);
                CHECK(json::parse(got.body)["body"] == a.body);
            }
            // The editor's retry: an acknowledged or committed post comes back as it was.
            auto headers = editor();
            headers.emplace_back("Idempotency-Key", a.key);
            const auto id = post(api, "absturz", a.body, headers);
            if (a.acknowledged_id) {
                CHECK(id == *a.acknowledged_id);
            }
        }
    }
    INFO("acknowledged " << acknowledged << " of " << total);
    CHECK(acknowledged > 0);
    // Every attempted post is there exactly once, and every change has its seq.
    const auto t = fetch_ticker(api, "absturz");
    CHECK(t["entry_count"] == total);
    CHECK(t["seq"] == total);
}

TEST_CASE("readers that flood, come from elsewhere or too often are held to the limits",
          "[server][limits]") {
    tickerd_process server({.extra_args = {"--messages-per-second", "2", "--max-connections-per-ip",
                                           "5", "--allowed-origins", "https://zeitung.example"}});
    http_client api(server.url());
    REQUIRE(create_ticker(api, "grenzen").status == 201);

    SECTION("a flood of messages is refused, then closed with 1008") {
        ws_client ws(server.url());
        bool rate_limited = false;
        for (int i = 0; i < 30 && !ws.closed(); ++i) {
            try {
                ws.send_text(json{{"type", "unsubscribe"}, {"ticker", "grenzen"}}.dump());
                while (const auto text = ws.read(50ms)) {
                    rate_limited = rate_limited || json::parse(*text)["code"] == "rate_limited";
                }
            } catch (const liveticker::client::client_error&) {
                break;
            }
        }
        CHECK(rate_limited);
        REQUIRE(ws.closed().has_value());
        CHECK(ws.closed()->code == 1008);
    }
    SECTION("pages of other sites may not open a WebSocket") {
        CHECK_THROWS_AS(ws_client(server.url(), "/ws", 5s, {{"Origin", "https://fremd.example"}}),
                        liveticker::client::client_error);
        ws_client allowed(server.url(), "/ws", 5s, {{"Origin", "https://zeitung.example"}});
        subscribe(allowed, "grenzen");
    }
    SECTION("one address holds only so many connections") { // 5: the editor's and 4 readers
        std::vector<std::unique_ptr<ws_client>> readers;
        for (int i = 0; i < 4; ++i) {
            readers.push_back(std::make_unique<ws_client>(server.url()));
            subscribe(*readers.back(), "grenzen");
        }
        CHECK_THROWS_AS(ws_client(server.url()), liveticker::client::client_error);
        readers.pop_back(); // a place frees up when a reader leaves
        std::unique_ptr<ws_client> again;
        for (int attempt = 0; attempt < 50 && !again; ++attempt) {
            try {
                again = std::make_unique<ws_client>(server.url());
            } catch (const liveticker::client::client_error&) {
                std::this_thread::sleep_for(20ms); // the server notices the close a moment later
            }
        }
        REQUIRE(again);
        subscribe(*again, "grenzen");
    }
}

TEST_CASE("editors' tokens never reach tickerd's log, even at trace level", "[server][limits]") {
    tickerd_process server({.extra_args = {"--log-level", "trace"}});
    http_client api(server.url());
    const std::string guessed = "guessed-token-4711-4711";
    REQUIRE(create_ticker(api, "geheim").status == 201);
    post(api, "geheim", "von Bob", editor(liveticker::test::bob_token));
    CHECK(api.request("POST", "/api/tickers/geheim/entries", json{{"body", "x"}}.dump(),
                      {{"Authorization", "Bearer " + guessed}})
              .status == 401);
    CHECK(api.request("PATCH", "/api/tickers/geheim", json{{"title", "x"}}.dump(),
                      {{"Authorization", guessed}}) // no "Bearer": malformed
              .status == 401);
    CHECK_THROWS_AS(
        ws_client(server.url(), "/ws", 5s,
                  {{"Origin", "https://fremd.example"}, {"Authorization", "Bearer " + guessed}}),
        liveticker::client::client_error);
    REQUIRE(server.stop() == 0);

    const auto log = server.output();
    INFO(log);
    // The requests were logged (so the log was there to leak into), their tokens were not.
    CHECK(log.find("http POST /api/tickers/geheim/entries") != std::string::npos);
    CHECK(log.find(liveticker::test::alice_token) == std::string::npos);
    CHECK(log.find(liveticker::test::bob_token) == std::string::npos);
    CHECK(log.find(guessed) == std::string::npos);
}

namespace {

long rss_kib(pid_t pid) {
    std::ifstream status("/proc/" + std::to_string(pid) + "/status");
    std::string line;
    while (std::getline(status, line)) {
        if (line.starts_with("VmRSS:")) {
            return std::stol(line.substr(6));
        }
    }
    return 0;
}

} // namespace

TEST_CASE("one stalled reader among 100 costs the others nothing", "[server][slow]") {
    // A queue of 1 MiB: a reader thread that the scheduler keeps off the CPU for a moment (the
    // machine is shared) must not pass for slow; the stalled one fills it within ~650 posts.
    tickerd_process server({.extra_args = {"--max-queue-kib", "1024"}});
    http_client api(server.url());
    REQUIRE(create_ticker(api, "stau").status == 201);

    ws_client stalled(server.url());
    stalled.set_receive_buffer(4096);
    subscribe(stalled, "stau");
    std::vector<std::unique_ptr<ws_client>> readers;
    for (int i = 0; i < 99; ++i) {
        readers.push_back(std::make_unique<ws_client>(server.url()));
        subscribe(*readers.back(), "stau");
    }

    // Until posting ends nobody knows how many events there will be.
    std::atomic<std::int64_t> last_seq{std::numeric_limits<std::int64_t>::max()};
    std::atomic<int> complete{0};
    std::vector<std::string> failures;
    std::mutex failures_mutex;
    std::vector<std::thread> threads; // one per reader: each reads as fast as a browser would
    for (auto& reader : readers) {
        threads.emplace_back([&complete, &last_seq, &reader, &failures, &failures_mutex] {
            std::string failure;
            try {
                auto last_frame_at = std::chrono::steady_clock::now();
                for (std::int64_t expected = 1; expected <= last_seq.load();) {
                    // Short reads, so that the end of posting (last_seq) is noticed.
                    const auto text = reader->read(200ms);
                    if (!text) {
                        if (std::chrono::steady_clock::now() - last_frame_at > 60s) {
                            failure = "nothing for 60 s while waiting for seq " +
                                      std::to_string(expected);
                            break;
                        }
                        continue;
                    }
                    last_frame_at = std::chrono::steady_clock::now();
                    const std::string needle = "\"seq\":" + std::to_string(expected) + ",";
                    if (text->find(needle) == std::string::npos) {
                        failure = "expected seq " + std::to_string(expected) + ", got " +
                                  text->substr(0, 80);
                        break;
                    }
                    ++expected;
                }
            } catch (const liveticker::client::client_error& e) {
                failure = e.what();
            }
            if (failure.empty()) {
                ++complete;
            } else {
                const std::lock_guard lock(failures_mutex);
                failures.push_back(failure);
            }
        });
    }

    // The stalled reader wakes up as soon as it has been dropped, to read why.
    std::atomic<bool> dropped{false};
    std::optional<liveticker::client::close_info> closed;
    std::thread waking([&] {
        http_client watcher(server.url());
        for (int i = 0; i < 3000 && !dropped; ++i) {
            dropped = metric_line(watcher, "liveticker_slow_readers_dropped_total") ==
                      "liveticker_slow_readers_dropped_total 1";
            std::this_thread::sleep_for(20ms);
        }
        // A 4 KiB window drains at the pace of delayed ACKs; open it wide to read quickly.
        stalled.set_receive_buffer(4 << 20);
        const auto give_up = std::chrono::steady_clock::now() + 60s;
        try {
            while (!stalled.closed() && std::chrono::steady_clock::now() < give_up) {
                stalled.read(1s);
            }
        } catch (const liveticker::client::client_error&) {
        }
        closed = stalled.closed();
    });

    // Post until the stalled reader's socket buffers and then its 1 MiB queue are full.
    const std::string body(2000, 'x');
    std::int64_t posted = 0;
    while (!dropped && posted < 5000) {
        post(api, "stau", body);
        ++posted;
    }
    waking.join();
    // No REQUIRE until the reader threads are joined: they must not outlive the test.
    CHECK(dropped);
    // It was told why: its close frame follows what was already on the way.
    CHECK(closed.has_value());
    if (closed) {
        INFO(closed->reason);
        CHECK(closed->code == 4008);
    }

    for (int i = 0; i < 10; ++i) {
        post(api, "stau", body);
        ++posted;
    }
    last_seq = posted;
    for (auto& t : threads) {
        t.join();
    }
    INFO("posted " << posted << " entries; "
                   << metric_line(api, "liveticker_slow_readers_dropped_total"));
    INFO((failures.empty() ? std::string() : failures.front()));
    CHECK(complete == 99); // every other reader got every event, in order
    const auto rss = rss_kib(server.pid());
    INFO("tickerd RSS " << rss << " KiB");
    CHECK(rss < 256 * 1024); // the stalled reader's backlog was let go, not kept
}

namespace {

// One reader of the soak test: its connection (if any), the last seq it has, and its view of
// the ticker (entry id to revision), built from snapshots and events as the web client does.
struct soak_reader {
    std::unique_ptr<ws_client> ws;
    std::int64_t seq = 0;
    std::map<std::int64_t, std::int64_t> view;
    std::string failure;

    void apply(const json& frame) {
        const auto type = frame.at("type").get<std::string>();
        if (type == "snapshot") {
            view.clear();
            for (const auto& e : frame.at("entries")) {
                view[e.at("id").get<std::int64_t>()] = e.at("revision").get<std::int64_t>();
            }
            seq = frame.at("ticker").at("seq").get<std::int64_t>();
        } else if (type == "event") {
            const auto ev_seq = frame.at("seq").get<std::int64_t>();
            if (ev_seq != seq + 1) {
                failure = "event " + std::to_string(ev_seq) + " after seq " + std::to_string(seq);
                return;
            }
            seq = ev_seq;
            const auto op = frame.at("op").get<std::string>();
            const auto& e = frame.at("entry");
            const auto id = e.at("id").get<std::int64_t>();
            if (op == "create") {
                view[id] = e.at("revision").get<std::int64_t>();
            } else if (op == "update") {
                // An edit of an entry older than those loaded is not shown until it is loaded.
                if (const auto it = view.find(id); it != view.end()) {
                    it->second = e.at("revision").get<std::int64_t>();
                }
            } else if (op == "delete") {
                view.erase(frame.at("entry").at("id").get<std::int64_t>());
            }
        } else if (type != "resumed") {
            failure = "unexpected frame " + frame.dump().substr(0, 120);
        }
    }
};

} // namespace

TEST_CASE("soak: 2,000 readers come, go and resume while the ticker changes, and end up seeing "
          "what the store holds",
          "[server][soak]") {
    tickerd_process server({.extra_args = {"--max-connections-per-ip", "5000"}});
    const auto url = server.url();
    http_client api(url);
    REQUIRE(create_ticker(api, "dauer").status == 201);
    std::vector<std::int64_t> live_ids;
    for (int i = 0; i < 30; ++i) {
        live_ids.push_back(post(api, "dauer", "Vorab " + std::to_string(i)));
    }

    constexpr int reader_count = 2000;
    constexpr int thread_count = 20;
    std::atomic<std::int64_t> final_seq{-1};
    std::atomic<int> comebacks{0}; // reconnections, resumed or fresh
    std::vector<soak_reader> readers(reader_count);
    std::vector<std::thread> threads;
    for (int t = 0; t < thread_count; ++t) {
        threads.emplace_back([&, t] {
            std::mt19937 random(static_cast<unsigned>(t));
            const auto deadline = std::chrono::steady_clock::now() + 150s;
            for (bool done = false; !done && std::chrono::steady_clock::now() < deadline;) {
                done = final_seq.load() >= 0;
                for (int i = t; i < reader_count; i += thread_count) {
                    auto& r = readers[static_cast<std::size_t>(i)];
                    if (!r.failure.empty()) {
                        continue;
                    }
                    try {
                        if (!r.ws) {
                            r.ws = std::make_unique<ws_client>(url);
                            if (r.seq > 0) {
                                ++comebacks;
                            }
                            json subscribe = {
                                {"type", "subscribe"}, {"ticker", "dauer"}, {"limit", 100}};
                            if (r.seq > 0 && random() % 4 != 0) { // now and then a fresh start
                                subscribe["resume_seq"] = r.seq;
                            }
                            r.ws->send_text(subscribe.dump());
                        }
                        while (const auto text = r.ws->read(1ms)) {
                            r.apply(json::parse(*text));
                        }
                        if (final_seq.load() < 0 && random() % 400 == 0) {
                            r.ws.reset(); // the reader goes away; it comes back next round
                        }
                    } catch (const std::exception& e) {
                        r.ws.reset(); // a dropped connection: come back and resume
                    }
                    done = done && r.ws && r.seq == final_seq.load();
                }
            }
        });
    }

    // The newsroom at work for a minute: posts, edits and deletes.
    std::mt19937 random(42);
    const auto editing_until = std::chrono::steady_clock::now() + 60s;
    int changes = 0;
    while (std::chrono::steady_clock::now() < editing_until) {
        const auto pick = random() % 100;
        if (pick < 60 || live_ids.size() < 5) {
            live_ids.push_back(post(api, "dauer", "Meldung " + std::to_string(changes)));
        } else {
            const auto at = random() % live_ids.size();
            const auto target = "/api/tickers/dauer/entries/" + std::to_string(live_ids[at]);
            if (pick < 85) {
                CHECK(api.request("PATCH", target,
                                  json{{"body", "Korrektur " + std::to_string(changes)}}.dump(),
                                  editor())
                          .status == 200);
            } else {
                CHECK(api.request("DELETE", target, {}, editor()).status == 204);
                live_ids.erase(live_ids.begin() + static_cast<std::ptrdiff_t>(at));
            }
        }
        ++changes;
        std::this_thread::sleep_for(40ms);
    }
    final_seq = fetch_ticker(api, "dauer")["seq"].get<std::int64_t>();
    for (auto& t : threads) {
        t.join();
    }

    // What the store holds: every entry, by paging through all of them.
    std::map<std::int64_t, std::int64_t> store;
    for (std::string target = "/api/tickers/dauer/entries?limit=100";;) {
        const auto page = json::parse(api.request("GET", target).body);
        for (const auto& e : page["entries"]) {
            store[e["id"].get<std::int64_t>()] = e["revision"].get<std::int64_t>();
        }
        if (page["cursor"].is_null()) {
            break;
        }
        target = "/api/tickers/dauer/entries?limit=100&cursor=" + page["cursor"].get<std::string>();
    }
    INFO(changes << " changes, final seq " << final_seq.load() << ", " << store.size()
                 << " entries");

    int equal = 0;
    std::string first_difference;
    for (const auto& r : readers) {
        bool same = r.failure.empty() && r.seq == final_seq.load();
        for (const auto& [id, revision] : r.view) {
            const auto it = store.find(id);
            same = same && it != store.end() && it->second == revision;
        }
        // A reader holds the newest entries from its last snapshot on; entries older than that
        // it would load on demand. Within that range it must miss nothing.
        const auto oldest_held = r.view.empty() ? std::int64_t{0} : r.view.begin()->first;
        for (auto it = store.lower_bound(oldest_held); it != store.end(); ++it) {
            same = same && r.view.contains(it->first);
        }
        same = same && r.view.size() >= std::min<std::size_t>(store.size(), 20);
        if (same) {
            ++equal;
        } else if (first_difference.empty()) {
            first_difference = r.failure.empty() ? "seq " + std::to_string(r.seq) : r.failure;
        }
    }
    INFO(first_difference);
    CHECK(equal == reader_count);
    CHECK(comebacks > reader_count / 2); // the readers did come and go
}

TEST_CASE("pings keep a reader that reads past the idle timeout; a silent one is dropped",
          "[server][websocket][limits]") {
    tickerd_process server({.extra_args = {"--idle-timeout", "2"}});
    http_client api(server.url());
    REQUIRE(create_ticker(api, "ruhe").status == 201);
    ws_client reading(server.url());
    subscribe(reading, "ruhe");
    ws_client silent(server.url());
    subscribe(silent, "ruhe");

    // Three idle timeouts without a post. The reading reader answers tickerd's pings (at half
    // the timeout) as it reads, as a browser does; the silent one reads nothing, so it answers
    // nothing, and tickerd drops it after the timeout.
    const auto until = std::chrono::steady_clock::now() + 6s;
    while (std::chrono::steady_clock::now() < until) {
        CHECK_FALSE(reading.read(200ms).has_value());
    }
    CHECK(metric_line(api, "liveticker_websockets") == "liveticker_websockets 1");

    const auto id = post(api, "ruhe", "Nach der Pause");
    const auto ev = read_json(reading);
    CHECK(ev["type"] == "event");
    CHECK(ev["entry"]["id"] == id);
    CHECK_THROWS_AS(silent.read(2s), liveticker::client::client_error);
}
