// What every session needs, built once by main() and outliving all sessions (main joins the
// I/O threads before it goes). Sessions hold a reference, never a copy.
#pragma once

namespace liveticker::server {

struct server_config;
class ticker_hub;
class editor_api;
class reader_pages;
class static_files;
class store_worker;
class metrics;

struct server_context {
    const server_config& config;
    ticker_hub& hub;
    editor_api& api;
    const reader_pages& pages;
    store_worker& store;
    const static_files& files;
    server::metrics& metrics;
};

} // namespace liveticker::server
