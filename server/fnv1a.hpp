// FNV-1a, 64 bits: a stable, fast fingerprint for ETags and idempotency checks. Stable across
// builds and restarts (unlike std::hash), which both uses need; not a cryptographic hash.
#pragma once

#include <cstdint>
#include <string_view>

namespace liveticker::server {

constexpr std::uint64_t fnv1a64(std::string_view data) noexcept {
    std::uint64_t h = 1469598103934665603ull;
    for (const char c : data) {
        h ^= static_cast<unsigned char>(c);
        h *= 1099511628211ull;
    }
    return h;
}

} // namespace liveticker::server
