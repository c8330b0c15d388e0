#include "reader_pages.hpp"

#include "static_files.hpp"
#include "ticker_hub.hpp"

#include "liveticker/protocol/json.hpp"
#include "liveticker/protocol/query.hpp"
#include "liveticker/protocol/time.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>

namespace liveticker::server {

namespace {

using protocol::order;

// Makes JSON safe inside <script>: a "</script>" in an entry must not end the element.
std::string json_for_script(std::string json) {
    std::string out;
    out.reserve(json.size() + 16);
    for (const char c : json) {
        if (c == '<') {
            out += "\\u003c";
        } else {
            out += c;
        }
    }
    return out;
}

void replace_once(std::string& text, std::string_view marker, std::string_view with) {
    if (const auto at = text.find(marker); at != std::string::npos) {
        text.replace(at, marker.size(), with);
    }
}

// "HH:MM UTC": the server does not know the reader's time zone; the script shows local time.
std::string utc_clock(std::int64_t unix_ms) {
    const auto stamp = protocol::format_timestamp(unix_ms); // YYYY-MM-DDTHH:MM:SS.mmmZ
    return stamp.substr(11, 5) + " UTC";
}

// The first words of a Markdown body, for headlines of entries without a title.
std::string headline_of(const protocol::entry& e) {
    if (e.title) {
        return *e.title;
    }
    std::string text = e.body.substr(0, e.body.find('\n'));
    text.erase(
        std::remove_if(text.begin(), text.end(), [](char c) { return c == '*' || c == '#'; }),
        text.end());
    if (text.size() > 110) {
        auto cut = text.rfind(' ', 110);
        text = text.substr(0, cut == std::string::npos ? 110 : cut) + " …";
    }
    return text;
}

std::string link(std::string_view public_url, std::string_view path) {
    return std::string(public_url) + std::string(path);
}

std::string json_ld(std::string_view public_url, const protocol::ticker& t,
                    std::span<const protocol::entry> entries) {
    const std::string page = link(public_url, "/t/" + t.id);
    std::int64_t modified = t.created_at_ms;
    nlohmann::json updates = nlohmann::json::array();
    for (const auto& e : entries) {
        modified = std::max(modified, e.updated_at_ms);
        updates.push_back({{"@type", "BlogPosting"},
                           {"headline", headline_of(e)},
                           {"datePublished", protocol::format_timestamp(e.created_at_ms)},
                           {"dateModified", protocol::format_timestamp(e.updated_at_ms)},
                           {"author", {{"@type", "Person"}, {"name", e.author}}},
                           {"articleBody", e.body},
                           {"url", page + "#entry-" + std::to_string(e.id)}});
    }
    nlohmann::json doc = {{"@context", "https://schema.org"},
                          {"@type", "LiveBlogPosting"},
                          {"headline", t.title},
                          {"description", t.description},
                          {"url", page},
                          {"datePublished", protocol::format_timestamp(t.created_at_ms)},
                          {"dateModified", protocol::format_timestamp(modified)},
                          {"coverageStartTime", protocol::format_timestamp(t.created_at_ms)},
                          {"liveBlogUpdate", updates}};
    if (t.status == protocol::ticker_status::ended) {
        doc["coverageEndTime"] = protocol::format_timestamp(modified);
    }
    return json_for_script(doc.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace));
}

} // namespace

std::string escape_html(std::string_view text) {
    std::string out;
    out.reserve(text.size() + text.size() / 8);
    for (const char c : text) {
        switch (c) {
        case '&':
            out += "&amp;";
            break;
        case '<':
            out += "&lt;";
            break;
        case '>':
            out += "&gt;";
            break;
        case '"':
            out += "&quot;";
            break;
        case '\'':
            out += "&#39;";
            break;
        default:
            out += c;
        }
    }
    return out;
}

std::string render_entry_article(const protocol::entry& e) {
    const std::string id = std::to_string(e.id);
    const std::string created = protocol::format_timestamp(e.created_at_ms);
    std::string out;
    out.reserve(e.html.size() + 512);
    out += "<article class=\"lt-entry";
    out += e.pinned ? " lt-pinned" : "";
    out += e.key ? " lt-key" : "";
    out += "\" id=\"entry-" + id + "\" data-id=\"" + id + "\" data-revision=\"" +
           std::to_string(e.revision) + "\">";
    out += "<div class=\"lt-meta\"><time class=\"lt-time\" datetime=\"" + created + "\">" +
           utc_clock(e.created_at_ms) + "</time>";
    if (e.pinned) {
        out += "<span class=\"lt-flag lt-flag-pinned\">Angeheftet</span>";
    }
    if (e.key) {
        out += "<span class=\"lt-flag lt-flag-key\">Wichtig</span>";
    }
    if (e.revision > 1) {
        out += "<span class=\"lt-updated\">aktualisiert</span>";
    }
    out += "</div>";
    if (e.title) {
        out += "<h2 class=\"lt-entry-title\">" + escape_html(*e.title) + "</h2>";
    }
    out += "<div class=\"lt-body\">" + e.html + "</div>"; // sanitised when it was written
    if (e.image) {
        const auto& img = *e.image;
        out += "<figure class=\"lt-figure\"><img class=\"lt-img\" src=\"" + escape_html(img.url) +
               "\" alt=\"" + escape_html(img.alt) +
               "\" loading=\"lazy\" decoding=\"async\" width=\"1200\" height=\"675\"><figcaption>";
        if (!img.caption.empty()) {
            out += "<span class=\"lt-caption\">" + escape_html(img.caption) + "</span>";
        }
        if (!img.credit.empty()) {
            out += " <span class=\"lt-credit\">" + escape_html(img.credit) + "</span>";
        }
        out += "</figcaption></figure>";
    }
    out += "</article>";
    return out;
}

std::string render_ticker_page(std::string_view index_html, std::string_view public_url,
                               const protocol::ticker& t, order ord,
                               std::span<const protocol::entry> entries,
                               const std::optional<protocol::cursor>& next) {
    std::string page(index_html);
    const std::string canonical = link(public_url, "/t/" + t.id);
    std::string head;
    head += "<meta name=\"description\" content=\"" + escape_html(t.description) + "\">";
    head += "<link rel=\"canonical\" href=\"" + escape_html(canonical) + "\">";
    head += "<link rel=\"alternate\" type=\"application/atom+xml\" title=\"" +
            escape_html(t.title) + "\" href=\"" + escape_html(canonical + "/feed.atom") + "\">";
    head += "<script type=\"application/ld+json\">" + json_ld(public_url, t, entries) + "</script>";
    head += "<script id=\"lt-initial\" type=\"application/json\">" +
            json_for_script(protocol::encode_snapshot(t, ord, entries, next)) + "</script>";

    std::string articles;
    for (const auto& e : entries) {
        articles += render_entry_article(e);
    }
    replace_once(page, "<title>Liveticker</title>",
                 "<title>" + escape_html(t.title) + " – Liveticker</title>");
    replace_once(page, "<!--lt:head-->", head);
    replace_once(page, "<!--lt:title-->", escape_html(t.title));
    replace_once(page, "<!--lt:description-->", escape_html(t.description));
    replace_once(page, "<!--lt:count-->", std::to_string(t.entry_count));
    replace_once(page, "<!--lt:status-->",
                 t.status == protocol::ticker_status::ended ? "Beendet" : "Live");
    replace_once(page, "<!--lt:entries-->", articles);
    return page;
}

std::string render_atom_feed(std::string_view public_url, const protocol::ticker& t,
                             std::span<const protocol::entry> entries) {
    std::int64_t updated = t.created_at_ms;
    for (const auto& e : entries) {
        updated = std::max(updated, e.updated_at_ms);
    }
    const std::string page = link(public_url, "/t/" + t.id);
    std::string out = "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n"
                      "<feed xmlns=\"http://www.w3.org/2005/Atom\">";
    // Ids are URNs so they stay the same whatever host name the feed was fetched through.
    out += "<id>urn:liveticker:ticker:" + t.id + "</id>";
    out += "<title>" + escape_html(t.title) + "</title>";
    if (!t.description.empty()) {
        out += "<subtitle>" + escape_html(t.description) + "</subtitle>";
    }
    out += "<updated>" + protocol::format_timestamp(updated) + "</updated>";
    out += "<link rel=\"alternate\" type=\"text/html\" href=\"" + escape_html(page) + "\"/>";
    out += "<link rel=\"self\" type=\"application/atom+xml\" href=\"" +
           escape_html(page + "/feed.atom") + "\"/>";
    out += "<author><name>Liveticker</name></author><generator>Liveticker</generator>";
    for (const auto& e : entries) {
        out += "<entry><id>urn:liveticker:entry:" + std::to_string(e.id) + "</id>";
        out += "<title>" + escape_html(headline_of(e)) + "</title>";
        out += "<published>" + protocol::format_timestamp(e.created_at_ms) + "</published>";
        out += "<updated>" + protocol::format_timestamp(e.updated_at_ms) + "</updated>";
        out += "<author><name>" + escape_html(e.author) + "</name></author>";
        out += "<link rel=\"alternate\" type=\"text/html\" href=\"" +
               escape_html(page + "#entry-" + std::to_string(e.id)) + "\"/>";
        if (e.key) {
            out += "<category term=\"key\"/>";
        }
        out += "<content type=\"html\">" + escape_html(e.html) + "</content></entry>";
    }
    out += "</feed>\n";
    return out;
}

reader_pages::reader_pages(ticker_hub& hub, const static_files& files, std::string public_url)
    : hub_(hub)
    , files_(files)
    , public_url_(std::move(public_url)) {}

std::optional<page_response> reader_pages::handle(std::string_view path,
                                                  std::string_view query) const {
    if (!path.starts_with("/t/")) {
        return std::nullopt;
    }
    std::string_view rest = path.substr(3);
    bool feed = false;
    if (rest.ends_with("/feed.atom")) {
        feed = true;
        rest.remove_suffix(std::string_view("/feed.atom").size());
    } else if (rest.ends_with('/')) {
        rest.remove_suffix(1);
    }
    const static_file* index = files_.find("/index.html");
    if (!protocol::is_valid_ticker_id(rest) || (!feed && index == nullptr)) {
        return std::nullopt; // the static files answer (index.html shows "not found") or 404
    }
    auto ord = order::newest; // a page with a broken query string is still the ticker's page
    try {
        ord = protocol::decode_page_query(query).ord;
    } catch (const protocol::decode_error&) {
    }
    std::optional<std::shared_ptr<const std::string>> body;
    if (feed) {
        body = hub_.rendered_first_page(
            rest, ticker_hub::page_format::atom_feed, order::newest, page_size,
            [this](const protocol::ticker& t, order, std::span<const protocol::entry> entries,
                   const std::optional<protocol::cursor>&) {
                return render_atom_feed(public_url_, t, entries);
            });
    } else {
        body = hub_.rendered_first_page(rest, ticker_hub::page_format::html_page, ord, page_size,
                                        [this, index](const protocol::ticker& t, order o,
                                                      std::span<const protocol::entry> entries,
                                                      const std::optional<protocol::cursor>& next) {
                                            return render_ticker_page(index->content, public_url_,
                                                                      t, o, entries, next);
                                        });
    }
    if (!body) {
        if (feed) {
            return page_response{404, "text/plain; charset=utf-8",
                                 std::make_shared<const std::string>("no such ticker\n")};
        }
        // The web client's page, which tells the reader that the ticker does not exist.
        return page_response{404, index->mime_type,
                             std::make_shared<const std::string>(index->content)};
    }
    return page_response{200, feed ? "application/atom+xml; charset=utf-8" : index->mime_type,
                         std::move(*body)};
}

} // namespace liveticker::server
