// The query string of a page request (`GET /api/tickers/{id}/entries?…`, `/t/{id}?…`):
// `order=newest|oldest`, `limit=N`, `cursor=C`, each optional, percent-encoded as browsers do.
#pragma once

#include "liveticker/protocol/limits.hpp"
#include "liveticker/protocol/types.hpp"

#include <optional>
#include <string_view>

namespace liveticker::protocol {

struct page_query {
    order ord = order::newest; ///< a cursor's own order when a cursor is given
    int limit = limits::page_limit_default;
    std::optional<cursor> after;
};

/// Throws decode_error naming the parameter ("order", "limit", "cursor") that is invalid, or
/// "cursor" when an explicit order contradicts the cursor's. Other parameters (cache busters
/// that browsers and proxies add) are ignored.
page_query decode_page_query(std::string_view query);

} // namespace liveticker::protocol
