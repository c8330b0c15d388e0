// tickerctl's command line and commands as a library: main.cpp only hands over argv and the
// process's streams, so everything here can be driven with string streams too.
#pragma once

#include <cstddef>
#include <cstdint>
#include <iosfwd>
#include <optional>
#include <string>
#include <string_view>

namespace liveticker::tickerctl {

/// tickerctl's exit codes, also listed in the --help footer. Scripts rely on them.
enum exit_code : int {
    exit_ok = 0,
    exit_failed = 1,       ///< anything not listed below (server error, unexpected answer)
    exit_usage = 2,        ///< bad command line (all of CLI11's parse errors map here)
    exit_unreachable = 3,  ///< cannot connect, timed out, connection dropped
    exit_unauthorized = 4, ///< 401/403: token missing or wrong
    exit_not_found = 5,    ///< 404: no such ticker or entry
    exit_invalid = 6,      ///< 400/409/413/415/422: the server refused the request's content
};

/// The process's surroundings, passed in so tests need no real terminal.
struct environment {
    std::istream& in;
    std::ostream& out;
    std::ostream& err;
    bool stdin_is_tty = false;
    /// Width available for table lines.
    std::size_t columns = 80;
};

/// Parses `argv` and runs the command; returns the exit code. Never throws.
int run(int argc, const char* const* argv, const environment& env);

/// Reads the terminal's environment: whether stdin is a terminal, and stdout's width (the
/// terminal's, else $COLUMNS, else 80).
environment process_environment();

// ---- Helpers, exposed because their behaviour is part of the output format ----

/// 128 random bits as 32 lowercase hex digits, for the Idempotency-Key header.
std::string new_idempotency_key();

/// The text up to the first line break, without trailing blanks.
std::string first_line(std::string_view text);

/// `text` cut to at most `columns` code points, ending in "…" when cut. UTF-8 aware, so a
/// cut never splits a character.
std::string truncate_columns(std::string_view text, std::size_t columns);

/// Milliseconds since the epoch from an RFC 3339 UTC timestamp ("2021-12-30T20:30:00.000Z").
std::optional<std::int64_t> parse_utc_timestamp(std::string_view text);

/// Local "HH:MM" when `unix_ms` is on the same local day as `now_ms`, else "YYYY-MM-DD".
std::string short_local_time(std::int64_t unix_ms, std::int64_t now_ms);

/// Percent-encodes everything but RFC 3986's unreserved characters (for path segments and
/// query values).
std::string url_encode(std::string_view text);

} // namespace liveticker::tickerctl
