// The JSON API under /api: tickers and entries, read by anyone, written by editors with a
// bearer token. Free of Beast on purpose: http_session translates to and from these plain
// structs, which keeps this file quick to compile and easy to test.
#pragma once

#include <functional>
#include <string>
#include <utility>
#include <vector>

namespace liveticker::server {

class ticker_hub;
class change_sink;
class store_worker;
class editors;

struct api_request {
    std::string method; ///< "GET", "POST", …
    std::string target; ///< path and query, as received
    std::string body;
    std::string authorization;
    std::string content_type;
    std::string idempotency_key;
};

struct api_response {
    unsigned status = 200;
    std::string body;
    std::string content_type = "application/json";
    std::vector<std::pair<std::string, std::string>> headers;
};

/// Called exactly once per request, possibly from the store's threads.
using responder = std::function<void(api_response)>;

class editor_api {
public:
    editor_api(ticker_hub& hub, change_sink& sink, store_worker& store,
               const server::editors& editors);

    /// Answers a request whose path starts with /api/.
    void handle(const api_request& req, responder respond);

private:
    void list_tickers(responder respond);
    void create_ticker(const api_request& req, const std::string& editor, responder& respond);
    void get_ticker(const std::string& id, responder respond);
    void update_ticker(const std::string& id, const api_request& req, responder& respond);
    void list_entries(const std::string& ticker, const std::string& query, responder respond);
    void get_entry(const std::string& ticker, std::int64_t id, responder respond);
    void create_entry(const std::string& ticker, const api_request& req, const std::string& editor,
                      responder& respond);
    void update_entry(const std::string& ticker, std::int64_t id, const api_request& req,
                      responder& respond);
    void delete_entry(const std::string& ticker, std::int64_t id, responder respond);

    ticker_hub& hub_;
    change_sink& sink_;
    store_worker& store_;
    const server::editors& editors_;
};

} // namespace liveticker::server
