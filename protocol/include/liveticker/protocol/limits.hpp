// Explicit limits on everything that comes from outside. The README's configuration table
// and protocol/README.md quote these numbers.
#pragma once

#include <cstddef>

namespace liveticker::protocol::limits {

inline constexpr std::size_t ticker_id_max = 64;
inline constexpr std::size_t ticker_title_max = 200;       // characters (UTF-8 code points)
inline constexpr std::size_t ticker_description_max = 2000;
inline constexpr std::size_t entry_title_max = 300;
inline constexpr std::size_t entry_body_max = 20000;
inline constexpr std::size_t image_url_max = 2048;          // bytes
inline constexpr std::size_t image_caption_max = 500;
inline constexpr std::size_t image_credit_max = 200;
inline constexpr std::size_t image_alt_max = 500;
inline constexpr std::size_t idempotency_key_max = 128;     // bytes

inline constexpr int page_limit_min = 1;
inline constexpr int page_limit_max = 100;
inline constexpr int page_limit_default = 20;

inline constexpr std::size_t cursor_max = 64; // bytes of an encoded cursor

} // namespace liveticker::protocol::limits
