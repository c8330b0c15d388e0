// JSON encoding of every message Liveticker sends, and strict decoding of every message it
// accepts. Decoders are the only gate between the outside world and the store, so they check
// types, lengths, formats and unknown fields, and name the offending field in decode_error.
// The wire format is documented in protocol/README.md; keep the two in step.
#include "liveticker/protocol/json.hpp"

#include "liveticker/protocol/cursor.hpp"
#include "liveticker/protocol/limits.hpp"
#include "liveticker/protocol/time.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cstdint>
#include <initializer_list>
#include <limits>
#include <utility>
#include <vector>

namespace liveticker::protocol {

decode_error::decode_error(std::string field, const std::string& message)
    : std::runtime_error(message)
    , field_(std::move(field)) {}

namespace {

// Decoding uses sorted objects (logarithmic lookups even for hostile documents with many keys),
// encoding uses insertion-ordered ones so that keys appear in the documented order.
using json = nlohmann::json;
using ordered_json = nlohmann::ordered_json;

// ---------------------------------------------------------------------------------------------
// UTF-8

constexpr std::size_t npos = std::string_view::npos;

// Offset of the first byte that does not belong to well-formed UTF-8 (RFC 3629: no overlong
// forms, no surrogates, nothing above U+10FFFF), or npos.
std::size_t find_invalid_utf8(std::string_view s) noexcept {
    std::size_t i = 0;
    while (i < s.size()) {
        const auto b0 = static_cast<unsigned char>(s[i]);
        if (b0 < 0x80) {
            ++i;
            continue;
        }
        std::size_t len = 0;
        unsigned char lo = 0x80;
        unsigned char hi = 0xBF;
        if (b0 >= 0xC2 && b0 <= 0xDF) {
            len = 2;
        } else if (b0 >= 0xE0 && b0 <= 0xEF) {
            len = 3;
            lo = b0 == 0xE0 ? 0xA0 : 0x80; // overlong
            hi = b0 == 0xED ? 0x9F : 0xBF; // surrogates
        } else if (b0 >= 0xF0 && b0 <= 0xF4) {
            len = 4;
            lo = b0 == 0xF0 ? 0x90 : 0x80; // overlong
            hi = b0 == 0xF4 ? 0x8F : 0xBF; // above U+10FFFF
        } else {
            return i;
        }
        if (i + len > s.size())
            return i;
        const auto b1 = static_cast<unsigned char>(s[i + 1]);
        if (b1 < lo || b1 > hi)
            return i;
        for (std::size_t k = 2; k < len; ++k) {
            const auto b = static_cast<unsigned char>(s[i + k]);
            if (b < 0x80 || b > 0xBF)
                return i;
        }
        i += len;
    }
    return npos;
}

// Limits are in characters as a person counts them (roughly): code points, not bytes.
// Only called on strings the JSON parser has already checked to be well-formed UTF-8.
std::size_t count_code_points(std::string_view s) noexcept {
    return static_cast<std::size_t>(std::count_if(
        s.begin(), s.end(), [](char c) { return (static_cast<unsigned char>(c) & 0xC0) != 0x80; }));
}

// Decodes well-formed UTF-8 one code point at a time.
template <typename F>
void for_each_code_point(std::string_view s, F&& f) {
    std::size_t i = 0;
    while (i < s.size()) {
        const auto b0 = static_cast<unsigned char>(s[i]);
        std::size_t len = b0 < 0x80 ? 1 : b0 < 0xE0 ? 2 : b0 < 0xF0 ? 3 : 4;
        len = std::min(len, s.size() - i);
        char32_t cp = len == 1 ? b0 : b0 & (0x7F >> len);
        for (std::size_t k = 1; k < len; ++k)
            cp = (cp << 6) | (static_cast<unsigned char>(s[i + k]) & 0x3F);
        f(cp);
        i += len;
    }
}

// ---------------------------------------------------------------------------------------------
// Parsing

// Deep nesting has no use in any message and only costs stack and memory.
constexpr std::size_t max_depth = 16;

// Builds the document through nlohmann's SAX interface instead of json::parse so that errors
// can name the field being read: invalid UTF-8 inside "image.url" is reported as "image.url",
// not as an anonymous parse error. Also refuses duplicate keys, which json::parse would
// silently resolve to the last one.
class dom_builder {
public:
    explicit dom_builder(std::string_view text)
        : text_(text) {}

    bool null() { return put(nullptr); }
    bool boolean(bool v) { return put(v); }
    bool number_integer(json::number_integer_t v) { return put(v); }
    bool number_unsigned(json::number_unsigned_t v) { return put(v); }
    bool number_float(json::number_float_t v, const json::string_t&) { return put(v); }
    bool string(json::string_t& v) { return put(std::move(v)); }
    bool binary(json::binary_t&) { return false; } // JSON text has no binary values
    bool start_object(std::size_t) { return open(json::object()); }
    bool start_array(std::size_t) { return open(json::array()); }
    bool end_object() { return close(); }
    bool end_array() { return close(); }

    bool key(json::string_t& k) {
        key_ = std::move(k);
        has_key_ = true;
        if (stack_.back().value->contains(key_)) {
            error_.emplace(current_field(), "duplicate field");
            return false;
        }
        return true;
    }

    bool parse_error(std::size_t position, const std::string&, const json::exception& ex) {
        // nlohmann refuses ill-formed UTF-8 while lexing a string. If the text has such a byte
        // before the point of failure, that byte is why parsing stopped. Escaped lone
        // surrogates ("\ud800") cannot become UTF-8 either.
        const std::size_t bad = find_invalid_utf8(text_);
        const std::string_view what = ex.what();
        if ((bad != npos && bad < position) || what.find("invalid string: surrogate U+") != npos) {
            error_.emplace(current_field(), "must be valid UTF-8");
        } else {
            // Drop nlohmann's "[json.exception.parse_error.101] " prefix; editors see this.
            const std::size_t prefix_end = what.find("] ");
            const std::string_view reason = prefix_end == npos ? what : what.substr(prefix_end + 2);
            error_.emplace("", "malformed JSON: " + std::string{reason});
        }
        return false;
    }

    json& root() noexcept { return root_; }
    const std::optional<decode_error>& error() const noexcept { return error_; }

private:
    struct frame {
        json* value;
        std::string path; // dotted field name of this container; arrays' elements share it
    };

    std::string current_field() const {
        if (stack_.empty())
            return {};
        const frame& top = stack_.back();
        if (!top.value->is_object() || !has_key_)
            return top.path;
        return top.path.empty() ? key_ : top.path + "." + key_;
    }

    json* insert(json&& v) {
        if (stack_.empty()) {
            root_ = std::move(v);
            return &root_;
        }
        json& parent = *stack_.back().value;
        if (parent.is_array()) {
            parent.push_back(std::move(v));
            return &parent.back();
        }
        has_key_ = false;
        json& slot = parent[key_];
        slot = std::move(v);
        return &slot;
    }

    bool put(json&& v) {
        insert(std::move(v));
        return true;
    }

    bool open(json&& v) {
        if (stack_.size() >= max_depth) {
            error_.emplace(current_field(), "nested too deeply");
            return false;
        }
        std::string path = current_field();
        // Pointers stay valid: a container only grows while it is the top of the stack.
        json* const p = insert(std::move(v));
        stack_.push_back({p, std::move(path)});
        return true;
    }

    bool close() {
        stack_.pop_back();
        has_key_ = false;
        return true;
    }

    std::string_view text_;
    json root_;
    std::vector<frame> stack_;
    std::string key_;
    bool has_key_ = false;
    std::optional<decode_error> error_;
};

json parse_object(std::string_view text) {
    dom_builder builder{text};
    const bool ok = json::sax_parse(text.begin(), text.end(), &builder, json::input_format_t::json,
                                    /*strict=*/true, /*ignore_comments=*/false);
    if (!ok) {
        if (builder.error())
            throw *builder.error();
        throw decode_error("", "malformed JSON");
    }
    if (!builder.root().is_object())
        throw decode_error("", "expected a JSON object");
    return std::move(builder.root());
}

// ---------------------------------------------------------------------------------------------
// Typed field access

std::string join_field(std::string_view path, std::string_view name) {
    std::string out{path};
    if (!out.empty())
        out += '.';
    out += name;
    return out;
}

// One JSON object being decoded: refuses unknown fields up front and names fields with their
// full dotted path in errors.
class object_reader {
public:
    object_reader(const json& obj, std::string path, std::initializer_list<std::string_view> known)
        : obj_(obj)
        , path_(std::move(path)) {
        if (!obj.is_object())
            throw decode_error(path_, "must be an object");
        for (const auto& item : obj.items()) {
            if (std::find(known.begin(), known.end(), item.key()) == known.end())
                fail(item.key(), "unknown field");
        }
    }

    std::string field(std::string_view name) const { return join_field(path_, name); }

    [[noreturn]] void fail(std::string_view name, const std::string& message) const {
        throw decode_error(field(name), message);
    }

    const json* find(std::string_view name) const {
        const auto it = obj_.find(std::string{name});
        return it == obj_.end() ? nullptr : &*it;
    }

    const json& required(std::string_view name) const {
        if (const json* v = find(name))
            return *v;
        fail(name, "required");
    }

    std::string as_string(std::string_view name, const json& v) const {
        if (!v.is_string())
            fail(name, "must be a string");
        return v.get<std::string>();
    }

    std::string required_string(std::string_view name) const {
        return as_string(name, required(name));
    }

    std::optional<std::string> optional_string(std::string_view name) const {
        const json* v = find(name);
        return v ? std::optional{as_string(name, *v)} : std::nullopt;
    }

    bool as_boolean(std::string_view name, const json& v) const {
        if (!v.is_boolean())
            fail(name, "must be a boolean");
        return v.get<bool>();
    }

    std::optional<bool> optional_boolean(std::string_view name) const {
        const json* v = find(name);
        return v ? std::optional{as_boolean(name, *v)} : std::nullopt;
    }

    std::int64_t as_integer(std::string_view name, const json& v) const {
        // 20.0 and 2e1 are floats to nlohmann and refused: ids and counts are integers.
        if (!v.is_number_integer())
            fail(name, "must be an integer");
        if (v.is_number_unsigned() &&
            v.get<std::uint64_t>() > std::uint64_t{std::numeric_limits<std::int64_t>::max()})
            fail(name, "is out of range");
        return v.get<std::int64_t>();
    }

    std::int64_t required_integer(std::string_view name) const {
        return as_integer(name, required(name));
    }

    std::int64_t required_timestamp(std::string_view name) const {
        const auto ms = parse_timestamp(required_string(name));
        if (!ms)
            fail(name, "must be an RFC 3339 UTC timestamp");
        return *ms;
    }

private:
    const json& obj_;
    std::string path_;
};

// ---------------------------------------------------------------------------------------------
// Field rules shared by several requests

std::string_view trim(std::string_view s) noexcept {
    constexpr std::string_view space = " \t\n\r\f\v";
    const std::size_t first = s.find_first_not_of(space);
    if (first == npos)
        return {};
    return s.substr(first, s.find_last_not_of(space) - first + 1);
}

void check_characters(const object_reader& r, std::string_view name, std::string_view value,
                      std::size_t max) {
    if (count_code_points(value) > max)
        r.fail(name, "must be at most " + std::to_string(max) + " characters");
}

// Ticker titles are one line of plain text; surrounding whitespace is a paste artefact.
std::string read_ticker_title(const object_reader& r, const json& v) {
    const std::string raw = r.as_string("title", v);
    const std::string_view title = trim(raw);
    if (title.empty())
        r.fail("title", "must not be empty");
    check_characters(r, "title", title, limits::ticker_title_max);
    return std::string{title};
}

std::string read_description(const object_reader& r, const json& v) {
    std::string description = r.as_string("description", v);
    check_characters(r, "description", description, limits::ticker_description_max);
    return description;
}

std::string read_ticker_id(const object_reader& r, std::string_view name) {
    std::string id = r.required_string(name);
    if (!is_valid_ticker_id(id))
        r.fail(name, "must be a valid ticker id ([a-z0-9][a-z0-9-]{0,63})");
    return id;
}

// Entry titles are optional: null, absent, and empty (after trimming) all mean "no title".
std::optional<std::string> read_entry_title(const object_reader& r, const json& v) {
    if (v.is_null())
        return std::nullopt;
    if (!v.is_string())
        r.fail("title", "must be a string or null");
    const std::string_view title = trim(v.get_ref<const std::string&>());
    if (title.empty())
        return std::nullopt;
    check_characters(r, "title", title, limits::entry_title_max);
    return std::string{title};
}

// The body is kept exactly as written: in Markdown leading spaces and trailing line breaks
// carry meaning. Trimming only decides whether there is anything at all.
std::string read_body(const object_reader& r, const json& v) {
    std::string body = r.as_string("body", v);
    if (trim(body).empty())
        r.fail("body", "must not be empty");
    check_characters(r, "body", body, limits::entry_body_max);
    return body;
}

constexpr bool is_forbidden_url_char(char32_t cp) noexcept {
    // Whitespace and controls (including C1 and Unicode spaces) hide what a URL really is.
    // Quotes and angle brackets would break out of an HTML attribute written carelessly.
    // Browsers read '\' as '/' in http(s) URLs, so "/\evil.example" would be protocol-relative.
    return cp <= 0x20 || (cp >= 0x7F && cp <= 0xA0) || cp == '"' || cp == '<' || cp == '>' ||
           cp == '\\' || cp == 0x1680 || (cp >= 0x2000 && cp <= 0x200B) || cp == 0x2028 ||
           cp == 0x2029 || cp == 0x202F || cp == 0x205F || cp == 0x3000 || cp == 0xFEFF;
}

bool starts_with_ignoring_case(std::string_view s, std::string_view prefix) noexcept {
    return s.size() >= prefix.size() &&
           std::equal(prefix.begin(), prefix.end(), s.begin(), [](char a, char b) {
               return a == (b >= 'A' && b <= 'Z' ? static_cast<char>(b - 'A' + 'a') : b);
           });
}

// Absolute http(s) URLs or paths on this server; everything else (javascript:, data:,
// protocol-relative "//host", relative paths) is refused rather than rewritten.
bool is_acceptable_image_url(std::string_view url) noexcept {
    bool clean = true;
    for_each_code_point(url, [&](char32_t cp) { clean = clean && !is_forbidden_url_char(cp); });
    if (!clean)
        return false;
    std::string_view rest;
    if (starts_with_ignoring_case(url, "http://"))
        rest = url.substr(7);
    else if (starts_with_ignoring_case(url, "https://"))
        rest = url.substr(8);
    else
        return url.size() >= 1 && url[0] == '/' && (url.size() == 1 || url[1] != '/');
    // An absolute URL needs a host.
    return !rest.empty() && rest[0] != '/' && rest[0] != '?' && rest[0] != '#';
}

image read_image(const json& v, const std::string& path) {
    const object_reader r{v, path, {"url", "caption", "credit", "alt"}};
    image img;
    img.url = r.required_string("url");
    if (img.url.size() > limits::image_url_max)
        r.fail("url", "must be at most " + std::to_string(limits::image_url_max) + " bytes");
    if (!is_acceptable_image_url(img.url))
        r.fail("url", "must be an http(s) URL or a path starting with /");
    img.caption = r.optional_string("caption").value_or("");
    check_characters(r, "caption", img.caption, limits::image_caption_max);
    img.credit = r.optional_string("credit").value_or("");
    check_characters(r, "credit", img.credit, limits::image_credit_max);
    img.alt = r.optional_string("alt").value_or("");
    check_characters(r, "alt", img.alt, limits::image_alt_max);
    return img;
}

std::optional<image> read_optional_image(const object_reader& r, const json& v) {
    if (v.is_null())
        return std::nullopt;
    if (!v.is_object())
        r.fail("image", "must be an object or null");
    return read_image(v, r.field("image"));
}

int read_limit(const object_reader& r) {
    const json* v = r.find("limit");
    if (!v)
        return limits::page_limit_default;
    if (!v->is_number_integer())
        r.fail("limit", "must be an integer");
    const bool in_range = v->is_number_unsigned()
                              ? v->get<std::uint64_t>() <= limits::page_limit_max &&
                                    v->get<std::uint64_t>() >= limits::page_limit_min
                              : v->get<std::int64_t>() >= limits::page_limit_min &&
                                    v->get<std::int64_t>() <= limits::page_limit_max;
    if (!in_range)
        r.fail("limit", "must be between " + std::to_string(limits::page_limit_min) + " and " +
                            std::to_string(limits::page_limit_max));
    return static_cast<int>(v->get<std::int64_t>());
}

// ---------------------------------------------------------------------------------------------
// Stored values (lenient about nothing: every key present with its type)

image read_stored_image(const json& v, const std::string& path) {
    const object_reader r{v, path, {"url", "caption", "credit", "alt"}};
    return image{r.required_string("url"), r.required_string("caption"),
                 r.required_string("credit"), r.required_string("alt")};
}

entry read_entry(const json& v, const std::string& path) {
    const object_reader r{v,
                          path,
                          {"id", "ticker", "created_at", "updated_at", "author", "title", "body",
                           "html", "image", "pinned", "key", "revision"}};
    entry e;
    e.id = r.required_integer("id");
    e.ticker = r.required_string("ticker");
    e.created_at_ms = r.required_timestamp("created_at");
    e.updated_at_ms = r.required_timestamp("updated_at");
    e.author = r.required_string("author");
    if (const json& title = r.required("title"); !title.is_null()) {
        if (!title.is_string())
            r.fail("title", "must be a string or null");
        e.title = title.get<std::string>();
    }
    e.body = r.required_string("body");
    e.html = r.required_string("html");
    if (const json& img = r.required("image"); !img.is_null()) {
        if (!img.is_object())
            r.fail("image", "must be an object or null");
        e.image = read_stored_image(img, r.field("image"));
    }
    e.pinned = r.as_boolean("pinned", r.required("pinned"));
    e.key = r.as_boolean("key", r.required("key"));
    e.revision = r.required_integer("revision");
    return e;
}

ticker read_ticker(const json& v, const std::string& path) {
    const object_reader r{
        v, path, {"id", "title", "description", "status", "created_at", "entry_count", "seq"}};
    ticker t;
    t.id = r.required_string("id");
    t.title = r.required_string("title");
    t.description = r.required_string("description");
    const auto status = parse_ticker_status(r.required_string("status"));
    if (!status)
        r.fail("status", R"(must be "live" or "ended")");
    t.status = *status;
    t.created_at_ms = r.required_timestamp("created_at");
    t.entry_count = r.required_integer("entry_count");
    t.seq = r.required_integer("seq");
    return t;
}

// ---------------------------------------------------------------------------------------------
// Encoding

std::string dump(const ordered_json& j) {
    // Stored strings should be valid UTF-8, but an encoder must never throw over one that is
    // not: replace the bad bytes with U+FFFD instead.
    return j.dump(-1, ' ', false, ordered_json::error_handler_t::replace);
}

ordered_json image_json(const image& img) {
    ordered_json j = ordered_json::object();
    j["url"] = img.url;
    j["caption"] = img.caption;
    j["credit"] = img.credit;
    j["alt"] = img.alt;
    return j;
}

ordered_json entry_json(const entry& e) {
    ordered_json j = ordered_json::object();
    j["id"] = e.id;
    j["ticker"] = e.ticker;
    j["created_at"] = format_timestamp(e.created_at_ms);
    j["updated_at"] = format_timestamp(e.updated_at_ms);
    j["author"] = e.author;
    j["title"] = e.title ? ordered_json(*e.title) : ordered_json(nullptr);
    j["body"] = e.body;
    j["html"] = e.html;
    j["image"] = e.image ? image_json(*e.image) : ordered_json(nullptr);
    j["pinned"] = e.pinned;
    j["key"] = e.key;
    j["revision"] = e.revision;
    return j;
}

ordered_json ticker_json(const ticker& t) {
    ordered_json j = ordered_json::object();
    j["id"] = t.id;
    j["title"] = t.title;
    j["description"] = t.description;
    j["status"] = std::string{to_string(t.status)};
    j["created_at"] = format_timestamp(t.created_at_ms);
    j["entry_count"] = t.entry_count;
    j["seq"] = t.seq;
    return j;
}

ordered_json entries_json(std::span<const entry> entries) {
    ordered_json j = ordered_json::array();
    for (const entry& e : entries)
        j.push_back(entry_json(e));
    return j;
}

ordered_json cursor_json(const std::optional<cursor>& c) {
    return c ? ordered_json(encode_cursor(*c)) : ordered_json(nullptr);
}

} // namespace

// ---- Values ----

std::string encode_entry(const entry& e) {
    return dump(entry_json(e));
}

std::string encode_ticker(const ticker& t) {
    return dump(ticker_json(t));
}

std::string encode_ticker_list(std::span<const ticker> tickers) {
    ordered_json list = ordered_json::array();
    for (const ticker& t : tickers)
        list.push_back(ticker_json(t));
    ordered_json j = ordered_json::object();
    j["tickers"] = std::move(list);
    return dump(j);
}

std::string encode_entry_page(std::span<const entry> entries, const std::optional<cursor>& next) {
    ordered_json j = ordered_json::object();
    j["entries"] = entries_json(entries);
    j["cursor"] = cursor_json(next);
    return dump(j);
}

entry decode_entry(std::string_view text) {
    return read_entry(parse_object(text), "");
}

ticker decode_ticker(std::string_view text) {
    return read_ticker(parse_object(text), "");
}

// ---- Editors' requests ----

new_ticker decode_new_ticker(std::string_view text) {
    const json doc = parse_object(text);
    const object_reader r{doc, "", {"id", "title", "description"}};
    new_ticker t;
    t.id = read_ticker_id(r, "id");
    t.title = read_ticker_title(r, r.required("title"));
    if (const json* d = r.find("description"))
        t.description = read_description(r, *d);
    return t;
}

ticker_patch decode_ticker_patch(std::string_view text) {
    const json doc = parse_object(text);
    const object_reader r{doc, "", {"title", "description", "status"}};
    ticker_patch p;
    if (const json* t = r.find("title"))
        p.title = read_ticker_title(r, *t);
    if (const json* d = r.find("description"))
        p.description = read_description(r, *d);
    if (const json* s = r.find("status")) {
        p.status = parse_ticker_status(r.as_string("status", *s));
        if (!p.status)
            r.fail("status", R"(must be "live" or "ended")");
    }
    if (!p.title && !p.description && !p.status)
        throw decode_error("", "nothing to change");
    return p;
}

entry_draft decode_entry_draft(std::string_view text) {
    const json doc = parse_object(text);
    const object_reader r{doc, "", {"title", "body", "image", "pinned", "key"}};
    entry_draft d;
    if (const json* t = r.find("title"))
        d.title = read_entry_title(r, *t);
    d.body = read_body(r, r.required("body"));
    if (const json* i = r.find("image"))
        d.image = read_optional_image(r, *i);
    d.pinned = r.optional_boolean("pinned").value_or(false);
    d.key = r.optional_boolean("key").value_or(false);
    return d;
}

entry_patch decode_entry_patch(std::string_view text) {
    const json doc = parse_object(text);
    const object_reader r{doc, "", {"title", "body", "image", "pinned", "key"}};
    entry_patch p;
    if (const json* t = r.find("title"))
        p.title = read_entry_title(r, *t);
    if (const json* b = r.find("body"))
        p.body = read_body(r, *b);
    if (const json* i = r.find("image"))
        p.image = read_optional_image(r, *i);
    p.pinned = r.optional_boolean("pinned");
    p.key = r.optional_boolean("key");
    if (p.empty())
        throw decode_error("", "nothing to change");
    return p;
}

std::string encode_api_error(std::string_view code, std::string_view message,
                             std::string_view field) {
    ordered_json error = ordered_json::object();
    error["code"] = std::string{code};
    error["message"] = std::string{message};
    if (!field.empty())
        error["field"] = std::string{field};
    ordered_json j = ordered_json::object();
    j["error"] = std::move(error);
    return dump(j);
}

// ---- WebSocket: reader to server ----

client_message decode_client_message(std::string_view text) {
    const json doc = parse_object(text);
    const auto type_it = doc.find("type");
    if (type_it == doc.end())
        throw decode_error("type", "required");
    if (!type_it->is_string())
        throw decode_error("type", "must be a string");
    const auto& type = type_it->get_ref<const std::string&>();

    if (type == "subscribe") {
        const object_reader r{doc, "", {"type", "ticker", "order", "limit", "resume_seq"}};
        subscribe_request s;
        s.ticker = read_ticker_id(r, "ticker");
        if (const auto ord = r.optional_string("order")) {
            const auto parsed = parse_order(*ord);
            if (!parsed)
                r.fail("order", R"(must be "newest" or "oldest")");
            s.ord = *parsed;
        }
        s.limit = read_limit(r);
        if (const json* seq = r.find("resume_seq")) {
            s.resume_seq = r.as_integer("resume_seq", *seq);
            if (*s.resume_seq < 0)
                r.fail("resume_seq", "must not be negative");
        }
        return s;
    }
    if (type == "more") {
        const object_reader r{doc, "", {"type", "ticker", "cursor", "limit"}};
        more_request m;
        m.ticker = read_ticker_id(r, "ticker");
        const auto after = decode_cursor(r.required_string("cursor"));
        if (!after)
            r.fail("cursor", "invalid cursor");
        m.after = *after;
        m.limit = read_limit(r);
        return m;
    }
    if (type == "unsubscribe") {
        const object_reader r{doc, "", {"type", "ticker"}};
        return unsubscribe_request{read_ticker_id(r, "ticker")};
    }
    throw decode_error("type", "unknown message type");
}

// ---- WebSocket: server to reader ----

std::string encode_snapshot(const ticker& t, order ord, std::span<const entry> entries,
                            const std::optional<cursor>& next) {
    ordered_json j = ordered_json::object();
    j["type"] = "snapshot";
    j["ticker"] = ticker_json(t);
    j["order"] = std::string{to_string(ord)};
    j["entries"] = entries_json(entries);
    j["cursor"] = cursor_json(next);
    return dump(j);
}

std::string encode_resumed(std::string_view ticker_id, std::int64_t seq) {
    ordered_json j = ordered_json::object();
    j["type"] = "resumed";
    j["ticker"] = std::string{ticker_id};
    j["seq"] = seq;
    return dump(j);
}

std::string encode_page(std::string_view ticker_id, order ord, std::span<const entry> entries,
                        const std::optional<cursor>& next) {
    ordered_json j = ordered_json::object();
    j["type"] = "page";
    j["ticker"] = std::string{ticker_id};
    j["order"] = std::string{to_string(ord)};
    j["entries"] = entries_json(entries);
    j["cursor"] = cursor_json(next);
    return dump(j);
}

std::string encode_event(const event& ev) {
    ordered_json j = ordered_json::object();
    j["type"] = "event";
    j["ticker"] = ev.ticker;
    j["seq"] = ev.seq;
    j["op"] = std::string{to_string(ev.op)};
    switch (ev.op) {
    case event_op::create:
    case event_op::update:
        // A missing entry breaks the event's contract; null is still valid JSON for the reader.
        j["entry"] = ev.entry ? entry_json(*ev.entry) : ordered_json(nullptr);
        break;
    case event_op::remove: {
        ordered_json gone = ordered_json::object();
        gone["id"] = ev.deleted_id;
        gone["deleted"] = true;
        j["entry"] = std::move(gone);
        break;
    }
    case event_op::ticker:
        // Not "ticker": that key is the ticker id in every event.
        j["ticker_state"] = ev.ticker_state ? ticker_json(*ev.ticker_state) : ordered_json(nullptr);
        break;
    }
    return dump(j);
}

std::string encode_ws_error(std::string_view code, std::string_view message,
                            std::string_view ticker_id) {
    ordered_json j = ordered_json::object();
    j["type"] = "error";
    j["code"] = std::string{code};
    j["message"] = std::string{message};
    if (!ticker_id.empty())
        j["ticker"] = std::string{ticker_id};
    return dump(j);
}

event decode_event(std::string_view text) {
    const json doc = parse_object(text);
    const auto type_it = doc.find("type");
    if (type_it == doc.end())
        throw decode_error("type", "required");
    if (!type_it->is_string())
        throw decode_error("type", "must be a string");
    if (type_it->get_ref<const std::string&>() != "event")
        throw decode_error("type", "expected an event");
    const auto op_it = doc.find("op");
    if (op_it == doc.end())
        throw decode_error("op", "required");
    if (!op_it->is_string())
        throw decode_error("op", "must be a string");

    event ev;
    const auto& op = op_it->get_ref<const std::string&>();
    if (op == "create")
        ev.op = event_op::create;
    else if (op == "update")
        ev.op = event_op::update;
    else if (op == "delete")
        ev.op = event_op::remove;
    else if (op == "ticker")
        ev.op = event_op::ticker;
    else
        throw decode_error("op", "unknown op");

    const bool carries_state = ev.op == event_op::ticker;
    const object_reader r{
        doc, "", {"type", "ticker", "seq", "op", carries_state ? "ticker_state" : "entry"}};
    ev.ticker = r.required_string("ticker");
    ev.seq = r.required_integer("seq");
    switch (ev.op) {
    case event_op::create:
    case event_op::update:
        ev.entry = read_entry(r.required("entry"), "entry");
        break;
    case event_op::remove: {
        const object_reader gone{r.required("entry"), "entry", {"id", "deleted"}};
        ev.deleted_id = gone.required_integer("id");
        if (!gone.as_boolean("deleted", gone.required("deleted")))
            gone.fail("deleted", "must be true");
        break;
    }
    case event_op::ticker:
        ev.ticker_state = read_ticker(r.required("ticker_state"), "ticker_state");
        break;
    }
    return ev;
}

} // namespace liveticker::protocol
