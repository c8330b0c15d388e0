#include "net.hpp"

#include <boost/asio/error.hpp>
#include <boost/beast/websocket/error.hpp>
#include <spdlog/spdlog.h>

namespace liveticker::server {

void fail(error_code ec, std::string_view what) {
    // Readers close tabs and lose their network all the time: that is not worth a log line.
    if (ec == net::error::operation_aborted || ec == beast::websocket::error::closed ||
        ec == net::error::eof || ec == net::error::connection_reset ||
        ec == net::error::broken_pipe || ec == beast::error::timeout) {
        spdlog::debug("{}: {}", what, ec.message());
        return;
    }
    spdlog::warn("{}: {}", what, ec.message());
}

} // namespace liveticker::server
