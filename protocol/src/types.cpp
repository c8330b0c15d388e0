// Wire spellings of the protocol's enums and the ticker id rule; json.cpp and the server's URL
// routing both rely on these, so they live apart from any encoding.
#include "liveticker/protocol/types.hpp"

#include "liveticker/protocol/limits.hpp"

namespace liveticker::protocol {

std::string_view to_string(order o) noexcept {
    switch (o) {
    case order::newest:
        return "newest";
    case order::oldest:
        return "oldest";
    }
    return "newest"; // unreachable for valid enumerators; keeps -Wreturn-type quiet
}

std::string_view to_string(ticker_status s) noexcept {
    switch (s) {
    case ticker_status::live:
        return "live";
    case ticker_status::ended:
        return "ended";
    }
    return "live";
}

std::string_view to_string(event_op op) noexcept {
    switch (op) {
    case event_op::create:
        return "create";
    case event_op::update:
        return "update";
    case event_op::remove:
        return "delete"; // `delete` is a C++ keyword, hence the enumerator's other name
    case event_op::ticker:
        return "ticker";
    }
    return "create";
}

std::optional<order> parse_order(std::string_view text) noexcept {
    if (text == "newest")
        return order::newest;
    if (text == "oldest")
        return order::oldest;
    return std::nullopt;
}

std::optional<ticker_status> parse_ticker_status(std::string_view text) noexcept {
    if (text == "live")
        return ticker_status::live;
    if (text == "ended")
        return ticker_status::ended;
    return std::nullopt;
}

bool is_valid_ticker_id(std::string_view id) noexcept {
    // Ids appear in URL paths and file-like contexts, so only a conservative ASCII subset.
    if (id.empty() || id.size() > limits::ticker_id_max)
        return false;
    const auto is_lower_alnum = [](char c) {
        return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
    };
    if (!is_lower_alnum(id.front()))
        return false;
    for (const char c : id.substr(1)) {
        if (!is_lower_alnum(c) && c != '-')
            return false;
    }
    return true;
}

} // namespace liveticker::protocol
