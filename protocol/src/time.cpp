// RFC 3339 timestamps for the wire. Plain integer calendar arithmetic (Howard Hinnant's
// days-from-civil) rather than gmtime/strftime: no locale, no shared state, no time zone files,
// and well defined for every std::int64_t.
#include "liveticker/protocol/time.hpp"

#include <algorithm>

namespace liveticker::protocol {
namespace {

constexpr std::int64_t ms_per_second = 1000;
constexpr std::int64_t ms_per_day = 86'400'000;

struct civil_date {
    std::int64_t year;
    unsigned month; // 1..12
    unsigned day;   // 1..31
};

// Days since 1970-01-01 of a proleptic Gregorian date.
constexpr std::int64_t days_from_civil(std::int64_t y, unsigned m, unsigned d) noexcept {
    y -= m <= 2 ? 1 : 0;
    const std::int64_t era = (y >= 0 ? y : y - 399) / 400;
    const auto yoe = static_cast<unsigned>(y - era * 400);
    const unsigned doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
    const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + static_cast<std::int64_t>(doe) - 719468;
}

constexpr civil_date civil_from_days(std::int64_t z) noexcept {
    z += 719468;
    const std::int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    const auto doe = static_cast<unsigned>(z - era * 146097);
    const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    const unsigned mp = (5 * doy + 2) / 153;
    const unsigned d = doy - (153 * mp + 2) / 5 + 1;
    const unsigned m = mp < 10 ? mp + 3 : mp - 9;
    const std::int64_t y = static_cast<std::int64_t>(yoe) + era * 400 + (m <= 2 ? 1 : 0);
    return {y, m, d};
}

constexpr bool is_leap_year(std::int64_t y) noexcept {
    return y % 4 == 0 && (y % 100 != 0 || y % 400 == 0);
}

constexpr unsigned days_in_month(std::int64_t y, unsigned m) noexcept {
    constexpr unsigned days[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    return m == 2 && is_leap_year(y) ? 29 : days[m - 1];
}

static_assert(days_from_civil(1970, 1, 1) == 0);
static_assert(days_from_civil(2000, 3, 1) == 11017);
static_assert(civil_from_days(-1).year == 1969 && civil_from_days(-1).day == 31);

// RFC 3339 only has four-digit years; formatting clamps to them so that the output is always
// parseable and always 24 characters.
constexpr std::int64_t min_ms = days_from_civil(0, 1, 1) * ms_per_day;
constexpr std::int64_t max_ms = days_from_civil(10000, 1, 1) * ms_per_day - 1;

void put_digits(char* out, std::int64_t value, int width) noexcept {
    for (int i = width - 1; i >= 0; --i) {
        out[i] = static_cast<char>('0' + value % 10);
        value /= 10;
    }
}

// Reads exactly `width` ASCII digits; std::from_chars would also accept fewer.
std::optional<unsigned> read_digits(std::string_view text, std::size_t pos,
                                    std::size_t width) noexcept {
    unsigned value = 0;
    for (std::size_t i = pos; i < pos + width; ++i) {
        const char c = text[i];
        if (c < '0' || c > '9')
            return std::nullopt;
        value = value * 10 + static_cast<unsigned>(c - '0');
    }
    return value;
}

} // namespace

std::string format_timestamp(std::int64_t unix_ms) {
    const std::int64_t ms = std::clamp(unix_ms, min_ms, max_ms);
    // Floor division so that times before 1970 land on the right day.
    std::int64_t days = ms / ms_per_day;
    std::int64_t in_day = ms % ms_per_day;
    if (in_day < 0) {
        in_day += ms_per_day;
        --days;
    }
    const civil_date date = civil_from_days(days);

    std::string out = "0000-00-00T00:00:00.000Z";
    put_digits(out.data(), date.year, 4);
    put_digits(out.data() + 5, date.month, 2);
    put_digits(out.data() + 8, date.day, 2);
    put_digits(out.data() + 11, in_day / 3'600'000, 2);
    put_digits(out.data() + 14, in_day / 60'000 % 60, 2);
    put_digits(out.data() + 17, in_day / ms_per_second % 60, 2);
    put_digits(out.data() + 20, in_day % ms_per_second, 3);
    return out;
}

std::optional<std::int64_t> parse_timestamp(std::string_view text) noexcept {
    // "YYYY-MM-DDTHH:MM:SSZ" or "YYYY-MM-DDTHH:MM:SS.mmmZ"; nothing looser, so that a stored
    // value has exactly one spelling.
    const bool with_ms = text.size() == 24;
    if (!with_ms && text.size() != 20)
        return std::nullopt;
    if (text[4] != '-' || text[7] != '-' || text[10] != 'T' || text[13] != ':' || text[16] != ':' ||
        text.back() != 'Z')
        return std::nullopt;
    if (with_ms && text[19] != '.')
        return std::nullopt;

    const auto year = read_digits(text, 0, 4);
    const auto month = read_digits(text, 5, 2);
    const auto day = read_digits(text, 8, 2);
    const auto hour = read_digits(text, 11, 2);
    const auto minute = read_digits(text, 14, 2);
    const auto second = read_digits(text, 17, 2);
    const auto millis = with_ms ? read_digits(text, 20, 3) : std::optional<unsigned>{0};
    if (!year || !month || !day || !hour || !minute || !second || !millis)
        return std::nullopt;
    // Leap seconds (":60") are rejected: Unix time has no place for them.
    if (*month < 1 || *month > 12 || *day < 1 || *day > days_in_month(*year, *month) ||
        *hour > 23 || *minute > 59 || *second > 59)
        return std::nullopt;

    const std::int64_t days = days_from_civil(*year, *month, *day);
    return days * ms_per_day + *hour * std::int64_t{3'600'000} + *minute * std::int64_t{60'000} +
           *second * ms_per_second + *millis;
}

} // namespace liveticker::protocol
