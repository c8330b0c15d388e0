// Cursors must survive a round trip through a URL and refuse anything encode did not produce.
#include "liveticker/protocol/cursor.hpp"
#include "liveticker/protocol/limits.hpp"

#include <catch2/catch.hpp>

#include <cstdint>
#include <limits>
#include <string>

using namespace liveticker::protocol;

TEST_CASE("cursors round-trip", "[cursor]") {
    const auto ord = GENERATE(order::newest, order::oldest);
    const auto id = GENERATE(std::int64_t{0}, std::int64_t{1}, std::int64_t{42},
                             std::int64_t{1'000'000'007}, std::numeric_limits<std::int64_t>::max());
    const cursor c{ord, id};
    const std::string text = encode_cursor(c);
    CAPTURE(text);
    CHECK(decode_cursor(text) == c);
    CHECK(text.size() <= limits::cursor_max);
}

TEST_CASE("cursors are URL-safe", "[cursor]") {
    const std::string text =
        encode_cursor({order::oldest, std::numeric_limits<std::int64_t>::max()});
    for (const char ch : text) {
        CAPTURE(ch);
        // RFC 3986 unreserved characters need no escaping in a query string.
        const bool unreserved = (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
                                (ch >= '0' && ch <= '9') || ch == '-' || ch == '_' || ch == '.' ||
                                ch == '~';
        CHECK(unreserved);
    }
}

TEST_CASE("the two orders give different cursors", "[cursor]") {
    CHECK(encode_cursor({order::newest, 7}) != encode_cursor({order::oldest, 7}));
}

TEST_CASE("malformed cursors are refused", "[cursor]") {
    const auto text = GENERATE(as<std::string>{},
                               "",                     // empty
                               "n",                    // no id
                               "o",                    //
                               "x12",                  // unknown order
                               "N12",                  // case matters
                               "12",                   // no order
                               "n-1",                  // negative
                               "n+1",                  // sign
                               "n 1",                  // space
                               "n1 ",                  // trailing space
                               "n12a",                 // trailing garbage
                               "n1.5",                 //
                               "n01",                  // leading zero: not what encode writes
                               "n00",                  //
                               "n9223372036854775808", // int64 overflow
                               "o99999999999999999999999", "n0x10");
    CAPTURE(text);
    CHECK_FALSE(decode_cursor(text));
}

TEST_CASE("over-long cursors are refused before parsing", "[cursor]") {
    CHECK_FALSE(decode_cursor("n" + std::string(limits::cursor_max, '1')));
    CHECK_FALSE(decode_cursor("n" + std::string(10'000, '0')));
}

TEST_CASE("cursor text with embedded NUL is refused", "[cursor]") {
    CHECK_FALSE(decode_cursor(std::string_view{"n1\0", 3}));
}
