// Opaque page cursors: a position (order + last id seen), never an offset.
#pragma once

#include "liveticker/protocol/types.hpp"

#include <optional>
#include <string>
#include <string_view>

namespace liveticker::protocol {

/// URL-safe text, at most limits::cursor_max bytes.
std::string encode_cursor(const cursor& c);
/// std::nullopt for anything encode_cursor did not produce.
std::optional<cursor> decode_cursor(std::string_view text) noexcept;

} // namespace liveticker::protocol
