// Caps on open connections, in all and per client address, so that one address (or a flood)
// cannot take every file descriptor. A slot is held for a connection's whole life, HTTP and
// then WebSocket, and given back when the last session holding it goes.
#pragma once

#include <cstddef>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>

namespace liveticker::server {

class connection_limits : public std::enable_shared_from_this<connection_limits> {
public:
    connection_limits(std::size_t max_total, std::size_t max_per_address);

    /// Held by a session; releases its place when destroyed.
    class slot {
    public:
        slot(std::shared_ptr<connection_limits> owner, std::string address);
        ~slot();
        slot(const slot&) = delete;
        slot& operator=(const slot&) = delete;

    private:
        std::shared_ptr<connection_limits> owner_;
        std::string address_;
    };

    /// A slot for a new connection from `address`, or nullptr when a cap is reached.
    std::unique_ptr<slot> try_acquire(const std::string& address);

private:
    void release(const std::string& address);

    const std::size_t max_total_;
    const std::size_t max_per_address_;
    std::mutex mutex_;
    std::size_t total_ = 0;
    std::unordered_map<std::string, std::size_t> per_address_;
};

} // namespace liveticker::server
