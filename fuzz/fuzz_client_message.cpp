// Fuzzes what a reader's browser (or anyone) can send over the WebSocket: any bytes must either
// decode into a valid request or throw decode_error, never crash or throw anything else.
#include "liveticker/protocol/json.hpp"
#include "liveticker/protocol/limits.hpp"

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>
#include <variant>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    using namespace liveticker::protocol;
    const std::string_view text(reinterpret_cast<const char*>(data), size);
    try {
        const auto message = decode_client_message(text);
        // What decodes must hold what the server relies on.
        if (const auto* s = std::get_if<subscribe_request>(&message)) {
            if (!is_valid_ticker_id(s->ticker) || s->limit < limits::page_limit_min ||
                s->limit > limits::page_limit_max || (s->resume_seq && *s->resume_seq < 0)) {
                std::abort();
            }
        } else if (const auto* m = std::get_if<more_request>(&message)) {
            if (!is_valid_ticker_id(m->ticker) || m->after.last_id < 0) {
                std::abort();
            }
        }
    } catch (const decode_error&) {
    }
    return 0;
}
