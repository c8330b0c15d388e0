// Wire format tests: exact encodings (key order, compactness), round trips through the
// decoders, and every way each decoder refuses input, checked by the field it names.
#include "liveticker/protocol/cursor.hpp"
#include "liveticker/protocol/json.hpp"
#include "liveticker/protocol/limits.hpp"
#include "liveticker/protocol/time.hpp"

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include <optional>
#include <string>
#include <vector>

using namespace liveticker::protocol;

namespace {

std::string repeat(std::string_view s, std::size_t n) {
    std::string out;
    for (std::size_t i = 0; i < n; ++i)
        out += s;
    return out;
}

// The decode_error thrown by `f`, or nullopt when it accepted the input.
template <typename F>
std::optional<decode_error> error_of(F&& f) {
    try {
        f();
    } catch (const decode_error& e) {
        return e;
    }
    return std::nullopt;
}

struct bad_input {
    std::string json;
    std::string field;
    std::string message; // exact decode_error::what()
};

template <typename Decoder>
void check_rejected(Decoder decode, const bad_input& c) {
    CAPTURE(c.json);
    const auto err = error_of([&] { decode(c.json); });
    REQUIRE(err);
    CHECK(err->field() == c.field);
    CHECK(std::string{err->what()} == c.message);
}

// Failures every decoder shares: they concern the document, not a field.
std::vector<bad_input> document_failures() {
    return {
        {"", "", ""}, // message checked by prefix below
        {"{", "", ""},
        {R"({"a":1,})", "", ""},
        {R"({"a":1} trailing)", "", ""},
        {R"({'a':1})", "", ""},
        {"[]", "", "expected a JSON object"},
        {"null", "", "expected a JSON object"},
        {"42", "", "expected a JSON object"},
        {R"("text")", "", "expected a JSON object"},
    };
}

template <typename Decoder>
void check_document_failures(Decoder decode) {
    for (const auto& c : document_failures()) {
        CAPTURE(c.json);
        const auto err = error_of([&] { decode(c.json); });
        REQUIRE(err);
        CHECK(err->field().empty());
        if (c.message.empty())
            CHECK_THAT(err->what(), Catch::StartsWith("malformed JSON: "));
        else
            CHECK(std::string{err->what()} == c.message);
    }
}

entry sample_entry() {
    entry e;
    e.id = 42;
    e.ticker = "ukraine";
    e.created_at_ms = 1'640'896'200'000; // 2021-12-30T20:30:00.000Z
    e.updated_at_ms = 1'640'896'260'123;
    e.author = "Jana Müller";
    e.title = "Waffenruhe „gebrochen“";
    e.body = "Erste **Meldung**\n";
    e.html = "<p>Erste <strong>Meldung</strong></p>\n";
    e.image = image{"https://example.org/a.jpg", "Kiew", "dpa", "Ein Platz"};
    e.pinned = true;
    e.key = false;
    e.revision = 3;
    return e;
}

ticker sample_ticker() {
    ticker t;
    t.id = "ukraine";
    t.title = "Krieg in der Ukraine";
    t.description = "Alle Entwicklungen";
    t.status = ticker_status::live;
    t.created_at_ms = 1'640'896'200'000;
    t.entry_count = 7;
    t.seq = 12;
    return t;
}

const std::string sample_entry_json =
    R"({"id":42,"ticker":"ukraine","created_at":"2021-12-30T20:30:00.000Z",)"
    R"("updated_at":"2021-12-30T20:31:00.123Z","author":"Jana Müller",)"
    R"("title":"Waffenruhe „gebrochen“","body":"Erste **Meldung**\n",)"
    R"("html":"<p>Erste <strong>Meldung</strong></p>\n",)"
    R"("image":{"url":"https://example.org/a.jpg","caption":"Kiew","credit":"dpa",)"
    R"("alt":"Ein Platz"},"pinned":true,"key":false,"revision":3})";

const std::string sample_ticker_json =
    R"({"id":"ukraine","title":"Krieg in der Ukraine","description":"Alle Entwicklungen",)"
    R"("status":"live","created_at":"2021-12-30T20:30:00.000Z","entry_count":7,"seq":12})";

} // namespace

// =============================================================================================
// Values

TEST_CASE("entries encode with every key, in order, compactly", "[json][entry]") {
    CHECK(encode_entry(sample_entry()) == sample_entry_json);

    entry bare = sample_entry();
    bare.title.reset();
    bare.image.reset();
    const std::string text = encode_entry(bare);
    CHECK_THAT(text, Catch::Contains(R"("title":null)"));
    CHECK_THAT(text, Catch::Contains(R"("image":null)"));
}

TEST_CASE("entries round-trip through decode_entry", "[json][entry]") {
    entry e = sample_entry();
    SECTION("with title and image") {}
    SECTION("without title and image") {
        e.title.reset();
        e.image.reset();
    }
    SECTION("empty image texts, epoch timestamps, large id") {
        e.image = image{"/media/x.png", "", "", ""};
        e.created_at_ms = 0;
        e.updated_at_ms = 0;
        e.id = 9'007'199'254'740'993; // beyond a double's exact integers
    }
    CHECK(decode_entry(encode_entry(e)) == e);
}

TEST_CASE("encoders replace invalid UTF-8 instead of throwing", "[json][entry]") {
    entry e = sample_entry();
    e.body = "kaputt \xff"
             "ende";
    std::string text;
    REQUIRE_NOTHROW(text = encode_entry(e));
    CHECK_THAT(text, Catch::Contains("kaputt \xEF\xBF\xBD"
                                     "ende"));
    CHECK(decode_entry(text).body == "kaputt \xEF\xBF\xBD"
                                     "ende");
}

TEST_CASE("tickers encode in order and round-trip", "[json][ticker]") {
    CHECK(encode_ticker(sample_ticker()) == sample_ticker_json);
    ticker t = sample_ticker();
    const auto status = GENERATE(ticker_status::live, ticker_status::ended);
    t.status = status;
    CHECK(decode_ticker(encode_ticker(t)) == t);
}

TEST_CASE("ticker lists and HTTP pages", "[json]") {
    const std::vector<ticker> none;
    CHECK(encode_ticker_list(none) == R"({"tickers":[]})");
    const std::vector<ticker> one{sample_ticker()};
    CHECK(encode_ticker_list(one) == R"({"tickers":[)" + sample_ticker_json + "]}");

    const std::vector<entry> entries{sample_entry()};
    CHECK(encode_entry_page(entries, std::nullopt) ==
          R"({"entries":[)" + sample_entry_json + R"(],"cursor":null})");
    const cursor next{order::oldest, 42};
    CHECK(encode_entry_page({}, next) ==
          R"({"entries":[],"cursor":")" + encode_cursor(next) + R"("})");
}

TEST_CASE("HTTP API errors", "[json]") {
    CHECK(encode_api_error("not_found", "no such ticker") ==
          R"({"error":{"code":"not_found","message":"no such ticker"}})");
    CHECK(encode_api_error("bad_request", "must not be empty", "body") ==
          R"({"error":{"code":"bad_request","message":"must not be empty","field":"body"}})");
    CHECK(encode_api_error("bad_request", "say \"hi\"", "image.url") ==
          R"({"error":{"code":"bad_request","message":"say \"hi\"","field":"image.url"}})");
}

TEST_CASE("decode_entry refuses anything but a complete stored entry", "[json][entry]") {
    const nlohmann::json good = nlohmann::json::parse(sample_entry_json);
    const auto without = [&](const std::string& key) {
        nlohmann::json j = good;
        j.erase(key);
        return j.dump();
    };
    const auto with = [&](const std::string& key, const nlohmann::json& v) {
        nlohmann::json j = good;
        j[key] = v;
        return j.dump();
    };
    nlohmann::json image_without_alt = good["image"];
    image_without_alt.erase("alt");

    const auto c = GENERATE_REF(values<bad_input>({
        {without("id"), "id", "required"},
        {without("revision"), "revision", "required"},
        {without("title"), "title", "required"},
        {without("image"), "image", "required"},
        {with("id", "42"), "id", "must be an integer"},
        {with("id", 4.5), "id", "must be an integer"},
        {with("id", 18'446'744'073'709'551'615ULL), "id", "is out of range"},
        {with("ticker", 1), "ticker", "must be a string"},
        {with("created_at", "2021-12-30 20:30:00"), "created_at",
         "must be an RFC 3339 UTC timestamp"},
        {with("updated_at", 1640896200000), "updated_at", "must be a string"},
        {with("author", nullptr), "author", "must be a string"},
        {with("title", 5), "title", "must be a string or null"},
        {with("html", false), "html", "must be a string"},
        {with("image", "https://example.org/a.jpg"), "image", "must be an object or null"},
        {with("image", image_without_alt), "image.alt", "required"},
        {with("pinned", "true"), "pinned", "must be a boolean"},
        {with("key", 0), "key", "must be a boolean"},
        {with("extra", 1), "extra", "unknown field"},
    }));
    check_rejected(decode_entry, c);
    check_document_failures(decode_entry);
}

TEST_CASE("decode_ticker refuses anything but a complete stored ticker", "[json][ticker]") {
    const nlohmann::json good = nlohmann::json::parse(sample_ticker_json);
    const auto with = [&](const std::string& key, const nlohmann::json& v) {
        nlohmann::json j = good;
        j[key] = v;
        return j.dump();
    };
    nlohmann::json no_seq = good;
    no_seq.erase("seq");

    const auto c = GENERATE_REF(values<bad_input>({
        {no_seq.dump(), "seq", "required"},
        {with("status", "paused"), "status", R"(must be "live" or "ended")"},
        {with("status", 1), "status", "must be a string"},
        {with("created_at", "yesterday"), "created_at", "must be an RFC 3339 UTC timestamp"},
        {with("entry_count", "7"), "entry_count", "must be an integer"},
        {with("description", nullptr), "description", "must be a string"},
        {with("owner", "x"), "owner", "unknown field"},
    }));
    check_rejected(decode_ticker, c);
    check_document_failures(decode_ticker);
}

// =============================================================================================
// Editors' requests

TEST_CASE("new ticker: accepted forms", "[json][editor]") {
    SECTION("all fields; title trimmed, description as given") {
        const new_ticker t =
            decode_new_ticker(R"({"id":"ukraine-2022","title":"  Krieg \n","description":" d "})");
        CHECK(t.id == "ukraine-2022");
        CHECK(t.title == "Krieg");
        CHECK(t.description == " d ");
    }
    SECTION("description defaults to empty") {
        const new_ticker t = decode_new_ticker(R"({"id":"0","title":"T"})");
        CHECK(t.id == "0");
        CHECK(t.description.empty());
    }
    SECTION("limits are inclusive and count characters, not bytes") {
        const std::string id = repeat("a", limits::ticker_id_max);
        const std::string title = repeat("ä", limits::ticker_title_max); // 2 bytes each
        const std::string desc = repeat("€", limits::ticker_description_max);
        const new_ticker t = decode_new_ticker(R"({"id":")" + id + R"(","title":")" + title +
                                               R"(","description":")" + desc + R"("})");
        CHECK(t.id == id);
        CHECK(t.title == title);
        CHECK(t.description == desc);
    }
}

TEST_CASE("new ticker: rejections name the field", "[json][editor]") {
    const std::string bad_id = "must be a valid ticker id ([a-z0-9][a-z0-9-]{0,63})";
    const auto c = GENERATE_REF(values<bad_input>({
        {R"({"title":"T"})", "id", "required"},
        {R"({"id":5,"title":"T"})", "id", "must be a string"},
        {R"({"id":null,"title":"T"})", "id", "must be a string"},
        {R"({"id":"","title":"T"})", "id", bad_id},
        {R"({"id":"Ukraine","title":"T"})", "id", bad_id},
        {R"({"id":"-ukraine","title":"T"})", "id", bad_id},
        {R"({"id":"ukr aine","title":"T"})", "id", bad_id},
        {R"({"id":"ukr_aine","title":"T"})", "id", bad_id},
        {R"({"id":"ü","title":"T"})", "id", bad_id},
        {R"({"id":")" + repeat("a", limits::ticker_id_max + 1) + R"(","title":"T"})", "id", bad_id},
        {R"({"id":"a"})", "title", "required"},
        {R"({"id":"a","title":7})", "title", "must be a string"},
        {R"({"id":"a","title":" \t\n"})", "title", "must not be empty"},
        {R"({"id":"a","title":")" + repeat("ä", limits::ticker_title_max + 1) + R"("})", "title",
         "must be at most 200 characters"},
        {R"({"id":"a","title":"T","description":null})", "description", "must be a string"},
        {R"({"id":"a","title":"T","description":")" +
             repeat("x", limits::ticker_description_max + 1) + R"("})",
         "description", "must be at most 2000 characters"},
        {R"({"id":"a","title":"T","status":"live"})", "status", "unknown field"},
        {R"({"id":"a","id":"b","title":"T"})", "id", "duplicate field"},
        {"{\"id\":\"a\",\"title\":\"\xff\"}", "title", "must be valid UTF-8"},
        {"{\"id\":\"a\",\"title\":\"ok\",\"description\":\"caf\xc3\"}", "description",
         "must be valid UTF-8"},
        {"{\"id\":\"a\",\"title\":\"\xc0\xaf\"}", "title", "must be valid UTF-8"},     // overlong
        {"{\"id\":\"a\",\"title\":\"\xed\xa0\x80\"}", "title", "must be valid UTF-8"}, // surrogate
        {R"({"id":"a","title":"\ud800"})", "title", "must be valid UTF-8"}, // escaped surrogate
        {"{\"id\":\"a\",\"ti\xfftle\":\"T\"}", "", "must be valid UTF-8"},  // in a key
        {R"({"id":"a","title":"T","x":)" + repeat("[", 20) + repeat("]", 20) + "}", "x",
         "nested too deeply"},
    }));
    check_rejected(decode_new_ticker, c);
    check_document_failures(decode_new_ticker);
}

TEST_CASE("ticker patch", "[json][editor]") {
    SECTION("each field alone") {
        const ticker_patch a = decode_ticker_patch(R"({"title":" Neu "})");
        CHECK(a.title == "Neu");
        CHECK_FALSE(a.description);
        CHECK_FALSE(a.status);
        CHECK(decode_ticker_patch(R"({"description":""})").description == "");
        CHECK(decode_ticker_patch(R"({"status":"ended"})").status == ticker_status::ended);
        CHECK(decode_ticker_patch(R"({"status":"live"})").status == ticker_status::live);
    }
    SECTION("rejections") {
        const auto c = GENERATE_REF(values<bad_input>({
            {"{}", "", "nothing to change"},
            {R"({"title":""})", "title", "must not be empty"},
            {R"({"title":null})", "title", "must be a string"},
            {R"({"title":")" + repeat("x", limits::ticker_title_max + 1) + R"("})", "title",
             "must be at most 200 characters"},
            {R"({"description":[]})", "description", "must be a string"},
            {R"({"status":"paused"})", "status", R"(must be "live" or "ended")"},
            {R"({"status":true})", "status", "must be a string"},
            {R"({"id":"other"})", "id", "unknown field"},
            {"{\"description\":\"\xfe\"}", "description", "must be valid UTF-8"},
        }));
        check_rejected(decode_ticker_patch, c);
        check_document_failures(decode_ticker_patch);
    }
}

TEST_CASE("entry draft: accepted forms", "[json][editor]") {
    SECTION("everything given") {
        const entry_draft d = decode_entry_draft(
            R"({"title":" Eilmeldung ","body":"    code\n","image":{"url":"https://example.org/a.jpg",)"
            R"("caption":"C","credit":"R","alt":"A"},"pinned":true,"key":true})");
        CHECK(d.title == "Eilmeldung");
        CHECK(d.body == "    code\n"); // Markdown source kept exactly
        REQUIRE(d.image);
        CHECK(*d.image == image{"https://example.org/a.jpg", "C", "R", "A"});
        CHECK(d.pinned);
        CHECK(d.key);
    }
    SECTION("only the body; defaults for the rest") {
        const entry_draft d = decode_entry_draft(R"({"body":"x"})");
        CHECK(d.body == "x");
        CHECK_FALSE(d.title);
        CHECK_FALSE(d.image);
        CHECK_FALSE(d.pinned);
        CHECK_FALSE(d.key);
    }
    SECTION("null or blank title and null image mean none") {
        const auto text =
            GENERATE(as<std::string>{}, R"({"body":"x","title":null,"image":null})",
                     R"({"body":"x","title":"","image":null})", R"({"body":"x","title":"  "})");
        CAPTURE(text);
        const entry_draft d = decode_entry_draft(text);
        CHECK_FALSE(d.title);
        CHECK_FALSE(d.image);
    }
    SECTION("image texts default to empty") {
        const entry_draft d = decode_entry_draft(R"({"body":"x","image":{"url":"/m/a.jpg"}})");
        REQUIRE(d.image);
        CHECK(*d.image == image{"/m/a.jpg", "", "", ""});
    }
    SECTION("acceptable image URLs") {
        const auto url =
            GENERATE(as<std::string>{}, "https://example.org/a.jpg",
                     "http://example.org:8080/a.jpg?w=100#x", "HTTPS://EXAMPLE.ORG/A.JPG",
                     "/media/a.jpg", "/", "https://example.org/bilder/grüße.jpg");
        CAPTURE(url);
        const entry_draft d =
            decode_entry_draft(R"({"body":"x","image":{"url":")" + url + R"("}})");
        CHECK(d.image->url == url);
    }
    SECTION("limits are inclusive") {
        const std::string url = "https://example.org/" + repeat("a", limits::image_url_max - 20);
        const std::string body = repeat("ö", limits::entry_body_max);
        const entry_draft d =
            decode_entry_draft(R"({"body":")" + body + R"(","title":")" +
                               repeat("ß", limits::entry_title_max) + R"(","image":{"url":")" +
                               url + R"(","caption":")" + repeat("c", limits::image_caption_max) +
                               R"(","credit":")" + repeat("c", limits::image_credit_max) +
                               R"(","alt":")" + repeat("c", limits::image_alt_max) + R"("}})");
        CHECK(d.body == body);
        CHECK(d.image->url == url);
    }
}

namespace {

// Rejections that drafts and patches share (patches do not require a body).
std::vector<bad_input> entry_field_failures(const std::string& body) {
    const std::string bad_url = "must be an http(s) URL or a path starting with /";
    const auto with_image = [&](const std::string& image_json) {
        return R"({)" + body + R"("image":)" + image_json + "}";
    };
    const auto with_url = [&](const std::string& url) {
        return with_image(R"({"url":")" + url + R"("})");
    };
    return {
        {R"({)" + body + R"("title":5})", "title", "must be a string or null"},
        {R"({)" + body + R"("title":")" + repeat("x", limits::entry_title_max + 1) + R"("})",
         "title", "must be at most 300 characters"},
        {R"({"body":"  \n\t"})", "body", "must not be empty"},
        {R"({"body":42})", "body", "must be a string"},
        {R"({"body":null})", "body", "must be a string"},
        {R"({"body":")" + repeat("x", limits::entry_body_max + 1) + R"("})", "body",
         "must be at most 20000 characters"},
        {"{\"body\":\"ok \xff\"}", "body", "must be valid UTF-8"},
        {R"({)" + body + R"("pinned":"yes"})", "pinned", "must be a boolean"},
        {R"({)" + body + R"("key":1})", "key", "must be a boolean"},
        {R"({)" + body + R"("key":null})", "key", "must be a boolean"},
        {R"({)" + body + R"("author":"me"})", "author", "unknown field"},
        {with_image(R"("https://example.org/a.jpg")"), "image", "must be an object or null"},
        {with_image("[]"), "image", "must be an object or null"},
        {with_image("{}"), "image.url", "required"},
        {with_image(R"({"url":5})"), "image.url", "must be a string"},
        {with_image(R"({"url":"/a.jpg","width":100})"), "image.width", "unknown field"},
        {with_image(R"({"url":"/a.jpg","caption":1})"), "image.caption", "must be a string"},
        {with_image(R"({"url":"/a.jpg","caption":")" + repeat("x", limits::image_caption_max + 1) +
                    R"("})"),
         "image.caption", "must be at most 500 characters"},
        {with_image(R"({"url":"/a.jpg","credit":")" + repeat("x", limits::image_credit_max + 1) +
                    R"("})"),
         "image.credit", "must be at most 200 characters"},
        {with_image(R"({"url":"/a.jpg","alt":")" + repeat("x", limits::image_alt_max + 1) +
                    R"("})"),
         "image.alt", "must be at most 500 characters"},
        {with_image("{\"url\":\"/a\xff.jpg\"}"), "image.url", "must be valid UTF-8"},
        {with_image("{\"url\":\"/a.jpg\",\"alt\":\"\xc3(\"}"), "image.alt", "must be valid UTF-8"},
        {with_url("https://example.org/" + repeat("a", limits::image_url_max - 19)), "image.url",
         "must be at most 2048 bytes"},
        {with_url(""), "image.url", bad_url},
        {with_url("javascript:alert(1)"), "image.url", bad_url},
        {with_url("data:image/png;base64,iVBORw0KGgo="), "image.url", bad_url},
        {with_url("ftp://example.org/a.jpg"), "image.url", bad_url},
        {with_url("//evil.example/a.jpg"), "image.url", bad_url},
        {with_url(R"(/\\evil.example/a.jpg)"), "image.url", bad_url},
        {with_url("a.jpg"), "image.url", bad_url},
        {with_url("https://"), "image.url", bad_url},
        {with_url("https:///a.jpg"), "image.url", bad_url},
        {with_url("https://example.org/a b.jpg"), "image.url", bad_url},
        {with_url(" https://example.org/a.jpg"), "image.url", bad_url},
        {with_url(R"(/a\tb.jpg)"), "image.url", bad_url},
        {with_url(R"(/a\u0000.jpg)"), "image.url", bad_url},
        {with_url("/a\xc2\xa0.jpg"), "image.url", bad_url}, // no-break space
        {with_url(R"(/a\".jpg)"), "image.url", bad_url},
        {with_url("/a<b>.jpg"), "image.url", bad_url},
    };
}

} // namespace

TEST_CASE("entry draft: rejections name the field", "[json][editor]") {
    for (const auto& c : entry_field_failures(R"("body":"x",)"))
        check_rejected(decode_entry_draft, c);
    check_rejected(decode_entry_draft, {R"({"title":"T"})", "body", "required"});
    check_rejected(decode_entry_draft, {"{}", "body", "required"});
    check_document_failures(decode_entry_draft);
}

TEST_CASE("entry patch", "[json][editor]") {
    SECTION("absent fields stay, null clears") {
        const entry_patch p = decode_entry_patch(R"({"title":null,"image":null})");
        REQUIRE(p.title);
        CHECK_FALSE(*p.title);
        REQUIRE(p.image);
        CHECK_FALSE(*p.image);
        CHECK_FALSE(p.body);
        CHECK_FALSE(p.pinned);
        CHECK_FALSE(p.key);
        CHECK_FALSE(p.empty());
    }
    SECTION("blank title clears too") {
        const entry_patch p = decode_entry_patch(R"({"title":" "})");
        REQUIRE(p.title);
        CHECK_FALSE(*p.title);
    }
    SECTION("values set") {
        const entry_patch p = decode_entry_patch(
            R"({"title":" Neu ","body":"b","image":{"url":"/x.png","alt":"A"},"pinned":false,"key":true})");
        CHECK(p.title == std::optional<std::string>{"Neu"});
        CHECK(p.body == "b");
        CHECK(p.image == std::optional<image>{image{"/x.png", "", "", "A"}});
        CHECK(p.pinned == false);
        CHECK(p.key == true);
    }
    SECTION("rejections") {
        for (const auto& c : entry_field_failures(""))
            check_rejected(decode_entry_patch, c);
        check_rejected(decode_entry_patch, {"{}", "", "nothing to change"});
        check_rejected(decode_entry_patch, {R"({"body":""})", "body", "must not be empty"});
        check_document_failures(decode_entry_patch);
    }
}

// =============================================================================================
// WebSocket, reader to server

TEST_CASE("subscribe", "[json][ws]") {
    SECTION("defaults") {
        const auto msg = decode_client_message(R"({"type":"subscribe","ticker":"ukraine"})");
        const auto* s = std::get_if<subscribe_request>(&msg);
        REQUIRE(s);
        CHECK(s->ticker == "ukraine");
        CHECK(s->ord == order::newest);
        CHECK(s->limit == limits::page_limit_default);
        CHECK_FALSE(s->resume_seq);
    }
    SECTION("everything given, at the edges of the limits") {
        const auto msg = decode_client_message(
            R"({"type":"subscribe","ticker":"a","order":"oldest","limit":100,"resume_seq":0})");
        const auto& s = std::get<subscribe_request>(msg);
        CHECK(s.ord == order::oldest);
        CHECK(s.limit == 100);
        CHECK(s.resume_seq == 0);
        CHECK(
            std::get<subscribe_request>(
                decode_client_message(
                    R"({"type":"subscribe","ticker":"a","limit":1,"resume_seq":9223372036854775807})"))
                .limit == 1);
    }
    SECTION("rejections") {
        const std::string range = "must be between 1 and 100";
        const auto c = GENERATE_REF(values<bad_input>({
            {R"({"ticker":"a"})", "type", "required"},
            {R"({"type":1,"ticker":"a"})", "type", "must be a string"},
            {R"({"type":"subscribes","ticker":"a"})", "type", "unknown message type"},
            {R"({"type":"subscribe"})", "ticker", "required"},
            {R"({"type":"subscribe","ticker":5})", "ticker", "must be a string"},
            {R"({"type":"subscribe","ticker":"../etc"})", "ticker",
             "must be a valid ticker id ([a-z0-9][a-z0-9-]{0,63})"},
            {R"({"type":"subscribe","ticker":"a","order":"sideways"})", "order",
             R"(must be "newest" or "oldest")"},
            {R"({"type":"subscribe","ticker":"a","order":null})", "order", "must be a string"},
            {R"({"type":"subscribe","ticker":"a","limit":0})", "limit", range},
            {R"({"type":"subscribe","ticker":"a","limit":101})", "limit", range},
            {R"({"type":"subscribe","ticker":"a","limit":-1})", "limit", range},
            {R"({"type":"subscribe","ticker":"a","limit":18446744073709551615})", "limit", range},
            {R"({"type":"subscribe","ticker":"a","limit":4294967316})", "limit", range},
            {R"({"type":"subscribe","ticker":"a","limit":20.0})", "limit", "must be an integer"},
            {R"({"type":"subscribe","ticker":"a","limit":1e1})", "limit", "must be an integer"},
            {R"({"type":"subscribe","ticker":"a","limit":"20"})", "limit", "must be an integer"},
            {R"({"type":"subscribe","ticker":"a","resume_seq":-1})", "resume_seq",
             "must not be negative"},
            {R"({"type":"subscribe","ticker":"a","resume_seq":9223372036854775808})", "resume_seq",
             "is out of range"},
            {R"({"type":"subscribe","ticker":"a","resume_seq":"3"})", "resume_seq",
             "must be an integer"},
            {R"({"type":"subscribe","ticker":"a","resume_seq":null})", "resume_seq",
             "must be an integer"},
            {R"({"type":"subscribe","ticker":"a","cursor":"n1"})", "cursor", "unknown field"},
            {"{\"type\":\"subscribe\",\"ticker\":\"a\xff\"}", "ticker", "must be valid UTF-8"},
        }));
        check_rejected(decode_client_message, c);
        check_document_failures(decode_client_message);
    }
}

TEST_CASE("more", "[json][ws]") {
    SECTION("accepted") {
        const cursor after{order::oldest, 1234};
        const auto msg = decode_client_message(R"({"type":"more","ticker":"a","cursor":")" +
                                               encode_cursor(after) + R"(","limit":50})");
        const auto* m = std::get_if<more_request>(&msg);
        REQUIRE(m);
        CHECK(m->ticker == "a");
        CHECK(m->after == after);
        CHECK(m->limit == 50);
        CHECK(std::get<more_request>(
                  decode_client_message(R"({"type":"more","ticker":"a","cursor":"n1"})"))
                  .limit == limits::page_limit_default);
    }
    SECTION("rejections") {
        const auto c = GENERATE_REF(values<bad_input>({
            {R"({"type":"more","ticker":"a"})", "cursor", "required"},
            {R"({"type":"more","ticker":"a","cursor":5})", "cursor", "must be a string"},
            {R"({"type":"more","ticker":"a","cursor":"x12"})", "cursor", "invalid cursor"},
            {R"({"type":"more","ticker":"a","cursor":""})", "cursor", "invalid cursor"},
            {R"({"type":"more","cursor":"n1"})", "ticker", "required"},
            {R"({"type":"more","ticker":"a","cursor":"n1","limit":500})", "limit",
             "must be between 1 and 100"},
            {R"({"type":"more","ticker":"a","cursor":"n1","order":"newest"})", "order",
             "unknown field"},
        }));
        check_rejected(decode_client_message, c);
    }
}

TEST_CASE("unsubscribe", "[json][ws]") {
    const auto msg = decode_client_message(R"({"type":"unsubscribe","ticker":"ukraine"})");
    REQUIRE(std::holds_alternative<unsubscribe_request>(msg));
    CHECK(std::get<unsubscribe_request>(msg).ticker == "ukraine");

    check_rejected(decode_client_message, {R"({"type":"unsubscribe"})", "ticker", "required"});
    check_rejected(decode_client_message,
                   {R"({"type":"unsubscribe","ticker":"a","limit":5})", "limit", "unknown field"});
}

// =============================================================================================
// WebSocket, server to reader

TEST_CASE("snapshot", "[json][ws]") {
    const std::vector<entry> entries{sample_entry(), [] {
                                         entry e = sample_entry();
                                         e.id = 41;
                                         e.title.reset();
                                         return e;
                                     }()};
    const cursor next{order::newest, 41};
    const std::string text = encode_snapshot(sample_ticker(), order::newest, entries, next);
    CHECK(text == R"({"type":"snapshot","ticker":)" + sample_ticker_json +
                      R"(,"order":"newest","entries":[)" + encode_entry(entries[0]) + "," +
                      encode_entry(entries[1]) + R"(],"cursor":")" + encode_cursor(next) + R"("})");

    // What a reader gets back out of it.
    const auto j = nlohmann::json::parse(text);
    CHECK(decode_ticker(j["ticker"].dump()) == sample_ticker());
    REQUIRE(j["entries"].size() == 2);
    CHECK(decode_entry(j["entries"][0].dump()) == entries[0]);
    CHECK(decode_entry(j["entries"][1].dump()) == entries[1]);
    CHECK(decode_cursor(j["cursor"].get<std::string>()) == next);

    CHECK(encode_snapshot(sample_ticker(), order::oldest, {}, std::nullopt) ==
          R"({"type":"snapshot","ticker":)" + sample_ticker_json +
              R"(,"order":"oldest","entries":[],"cursor":null})");
}

TEST_CASE("page and resumed", "[json][ws]") {
    const std::vector<entry> entries{sample_entry()};
    const cursor next{order::oldest, 42};
    const std::string text = encode_page("ukraine", order::oldest, entries, next);
    CHECK(text == R"({"type":"page","ticker":"ukraine","order":"oldest","entries":[)" +
                      sample_entry_json + R"(],"cursor":")" + encode_cursor(next) + R"("})");
    const auto j = nlohmann::json::parse(text);
    CHECK(decode_entry(j["entries"][0].dump()) == entries[0]);
    CHECK(decode_cursor(j["cursor"].get<std::string>()) == next);
    CHECK(encode_page("a", order::newest, {}, std::nullopt) ==
          R"({"type":"page","ticker":"a","order":"newest","entries":[],"cursor":null})");

    CHECK(encode_resumed("ukraine", 17) == R"({"type":"resumed","ticker":"ukraine","seq":17})");
}

TEST_CASE("WebSocket errors", "[json][ws]") {
    CHECK(encode_ws_error("bad_request", "limit: must be between 1 and 100") ==
          R"({"type":"error","code":"bad_request","message":"limit: must be between 1 and 100"})");
    CHECK(encode_ws_error("not_found", "no such ticker", "nope") ==
          R"({"type":"error","code":"not_found","message":"no such ticker","ticker":"nope"})");
}

TEST_CASE("events encode per op and round-trip", "[json][ws][event]") {
    event ev;
    ev.ticker = "ukraine";
    ev.seq = 13;

    SECTION("create") {
        ev.op = event_op::create;
        ev.entry = sample_entry();
        CHECK(encode_event(ev) == R"({"type":"event","ticker":"ukraine","seq":13,"op":"create",)"
                                  R"("entry":)" +
                                      sample_entry_json + "}");
    }
    SECTION("update") {
        ev.op = event_op::update;
        ev.entry = sample_entry();
        ev.entry->title.reset();
        CHECK_THAT(encode_event(ev), Catch::StartsWith(R"({"type":"event","ticker":"ukraine",)"
                                                       R"("seq":13,"op":"update","entry":{)"));
    }
    SECTION("delete") {
        ev.op = event_op::remove;
        ev.deleted_id = 42;
        CHECK(encode_event(ev) == R"({"type":"event","ticker":"ukraine","seq":13,"op":"delete",)"
                                  R"("entry":{"id":42,"deleted":true}})");
    }
    SECTION("ticker") {
        ev.op = event_op::ticker;
        ev.ticker_state = sample_ticker();
        ev.ticker_state->status = ticker_status::ended;
        CHECK(encode_event(ev) ==
              R"({"type":"event","ticker":"ukraine","seq":13,"op":"ticker",)"
              R"("ticker_state":{"id":"ukraine","title":"Krieg in der Ukraine",)"
              R"("description":"Alle Entwicklungen","status":"ended",)"
              R"("created_at":"2021-12-30T20:30:00.000Z","entry_count":7,)"
              R"("seq":12}})");
    }
    CHECK(decode_event(encode_event(ev)) == ev);
}

TEST_CASE("decode_event rejections", "[json][ws][event]") {
    event created;
    created.ticker = "ukraine";
    created.seq = 1;
    created.op = event_op::create;
    created.entry = sample_entry();
    const nlohmann::json good = nlohmann::json::parse(encode_event(created));
    const auto with = [&](const std::string& key, const nlohmann::json& v) {
        nlohmann::json j = good;
        j[key] = v;
        return j.dump();
    };
    nlohmann::json bad_entry = good;
    bad_entry["entry"]["created_at"] = "2021-02-30T00:00:00Z";
    nlohmann::json no_entry = good;
    no_entry.erase("entry");

    const auto c = GENERATE_REF(values<bad_input>({
        {with("type", "snapshot"), "type", "expected an event"},
        {with("op", "explode"), "op", "unknown op"},
        {with("op", 1), "op", "must be a string"},
        {with("seq", "1"), "seq", "must be an integer"},
        {with("ticker", nullptr), "ticker", "must be a string"},
        {with("entry", nullptr), "entry", "must be an object"},
        {no_entry.dump(), "entry", "required"},
        {bad_entry.dump(), "entry.created_at", "must be an RFC 3339 UTC timestamp"},
        {with("ticker_state", nlohmann::json::object()), "ticker_state", "unknown field"},
        {R"({"type":"event","ticker":"a","seq":1,"op":"delete","entry":{"id":1,"deleted":false}})",
         "entry.deleted", "must be true"},
        {R"({"type":"event","ticker":"a","seq":1,"op":"delete","entry":{"id":1}})", "entry.deleted",
         "required"},
        {R"({"type":"event","ticker":"a","seq":1,"op":"delete","entry":{"id":1,"deleted":true,"x":1}})",
         "entry.x", "unknown field"},
        {R"({"type":"event","ticker":"a","seq":1,"op":"ticker"})", "ticker_state", "required"},
        {R"({"type":"event","ticker":"a","seq":1,"op":"ticker","entry":{}})", "entry",
         "unknown field"},
        {R"({"type":"event","ticker":"a","seq":1,"op":"ticker","ticker_state":{"id":"a"}})",
         "ticker_state.title", "required"},
        {R"({"ticker":"a","seq":1,"op":"create"})", "type", "required"},
        {R"({"type":"event","ticker":"a","seq":1})", "op", "required"},
    }));
    check_rejected(decode_event, c);
    check_document_failures(decode_event);
}
