// Fuzzes page cursors, which come back from clients in query strings and `more` messages:
// decoding never crashes, and whatever decodes encodes back to the same text.
#include "liveticker/protocol/cursor.hpp"

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    using namespace liveticker::protocol;
    const std::string_view text(reinterpret_cast<const char*>(data), size);
    if (const auto c = decode_cursor(text)) {
        if (encode_cursor(*c) != text) {
            std::abort();
        }
    }
    return 0;
}
