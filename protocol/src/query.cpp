#include "liveticker/protocol/query.hpp"

#include "liveticker/protocol/cursor.hpp"
#include "liveticker/protocol/json.hpp"

#include <charconv>
#include <string>

namespace liveticker::protocol {

namespace {

int hex_value(char c) {
    if (c >= '0' && c <= '9') {
        return c - '0';
    }
    if (c >= 'a' && c <= 'f') {
        return c - 'a' + 10;
    }
    if (c >= 'A' && c <= 'F') {
        return c - 'A' + 10;
    }
    return -1;
}

// application/x-www-form-urlencoded: '+' is a space, %XX a byte; a stray '%' stays as it is.
std::string percent_decode(std::string_view in) {
    std::string out;
    out.reserve(in.size());
    for (std::size_t i = 0; i < in.size(); ++i) {
        if (in[i] == '+') {
            out += ' ';
        } else if (in[i] == '%' && i + 2 < in.size() && hex_value(in[i + 1]) >= 0 &&
                   hex_value(in[i + 2]) >= 0) {
            out += static_cast<char>(hex_value(in[i + 1]) * 16 + hex_value(in[i + 2]));
            i += 2;
        } else {
            out += in[i];
        }
    }
    return out;
}

} // namespace

page_query decode_page_query(std::string_view query) {
    page_query result;
    std::optional<order> explicit_order;
    while (!query.empty()) {
        const auto amp = query.find('&');
        const auto pair = query.substr(0, amp);
        query = amp == std::string_view::npos ? std::string_view{} : query.substr(amp + 1);
        const auto eq = pair.find('=');
        const auto key = pair.substr(0, eq);
        const auto value =
            percent_decode(eq == std::string_view::npos ? std::string_view{} : pair.substr(eq + 1));
        if (key == "order") {
            explicit_order = parse_order(value);
            if (!explicit_order) {
                throw decode_error("order", "must be newest or oldest");
            }
        } else if (key == "limit") {
            int limit = 0;
            const auto [end, ec] =
                std::from_chars(value.data(), value.data() + value.size(), limit);
            if (ec != std::errc() || end != value.data() + value.size() ||
                limit < limits::page_limit_min || limit > limits::page_limit_max) {
                throw decode_error("limit", "must be an integer from 1 to 100");
            }
            result.limit = limit;
        } else if (key == "cursor") {
            result.after = decode_cursor(value);
            if (!result.after) {
                throw decode_error("cursor", "invalid cursor");
            }
        }
    }
    if (result.after && explicit_order && *explicit_order != result.after->ord) {
        throw decode_error("cursor", "the cursor belongs to the other order");
    }
    result.ord = result.after ? result.after->ord : explicit_order.value_or(order::newest);
    return result;
}

} // namespace liveticker::protocol
