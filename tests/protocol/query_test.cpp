// Page query strings as browsers, proxies and tickerctl send them.
#include "liveticker/protocol/cursor.hpp"
#include "liveticker/protocol/json.hpp"
#include "liveticker/protocol/query.hpp"

#include <catch2/catch.hpp>

#include <string>

using namespace liveticker::protocol;

namespace {

std::string field_of_error(std::string_view query) {
    try {
        decode_page_query(query);
    } catch (const decode_error& e) {
        return e.field();
    }
    return "(no error)";
}

} // namespace

TEST_CASE("an empty query asks for the newest first page", "[protocol][query]") {
    const auto q = decode_page_query("");
    CHECK(q.ord == order::newest);
    CHECK(q.limit == limits::page_limit_default);
    CHECK_FALSE(q.after.has_value());
}

TEST_CASE("order, limit and cursor are read, percent-encoded or not", "[protocol][query]") {
    const auto q = decode_page_query("order=oldest&limit=5");
    CHECK(q.ord == order::oldest);
    CHECK(q.limit == 5);

    const auto c = encode_cursor(cursor{order::oldest, 41});
    const auto continued = decode_page_query("limit=100&cursor=" + c + "&_=1700000000");
    REQUIRE(continued.after.has_value());
    CHECK(continued.after->last_id == 41);
    CHECK(continued.ord == order::oldest); // the cursor carries its order
    CHECK(decode_page_query("order=%6Fldest").ord == order::oldest);
}

TEST_CASE("a bad parameter is refused by name", "[protocol][query]") {
    CHECK(field_of_error("order=sideways") == "order");
    CHECK(field_of_error("order=") == "order");
    CHECK(field_of_error("limit=0") == "limit");
    CHECK(field_of_error("limit=101") == "limit");
    CHECK(field_of_error("limit=5x") == "limit");
    CHECK(field_of_error("limit=") == "limit");
    CHECK(field_of_error("cursor=zzz") == "cursor");
    CHECK(field_of_error("cursor=%") == "cursor");
    CHECK(field_of_error("order=newest&cursor=" + encode_cursor(cursor{order::oldest, 3})) ==
          "cursor");
    CHECK(field_of_error("utm_source=x&&=&order=newest") == "(no error)");
}
