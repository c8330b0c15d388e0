// The reader's pages that tickerd renders itself: /t/{ticker} (the web client's index.html with
// the first page of entries already in it, for readers without JavaScript, search engines and a
// first paint without waiting for the WebSocket) and /t/{ticker}/feed.atom. Both come from the
// hub's memory and are cached there until the ticker changes. Free of Beast, like editor_api.
#pragma once

#include "liveticker/protocol/types.hpp"

#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>

namespace liveticker::server {

class ticker_hub;
class static_files;

struct page_response {
    unsigned status = 200;
    std::string content_type;
    std::shared_ptr<const std::string> body;
};

class reader_pages {
public:
    /// `public_url` ("https://ticker.example.org", no trailing slash) makes links absolute;
    /// empty keeps them relative to wherever the page was served from.
    reader_pages(ticker_hub& hub, const static_files& files, std::string public_url);

    /// An answer for GET /t/{ticker}[/feed.atom][?order=…]; std::nullopt for other paths.
    std::optional<page_response> handle(std::string_view path, std::string_view query) const;

    /// Number of entries on a rendered page and in the feed.
    static constexpr int page_size = 20;

private:
    ticker_hub& hub_;
    const static_files& files_;
    const std::string public_url_;
};

/// `text` with &, <, >, " and ' escaped for HTML text and attribute values.
std::string escape_html(std::string_view text);
/// One entry as the web client's markup (see web/lib/render.js, which builds the same).
std::string render_entry_article(const protocol::entry& e);
/// index.html with the ticker's first page filled into its markers.
std::string render_ticker_page(std::string_view index_html, std::string_view public_url,
                               const protocol::ticker& t, protocol::order ord,
                               std::span<const protocol::entry> entries,
                               const std::optional<protocol::cursor>& next);
/// An Atom feed (RFC 4287) of the entries, newest first.
std::string render_atom_feed(std::string_view public_url, const protocol::ticker& t,
                             std::span<const protocol::entry> entries);

} // namespace liveticker::server
