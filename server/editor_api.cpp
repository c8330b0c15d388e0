#include "editor_api.hpp"

#include "change_sink.hpp"
#include "editors.hpp"
#include "fnv1a.hpp"
#include "store_worker.hpp"
#include "ticker_hub.hpp"

#include "liveticker/protocol/cursor.hpp"
#include "liveticker/protocol/json.hpp"
#include "liveticker/protocol/limits.hpp"
#include "liveticker/protocol/markdown.hpp"
#include "liveticker/protocol/query.hpp"

#include <spdlog/spdlog.h>

#include <charconv>
#include <chrono>
#include <cstdint>
#include <optional>
#include <string_view>

namespace liveticker::server {

namespace {

using namespace std::string_view_literals;

std::int64_t now_ms() {
    return std::chrono::duration_cast<std::chrono::milliseconds>(
               std::chrono::system_clock::now().time_since_epoch())
        .count();
}

api_response json_response(unsigned status, std::string body) {
    return api_response{status, std::move(body), "application/json", {}};
}

api_response error_response(unsigned status, std::string_view code, std::string_view message,
                            std::string_view field = {}) {
    return json_response(status, protocol::encode_api_error(code, message, field));
}

api_response store_error_response(const store_error& e) {
    switch (e.code()) {
    case store_errc::ticker_not_found:
        return error_response(404, "ticker_not_found", e.what());
    case store_errc::entry_not_found:
        return error_response(404, "entry_not_found", e.what());
    case store_errc::ticker_exists:
        return error_response(409, "ticker_exists", e.what());
    case store_errc::ticker_ended:
        return error_response(409, "ticker_ended", e.what());
    case store_errc::idempotency_conflict:
        return error_response(422, "idempotency_conflict", e.what(), "Idempotency-Key");
    }
    return error_response(500, "internal", "unexpected store error");
}

// Runs a store job and turns every way it can fail into an answer: a store_error into its
// status, anything else (disk full, corruption) into a 500 that is logged, never a crash.
template <class Work>
store_worker::job answering(responder respond, std::string_view what, Work work) {
    return [respond = std::move(respond), what, work = std::move(work)](entry_store& store) {
        try {
            respond(work(store));
        } catch (const store_error& e) {
            respond(store_error_response(e));
        } catch (const std::exception& e) {
            spdlog::error("store failed during {}: {}", what, e.what());
            respond(error_response(500, "internal", "the store failed; nothing was changed"));
        }
    };
}

std::optional<std::int64_t> parse_id(std::string_view text) {
    std::int64_t value = 0;
    const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (ec != std::errc() || end != text.data() + text.size() || value <= 0) {
        return std::nullopt;
    }
    return value;
}

std::vector<std::string_view> split_path(std::string_view path) {
    std::vector<std::string_view> parts;
    while (!path.empty()) {
        if (path.front() == '/') {
            path.remove_prefix(1);
            continue;
        }
        const auto slash = path.find('/');
        parts.push_back(path.substr(0, slash));
        path = slash == std::string_view::npos ? std::string_view{} : path.substr(slash);
    }
    return parts;
}

bool is_json(std::string_view content_type) {
    const auto semicolon = content_type.find(';');
    auto type = content_type.substr(0, semicolon);
    while (!type.empty() && type.back() == ' ') {
        type.remove_suffix(1);
    }
    return type == "application/json";
}

std::optional<std::string> bearer_token(std::string_view authorization) {
    constexpr auto prefix = "Bearer "sv;
    if (authorization.size() <= prefix.size() ||
        !std::equal(prefix.begin(), prefix.end(), authorization.begin(),
                    [](char a, char b) { return std::tolower(a) == std::tolower(b); })) {
        return std::nullopt;
    }
    return std::string(authorization.substr(prefix.size()));
}

// The request body's fingerprint: tells an honest retry (same body) from a reused key.
std::string fingerprint(std::string_view body) {
    return std::to_string(fnv1a64(body));
}

bool valid_idempotency_key(std::string_view key) {
    if (key.empty() || key.size() > protocol::limits::idempotency_key_max) {
        return false;
    }
    return std::all_of(key.begin(), key.end(), [](char c) { return c > 0x20 && c < 0x7f; });
}

// Whole-word match in a list like "GET, PATCH": "GE" is not "GET".
bool allows(std::string_view allowed, std::string_view method) {
    while (!allowed.empty()) {
        const auto comma = allowed.find(", ");
        if (allowed.substr(0, comma) == method) {
            return true;
        }
        allowed = comma == std::string_view::npos ? std::string_view{} : allowed.substr(comma + 2);
    }
    return false;
}

} // namespace

editor_api::editor_api(ticker_hub& hub, change_sink& sink, store_worker& store,
                       const server::editors& editors)
    : hub_(hub)
    , sink_(sink)
    , store_(store)
    , editors_(editors) {}

void editor_api::handle(const api_request& req, responder respond) {
    const std::string_view target = req.target;
    const auto question = target.find('?');
    const std::string_view path = target.substr(0, question);
    const std::string query(question == std::string_view::npos ? std::string_view{}
                                                               : target.substr(question + 1));
    const auto parts = split_path(path);
    const auto& method = req.method;

    // Which routes exist, and which methods each allows, before anything else: 404, then 405.
    enum class route { tickers, ticker, entries, entry, none };
    route r = route::none;
    if (parts.size() >= 2 && parts[0] == "api" && parts[1] == "tickers") {
        r = parts.size() == 2                            ? route::tickers
            : parts.size() == 3                          ? route::ticker
            : parts.size() == 4 && parts[3] == "entries" ? route::entries
            : parts.size() == 5 && parts[3] == "entries" ? route::entry
                                                         : route::none;
    }
    if (r == route::none) {
        return respond(error_response(404, "not_found", "no such API route"));
    }
    const std::string ticker = parts.size() >= 3 ? std::string(parts[2]) : std::string();
    if (r != route::tickers && !protocol::is_valid_ticker_id(ticker)) {
        return respond(error_response(404, "ticker_not_found", "no ticker '" + ticker + "'"));
    }
    std::int64_t entry_id = 0;
    if (r == route::entry) {
        const auto id = parse_id(parts[4]);
        if (!id) {
            return respond(
                error_response(404, "entry_not_found", "entry ids are positive integers"));
        }
        entry_id = *id;
    }

    std::string_view allowed;
    switch (r) {
    case route::tickers:
        allowed = "GET, POST";
        break;
    case route::ticker:
        allowed = "GET, PATCH";
        break;
    case route::entries:
        allowed = "GET, POST";
        break;
    case route::entry:
        allowed = "GET, PATCH, DELETE";
        break;
    case route::none:
        break;
    }
    if (!allows(allowed, method)) {
        auto res = error_response(405, "method_not_allowed",
                                  method + " is not allowed here; use " + std::string(allowed));
        res.headers.emplace_back("Allow", std::string(allowed));
        return respond(std::move(res));
    }

    if (method == "GET") {
        switch (r) {
        case route::tickers:
            return list_tickers(std::move(respond));
        case route::ticker:
            return get_ticker(ticker, std::move(respond));
        case route::entries:
            return list_entries(ticker, query, std::move(respond));
        case route::entry:
            return get_entry(ticker, entry_id, std::move(respond));
        case route::none:
            break;
        }
    }

    // Everything below writes: an editor's token first, then a JSON body.
    const auto token = bearer_token(req.authorization);
    const auto editor = token ? editors_.authenticate(*token) : std::nullopt;
    if (!editor) {
        auto res = error_response(401, "unauthorized",
                                  token ? "unknown token" : "an editor's bearer token is required");
        res.headers.emplace_back("WWW-Authenticate", "Bearer realm=\"liveticker\"");
        return respond(std::move(res));
    }
    if (method != "DELETE" && !is_json(req.content_type)) {
        return respond(error_response(415, "unsupported_media_type",
                                      "send the body as Content-Type: application/json"));
    }
    try {
        // These take `respond` by reference and move it only once the body has decoded, so
        // that a decode_error can still be answered here.
        if (r == route::tickers) {
            return create_ticker(req, *editor, respond);
        }
        if (r == route::ticker) {
            return update_ticker(ticker, req, respond);
        }
        if (r == route::entries) {
            return create_entry(ticker, req, *editor, respond);
        }
        if (method == "PATCH") {
            return update_entry(ticker, entry_id, req, respond);
        }
        return delete_entry(ticker, entry_id, std::move(respond));
    } catch (const protocol::decode_error& e) {
        return respond(error_response(400, "invalid_request", e.what(), e.field()));
    } catch (const std::exception& e) {
        // A bug must cost one request, not the server. `respond` is empty if a store job
        // already took it, and that job answers for itself.
        spdlog::error("{} {} failed: {}", method, path, e.what());
        if (respond) {
            respond(error_response(500, "internal", "the request could not be completed"));
        }
    }
}

void editor_api::list_tickers(responder respond) {
    const auto tickers = hub_.tickers();
    respond(json_response(200, protocol::encode_ticker_list(tickers)));
}

void editor_api::get_ticker(const std::string& id, responder respond) {
    const auto t = hub_.find_ticker(id);
    if (!t) {
        return respond(error_response(404, "ticker_not_found", "no ticker '" + id + "'"));
    }
    respond(json_response(200, protocol::encode_ticker(*t)));
}

void editor_api::create_ticker(const api_request& req, const std::string& editor,
                               responder& respond) {
    const auto draft = protocol::decode_new_ticker(req.body);
    spdlog::debug("editor {} creates ticker {}", editor, draft.id);
    store_.write(answering(std::move(respond), "create_ticker", [this, draft](entry_store& store) {
        const auto t = store.create_ticker(draft, now_ms());
        sink_.ticker_created(t);
        return json_response(201, protocol::encode_ticker(t));
    }));
}

void editor_api::update_ticker(const std::string& id, const api_request& req, responder& respond) {
    const auto patch = protocol::decode_ticker_patch(req.body);
    store_.write(
        answering(std::move(respond), "update_ticker", [this, id, patch](entry_store& store) {
            const auto c = store.update_ticker(id, patch, now_ms());
            sink_.publish(c);
            return json_response(200, protocol::encode_ticker(c.ticker));
        }));
}

void editor_api::list_entries(const std::string& ticker, const std::string& query,
                              responder respond) {
    protocol::page_query q;
    try {
        q = protocol::decode_page_query(query);
    } catch (const protocol::decode_error& e) {
        return respond(error_response(400, "invalid_request", e.what(), e.field()));
    }
    const auto& [effective, limit, after] = q;
    if (!after) {
        // The first page comes from the hub's memory: a crowd loading the page costs no reads.
        if (auto page = hub_.first_page(ticker, effective, limit)) {
            return respond(json_response(200, **page));
        }
        return respond(error_response(404, "ticker_not_found", "no ticker '" + ticker + "'"));
    }
    page_request req{ticker, effective, limit, after};
    store_.read(answering(std::move(respond), "list_entries", [req](entry_store& store) {
        const auto page = store.list_entries(req);
        return json_response(200, protocol::encode_entry_page(page.entries, page.next));
    }));
}

void editor_api::get_entry(const std::string& ticker, std::int64_t id, responder respond) {
    store_.read(answering(std::move(respond), "get_entry", [ticker, id](entry_store& store) {
        const auto e = store.find_entry(ticker, id);
        if (!e) {
            return error_response(404, "entry_not_found",
                                  "no entry " + std::to_string(id) + " in ticker '" + ticker + "'");
        }
        return json_response(200, protocol::encode_entry(*e));
    }));
}

void editor_api::create_entry(const std::string& ticker, const api_request& req,
                              const std::string& editor, responder& respond) {
    auto draft = protocol::decode_entry_draft(req.body);
    std::optional<idempotency> idem;
    if (!req.idempotency_key.empty()) {
        if (!valid_idempotency_key(req.idempotency_key)) {
            return respond(error_response(
                400, "invalid_request",
                "Idempotency-Key must be 1 to 128 printable ASCII characters", "Idempotency-Key"));
        }
        idem = idempotency{req.idempotency_key, fingerprint(req.body)};
    }
    // Rendered here, once, on the I/O thread: it is bounded CPU work (the body is at most
    // 20,000 characters) and keeps the writer thread free for commits.
    auto html = protocol::render_markdown(draft.body);
    store_.write(answering(std::move(respond), "create_entry",
                           [this, ticker, draft = std::move(draft), html = std::move(html), editor,
                            idem = std::move(idem)](entry_store& store) {
                               const auto result =
                                   store.create_entry(ticker, draft, html, editor, now_ms(), idem);
                               if (result.change) {
                                   sink_.publish(*result.change);
                               }
                               auto res = json_response(201, protocol::encode_entry(result.entry));
                               res.headers.emplace_back("Location",
                                                        "/api/tickers/" + ticker + "/entries/" +
                                                            std::to_string(result.entry.id));
                               if (result.replayed) {
                                   res.headers.emplace_back("Idempotent-Replayed", "true");
                               }
                               return res;
                           }));
}

void editor_api::update_entry(const std::string& ticker, std::int64_t id, const api_request& req,
                              responder& respond) {
    auto patch = protocol::decode_entry_patch(req.body);
    std::optional<std::string> html;
    if (patch.body) {
        html = protocol::render_markdown(*patch.body);
    }
    store_.write(answering(
        std::move(respond), "update_entry",
        [this, ticker, id, patch = std::move(patch), html = std::move(html)](entry_store& store) {
            const auto c = store.update_entry(ticker, id, patch, html, now_ms());
            sink_.publish(c);
            return json_response(200, protocol::encode_entry(*c.event.entry));
        }));
}

void editor_api::delete_entry(const std::string& ticker, std::int64_t id, responder respond) {
    store_.write(
        answering(std::move(respond), "delete_entry", [this, ticker, id](entry_store& store) {
            const auto c = store.delete_entry(ticker, id, now_ms());
            sink_.publish(c);
            return api_response{204, {}, {}, {}};
        }));
}

} // namespace liveticker::server
