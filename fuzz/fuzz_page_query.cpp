// Fuzzes the query strings of page requests (HTTP API and reader page): any bytes must either
// decode into limits the server can serve or throw decode_error.
#include "liveticker/protocol/json.hpp"
#include "liveticker/protocol/query.hpp"

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    using namespace liveticker::protocol;
    try {
        const auto q =
            decode_page_query(std::string_view(reinterpret_cast<const char*>(data), size));
        if (q.limit < limits::page_limit_min || q.limit > limits::page_limit_max ||
            (q.after && q.after->ord != q.ord)) {
            std::abort();
        }
    } catch (const decode_error&) {
    }
    return 0;
}
