// Fuzzes the editors' JSON bodies (new ticker, ticker patch, entry draft, entry patch) and the
// Markdown renderer behind them: the first byte picks the decoder, the rest is the body.
#include "liveticker/protocol/json.hpp"
#include "liveticker/protocol/markdown.hpp"

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    using namespace liveticker::protocol;
    if (size == 0) {
        return 0;
    }
    const std::string_view body(reinterpret_cast<const char*>(data) + 1, size - 1);
    try {
        switch (data[0] % 4) {
        case 0:
            if (!is_valid_ticker_id(decode_new_ticker(body).id)) {
                std::abort();
            }
            break;
        case 1:
            decode_ticker_patch(body);
            break;
        case 2: {
            const auto draft = decode_entry_draft(body);
            const std::string html = render_markdown(draft.body);
            if (html.find("<script") != std::string::npos) {
                std::abort(); // raw HTML must never survive rendering
            }
            break;
        }
        default:
            decode_entry_patch(body);
            break;
        }
    } catch (const decode_error&) {
    }
    return 0;
}
