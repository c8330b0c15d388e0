// A server's WebSocket text frame (RFC 6455, section 5.2), encoded once per message so that the
// same bytes go to every reader: frames from a server are not masked, so they do not differ
// between connections.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace liveticker::protocol {

/// Bytes of the header for a payload of `payload_size`: 2, 4 or 10.
std::size_t websocket_header_size(std::size_t payload_size) noexcept;

/// One unfragmented, unmasked text frame (FIN set, opcode 1) carrying `payload`.
std::string websocket_text_frame(std::string_view payload);

} // namespace liveticker::protocol
