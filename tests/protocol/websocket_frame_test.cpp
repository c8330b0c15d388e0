#include "liveticker/protocol/websocket_frame.hpp"

#include <catch2/catch.hpp>

#include <cstdint>
#include <string>

namespace lt = liveticker::protocol;

namespace {

// Reads the header back the way RFC 6455 section 5.2 describes it, independently of the encoder.
struct parsed_header {
    bool fin = false;
    int opcode = 0;
    bool masked = false;
    std::uint64_t length = 0;
    std::size_t header_size = 0;
};

parsed_header parse(const std::string& frame) {
    const auto byte = [&](std::size_t i) {
        return static_cast<unsigned char>(frame.at(i));
    };
    parsed_header h;
    h.fin = (byte(0) & 0x80) != 0;
    h.opcode = byte(0) & 0x0f;
    h.masked = (byte(1) & 0x80) != 0;
    const unsigned len7 = byte(1) & 0x7f;
    if (len7 < 126) {
        h.length = len7;
        h.header_size = 2;
    } else {
        const std::size_t n = len7 == 126 ? 2 : 8;
        for (std::size_t i = 0; i < n; ++i) {
            h.length = (h.length << 8) | byte(2 + i);
        }
        h.header_size = 2 + n;
    }
    return h;
}

} // namespace

TEST_CASE("websocket text frames carry their payload with the shortest length field") {
    // The boundaries of the 7-bit, 16-bit and 64-bit length encodings.
    for (const std::size_t size : {0u, 1u, 125u, 126u, 127u, 65535u, 65536u, 200000u}) {
        const std::string payload(size, 'x');
        const auto frame = lt::websocket_text_frame(payload);
        const auto h = parse(frame);
        CAPTURE(size);
        CHECK(h.fin);
        CHECK(h.opcode == 1);
        CHECK_FALSE(h.masked);
        CHECK(h.length == size);
        CHECK(h.header_size == lt::websocket_header_size(size));
        CHECK(h.header_size == (size <= 125 ? 2u : size <= 65535 ? 4u : 10u));
        CHECK(frame.size() == h.header_size + size);
        CHECK(frame.substr(h.header_size) == payload);
    }
}

TEST_CASE("websocket text frames keep UTF-8 payloads byte for byte") {
    const std::string payload = "{\"title\":\"Gespräch läuft – Älteste oben\"}";
    const auto frame = lt::websocket_text_frame(payload);
    CHECK(frame.substr(lt::websocket_header_size(payload.size())) == payload);
}
