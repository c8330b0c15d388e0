// Timestamps: the exact text on the wire and the refusal of every other spelling.
#include "liveticker/protocol/time.hpp"

#include <catch2/catch.hpp>

#include <cstdint>
#include <limits>
#include <string>

using namespace liveticker::protocol;

namespace {
constexpr std::int64_t day_ms = 86'400'000;
}

TEST_CASE("format_timestamp", "[time]") {
    CHECK(format_timestamp(0) == "1970-01-01T00:00:00.000Z");
    CHECK(format_timestamp(1) == "1970-01-01T00:00:00.001Z");
    CHECK(format_timestamp(1'640'896'200'000) == "2021-12-30T20:30:00.000Z");
    CHECK(format_timestamp(1'640'995'199'999) == "2021-12-31T23:59:59.999Z");
    CHECK(format_timestamp(951'782'400'000) == "2000-02-29T00:00:00.000Z"); // leap (400 rule)
    CHECK(format_timestamp(951'868'800'000) == "2000-03-01T00:00:00.000Z");
    CHECK(format_timestamp(1'709'164'800'000) == "2024-02-29T00:00:00.000Z");
    CHECK(format_timestamp(4'107'542'400'000) == "2100-03-01T00:00:00.000Z"); // 2100: no leap
    CHECK(format_timestamp(4'107'542'400'000 - day_ms) == "2100-02-28T00:00:00.000Z");
    CHECK(format_timestamp(2'147'483'648'000) == "2038-01-19T03:14:08.000Z"); // past 32-bit time_t
}

TEST_CASE("format_timestamp before the epoch", "[time]") {
    CHECK(format_timestamp(-1) == "1969-12-31T23:59:59.999Z");
    CHECK(format_timestamp(-day_ms) == "1969-12-31T00:00:00.000Z");
    CHECK(format_timestamp(-62'167'219'200'000) == "0000-01-01T00:00:00.000Z");
}

TEST_CASE("format_timestamp clamps to four-digit years", "[time]") {
    CHECK(format_timestamp(std::numeric_limits<std::int64_t>::min()) == "0000-01-01T00:00:00.000Z");
    CHECK(format_timestamp(std::numeric_limits<std::int64_t>::max()) == "9999-12-31T23:59:59.999Z");
}

TEST_CASE("parse_timestamp accepts both spellings", "[time]") {
    CHECK(parse_timestamp("1970-01-01T00:00:00.000Z") == 0);
    CHECK(parse_timestamp("1970-01-01T00:00:00Z") == 0);
    CHECK(parse_timestamp("2021-12-30T20:30:00.000Z") == 1'640'896'200'000);
    CHECK(parse_timestamp("2021-12-30T20:30:00Z") == 1'640'896'200'000);
    CHECK(parse_timestamp("2021-12-30T20:30:00.042Z") == 1'640'896'200'042);
    CHECK(parse_timestamp("2000-02-29T12:00:00Z") == 951'825'600'000);
    CHECK(parse_timestamp("1969-12-31T23:59:59.999Z") == -1);
}

TEST_CASE("parse_timestamp inverts format_timestamp", "[time]") {
    const auto ms = GENERATE(std::int64_t{0}, std::int64_t{-1}, std::int64_t{1'640'896'200'123},
                             std::int64_t{951'782'399'999}, std::int64_t{253'402'300'799'999},
                             std::int64_t{-62'167'219'200'000}, std::int64_t{1'234'567'890'123});
    CAPTURE(ms);
    CHECK(parse_timestamp(format_timestamp(ms)) == ms);
}

TEST_CASE("parse_timestamp refuses everything else", "[time]") {
    const auto text = GENERATE(as<std::string>{},
                               "",                              //
                               "2021-12-30",                    // date only
                               "2021-12-30T20:30:00",           // no zone
                               "2021-12-30T20:30:00.000",       //
                               "2021-12-30T20:30:00+00:00",     // offsets are not UTC-only
                               "2021-12-30T20:30:00.000+01:00", //
                               "2021-12-30t20:30:00.000z",      // lower case
                               "2021-12-30 20:30:00.000Z",      // space
                               "2021-12-30T20:30:00.0Z",        // 1 or 2 digit fractions
                               "2021-12-30T20:30:00.00Z",       //
                               "2021-12-30T20:30:00.0000Z",     // more than ms
                               "2021-12-30T20:30:00,000Z",      // comma
                               "21-12-30T20:30:00.000Z",        // two-digit year
                               "+2021-12-30T20:30:00.000Z",     //
                               "2021-13-01T00:00:00.000Z",      // month 13
                               "2021-00-01T00:00:00.000Z",      // month 0
                               "2021-12-00T00:00:00.000Z",      // day 0
                               "2021-12-32T00:00:00.000Z",      //
                               "2021-02-29T00:00:00.000Z",      // not a leap year
                               "2100-02-29T00:00:00.000Z",      // century, not a leap year
                               "2021-04-31T00:00:00.000Z",      //
                               "2021-12-30T24:00:00.000Z",      // hour 24
                               "2021-12-30T20:60:00.000Z",      //
                               "2016-12-31T23:59:60.000Z",      // leap second
                               "2021-12-3OT20:30:00.000Z",      // letter O
                               "2021-12-30T20:30:0-.000Z",      //
                               "2021-12-30T2 :30:00.000Z",      //
                               "2021-12-30T20:30:00.000Z ",     // trailing space
                               " 2021-12-30T20:30:00.000Z");    // leading space
    CAPTURE(text);
    CHECK_FALSE(parse_timestamp(text));
}

TEST_CASE("parse_timestamp accepts 29 February in leap years", "[time]") {
    CHECK(parse_timestamp("2024-02-29T00:00:00.000Z"));
    CHECK(parse_timestamp("2000-02-29T00:00:00.000Z"));
    CHECK(parse_timestamp("1600-02-29T00:00:00.000Z"));
    CHECK(parse_timestamp("0000-02-29T00:00:00.000Z"));
    CHECK(parse_timestamp("9999-12-31T23:59:59.999Z") == 253'402'300'799'999);
}
