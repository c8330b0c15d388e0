// tickerd: wires the store, the hub, the editor API and the listener together, then runs the
// event loop until SIGINT or SIGTERM.
#include "demo_loader.hpp"
#include "editor_api.hpp"
#include "editors.hpp"
#include "io_lane.hpp"
#include "listener.hpp"
#include "metrics.hpp"
#include "reader_pages.hpp"
#include "server_config.hpp"
#include "server_context.hpp"
#include "sqlite_store.hpp"
#include "static_files.hpp"
#include "store_worker.hpp"
#include "ticker_hub.hpp"

#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <spdlog/spdlog.h>

#include <csignal>
#include <sys/resource.h>
#include <thread>
#include <vector>

using namespace liveticker::server;

namespace {

// Loads every ticker's first entries and replay window before the first reader arrives.
void load_hub(entry_store& store, ticker_hub& hub, std::size_t replay_window) {
    const auto head = static_cast<int>(ticker_hub::head_capacity);
    for (const auto& t : store.list_tickers()) {
        hub.load(t,
                 store.list_entries({t.id, liveticker::protocol::order::newest, head, {}}).entries,
                 store.list_entries({t.id, liveticker::protocol::order::oldest, head, {}}).entries,
                 store.recent_events(t.id, replay_window));
    }
}

// Stops the lanes once readers have been sent their close frames and no editor request is
// still waiting for its answer, or after a grace period.
void stop_when_drained(io_lanes& lanes, const metrics& m, std::shared_ptr<net::steady_timer> timer,
                       int ticks_left) {
    timer->expires_after(std::chrono::milliseconds(20));
    timer->async_wait([&lanes, &m, timer, ticks_left](error_code) {
        if (ticks_left <= 0 ||
            (m.websockets_open.load() == 0 && m.requests_in_flight.load() == 0)) {
            lanes.stop();
            return;
        }
        stop_when_drained(lanes, m, timer, ticks_left - 1);
    });
}

// Every minute in which something happened, one info line with the counters.
void log_summary_every_minute(const metrics& m, std::shared_ptr<net::steady_timer> timer,
                              std::string last) {
    timer->expires_after(std::chrono::minutes(1));
    timer->async_wait([&m, timer, last = std::move(last)](error_code ec) {
        if (ec) {
            return;
        }
        auto now = m.summary();
        if (now != last) {
            spdlog::info("summary: {}", now);
        }
        log_summary_every_minute(m, timer, std::move(now));
    });
}

// Each reader is a file descriptor: use as many as the process may have, not the soft default
// (often 1,024), which would cap readers long before memory or CPU do.
void raise_file_limit() {
    rlimit limit{};
    if (::getrlimit(RLIMIT_NOFILE, &limit) != 0) {
        return;
    }
    if (limit.rlim_cur < limit.rlim_max) {
        limit.rlim_cur = limit.rlim_max;
        ::setrlimit(RLIMIT_NOFILE, &limit);
        ::getrlimit(RLIMIT_NOFILE, &limit);
    }
    spdlog::info("open file limit: {}", static_cast<unsigned long long>(limit.rlim_cur));
}

} // namespace

int main(int argc, char** argv) {
    auto parsed = parse_config(argc, argv);
    if (!parsed.config) {
        return parsed.exit_code;
    }
    const server_config& config = *parsed.config;
    spdlog::set_level(spdlog::level::from_str(config.log_level));
    spdlog::set_pattern("%Y-%m-%dT%H:%M:%S.%e%z %^%l%$ %v");

    raise_file_limit();
    try {
        editors editor_list;
        if (config.editors_file.empty()) {
            spdlog::warn("no --editors file: the API is read-only");
        } else {
            editor_list = editors::load(config.editors_file);
            spdlog::info("{} editors loaded from {}", editor_list.size(),
                         config.editors_file.string());
        }

        auto writer = std::make_unique<sqlite_store>(config.db);
        if (!config.seed_file.empty()) {
            load_demo(*writer, config.seed_file);
        }
        metrics stats;
        store_worker store(std::move(writer), std::make_unique<sqlite_store>(config.db), stats);
        ticker_hub hub(
            config.replay_window, stats,
            [&store](std::string_view ticker, liveticker::protocol::order ord, int limit) {
                return store.writer_store()
                    .list_entries({std::string(ticker), ord, limit, {}})
                    .entries;
            });
        load_hub(store.writer_store(), hub, config.replay_window);

        const auto files = static_files::load(config.web_root);
        editor_api api(hub, hub, store, editor_list);
        const reader_pages pages(hub, files, config.public_url);
        const server_context ctx{config, hub, api, pages, store, files, stats};

        // After the hub and the store: handlers still queued on a lane when it goes hold
        // sessions, whose destructors need them.
        io_lanes lanes(config.threads);
        hub.set_fan_out([&lanes](const auto& ev) { lanes.hand_over(ev); });
        auto& ioc = lanes.front().context();
        const tcp::endpoint endpoint{net::ip::make_address(config.listen_address),
                                     config.listen_port};
        auto acceptor = std::make_shared<listener>(lanes, endpoint, ctx);
        acceptor->run();
        const auto bound = acceptor->local_endpoint();
        spdlog::info("listening on http://{}:{} ({} reader threads, database {})",
                     bound.address().to_string(), bound.port(), lanes.size() - 1,
                     config.db.string());

        auto summary_timer = std::make_shared<net::steady_timer>(ioc);
        log_summary_every_minute(stats, summary_timer, stats.summary());

        net::signal_set signals(ioc, SIGINT, SIGTERM);
        signals.async_wait([&](error_code, int signal) {
            spdlog::info("signal {}: closing readers and stopping", signal);
            acceptor->stop();
            summary_timer->cancel();
            hub.shut_down_all();
            stop_when_drained(lanes, stats, std::make_shared<net::steady_timer>(ioc), 150);
        });

        std::vector<std::jthread> threads;
        for (std::size_t i = 1; i < lanes.size(); ++i) {
            threads.emplace_back([&lane = lanes[i]] { lane.run(); });
        }
        lanes.front().run();
        for (auto& t : threads) {
            t.join();
        }
        hub.set_fan_out({}); // the readers are gone; changes still committing go nowhere
        store.stop();        // every acknowledged change is committed before this returns
        spdlog::info("stopped");
    } catch (const std::exception& e) {
        spdlog::critical("tickerd cannot run: {}", e.what());
        return 1;
    }
    return 0;
}
