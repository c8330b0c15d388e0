#include "liveticker/protocol/websocket_frame.hpp"

#include <cstdint>

namespace liveticker::protocol {

namespace {
constexpr unsigned char fin_text = 0x81; // FIN, opcode 1 (text)
constexpr std::size_t max_short = 125;   // lengths up to this fit the 7-bit field
constexpr unsigned char length_16 = 126; // a 16-bit length follows
constexpr unsigned char length_64 = 127; // a 64-bit length follows
} // namespace

std::size_t websocket_header_size(std::size_t payload_size) noexcept {
    if (payload_size <= max_short) {
        return 2;
    }
    return payload_size <= 0xffff ? 4 : 10;
}

std::string websocket_text_frame(std::string_view payload) {
    const std::size_t header = websocket_header_size(payload.size());
    std::string frame;
    frame.reserve(header + payload.size());
    frame.push_back(static_cast<char>(fin_text));
    if (header == 2) {
        frame.push_back(static_cast<char>(payload.size()));
    } else {
        const int length_bytes = header == 4 ? 2 : 8;
        frame.push_back(static_cast<char>(header == 4 ? length_16 : length_64));
        // Network byte order, most significant byte first.
        const auto size = static_cast<std::uint64_t>(payload.size());
        for (int i = length_bytes - 1; i >= 0; --i) {
            frame.push_back(static_cast<char>((size >> (8 * i)) & 0xff));
        }
    }
    frame.append(payload);
    return frame;
}

} // namespace liveticker::protocol
