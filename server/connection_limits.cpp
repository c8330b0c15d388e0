#include "connection_limits.hpp"

namespace liveticker::server {

connection_limits::connection_limits(std::size_t max_total, std::size_t max_per_address)
    : max_total_(max_total)
    , max_per_address_(max_per_address) {}

connection_limits::slot::slot(std::shared_ptr<connection_limits> owner, std::string address)
    : owner_(std::move(owner))
    , address_(std::move(address)) {}

connection_limits::slot::~slot() {
    owner_->release(address_);
}

std::unique_ptr<connection_limits::slot>
connection_limits::try_acquire(const std::string& address) {
    {
        const std::lock_guard lock(mutex_);
        auto& count = per_address_[address];
        if (total_ >= max_total_ || count >= max_per_address_) {
            if (count == 0) {
                per_address_.erase(address);
            }
            return nullptr;
        }
        ++count;
        ++total_;
    }
    return std::make_unique<slot>(shared_from_this(), address);
}

void connection_limits::release(const std::string& address) {
    const std::lock_guard lock(mutex_);
    --total_;
    if (const auto it = per_address_.find(address); it != per_address_.end() && --it->second == 0) {
        per_address_.erase(it);
    }
}

} // namespace liveticker::server
