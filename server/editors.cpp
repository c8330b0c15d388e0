#include "editors.hpp"

#include <fstream>
#include <sstream>
#include <stdexcept>

namespace liveticker::server {

namespace {

constexpr std::size_t min_token_length = 16;

// Looks at every byte of the longer input whatever the answer, so response timing does not
// tell an attacker how much of a guessed token was right.
bool equal_constant_time(std::string_view a, std::string_view b) {
    const std::size_t n = std::max(a.size(), b.size());
    unsigned diff = static_cast<unsigned>(a.size() ^ b.size());
    for (std::size_t i = 0; i < n; ++i) {
        const auto x = i < a.size() ? static_cast<unsigned char>(a[i]) : 0u;
        const auto y = i < b.size() ? static_cast<unsigned char>(b[i]) : 0u;
        diff |= x ^ y;
    }
    return diff == 0;
}

} // namespace

editors editors::load(const std::filesystem::path& file) {
    std::ifstream in(file);
    if (!in) {
        throw std::runtime_error("cannot read editors file " + file.string());
    }
    editors result;
    std::string line;
    int number = 0;
    while (std::getline(in, line)) {
        ++number;
        if (const auto hash = line.find('#'); hash != std::string::npos) {
            line.erase(hash);
        }
        std::istringstream words(line);
        std::string name;
        std::string token;
        std::string extra;
        if (!(words >> name)) {
            continue; // blank or comment
        }
        if (!(words >> token) || (words >> extra) || token.size() < min_token_length) {
            throw std::runtime_error(file.string() + ":" + std::to_string(number) +
                                     ": expected 'name token' with a token of at least " +
                                     std::to_string(min_token_length) + " characters");
        }
        result.add(std::move(name), std::move(token));
    }
    return result;
}

void editors::add(std::string name, std::string token) {
    editors_.push_back({std::move(name), std::move(token)});
}

std::optional<std::string> editors::authenticate(std::string_view token) const {
    std::optional<std::string> found;
    for (const auto& e : editors_) { // no early exit: same time whichever editor matches
        if (equal_constant_time(e.token, token) && !found) {
            found = e.name;
        }
    }
    return found;
}

} // namespace liveticker::server
