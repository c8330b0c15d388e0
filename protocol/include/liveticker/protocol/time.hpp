// Timestamps on the wire: RFC 3339, UTC, milliseconds ("2021-12-30T20:30:00.000Z").
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace liveticker::protocol {

std::string format_timestamp(std::int64_t unix_ms);
/// Accepts what format_timestamp produces (and the same without milliseconds).
std::optional<std::int64_t> parse_timestamp(std::string_view text) noexcept;

} // namespace liveticker::protocol
