// Where committed changes go. Today that is the in-process ticker_hub; with several nodes it
// becomes a bus (PostgreSQL LISTEN/NOTIFY, NATS, …) that hands each change to every node's hub.
// The editor API only ever talks to this interface, so that swap touches no request code.
#pragma once

#include "entry_store.hpp"

namespace liveticker::server {

class change_sink {
public:
    virtual ~change_sink() = default;
    /// A change that the store has committed. Called in commit order, from the store's writer.
    virtual void publish(const change& committed) = 0;
    /// A ticker that was just created (it has no events yet).
    virtual void ticker_created(const protocol::ticker& t) = 0;
};

} // namespace liveticker::server
