// Namespace aliases shared by the files that speak Asio/Beast, so each stays short.
// Include only from .cpp files or from headers that already need Beast types.
#pragma once

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/strand.hpp>
#include <boost/beast/core/error.hpp>
#include <boost/beast/core/tcp_stream.hpp>

namespace liveticker::server {

namespace net = boost::asio;
namespace beast = boost::beast;
using tcp = boost::asio::ip::tcp;
using error_code = boost::beast::error_code;

/// Logs a failed asynchronous operation with its context, dropping the expected noise
/// (a peer that went away, an operation cancelled on shutdown).
void fail(error_code ec, std::string_view what);

} // namespace liveticker::server
