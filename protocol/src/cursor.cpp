// Page cursors on the wire: "n<id>" or "o<id>" (newest/oldest first, then the last entry id
// seen). Only letters and digits, so a cursor can go into a query string unescaped. Decoding
// accepts exactly what encoding produces, so that a forged or truncated cursor is refused
// instead of being read as some other position.
#include "liveticker/protocol/cursor.hpp"

#include "liveticker/protocol/limits.hpp"

#include <charconv>

namespace liveticker::protocol {

std::string encode_cursor(const cursor& c) {
    // Entry ids are positive; a negative last_id would be a caller's bug and does not decode.
    // Appending rather than `"n" + std::to_string(…)` sidesteps a false -Wrestrict
    // from GCC 12 in optimised builds.
    std::string text(1, c.ord == order::newest ? 'n' : 'o');
    text += std::to_string(c.last_id);
    return text;
}

std::optional<cursor> decode_cursor(std::string_view text) noexcept {
    if (text.size() < 2 || text.size() > limits::cursor_max)
        return std::nullopt;
    cursor c;
    switch (text.front()) {
    case 'n':
        c.ord = order::newest;
        break;
    case 'o':
        c.ord = order::oldest;
        break;
    default:
        return std::nullopt;
    }
    const std::string_view digits = text.substr(1);
    // from_chars would accept a leading '-'; leading zeros are not something encode produces.
    if (digits.front() < '0' || digits.front() > '9' ||
        (digits.front() == '0' && digits.size() > 1))
        return std::nullopt;
    const auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), c.last_id);
    if (ec != std::errc{} || end != digits.data() + digits.size())
        return std::nullopt; // overflow or trailing garbage
    return c;
}

} // namespace liveticker::protocol
