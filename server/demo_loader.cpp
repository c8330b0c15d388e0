#include "demo_loader.hpp"

#include "entry_store.hpp"

#include "liveticker/protocol/json.hpp"
#include "liveticker/protocol/markdown.hpp"

#include <nlohmann/json.hpp>
#include <spdlog/spdlog.h>

#include <chrono>
#include <fstream>
#include <stdexcept>

namespace liveticker::server {

std::size_t load_demo(entry_store& store, const std::filesystem::path& file) {
    std::ifstream in(file);
    if (!in) {
        throw std::runtime_error("cannot read demo file " + file.string());
    }
    nlohmann::json doc;
    try {
        doc = nlohmann::json::parse(in);
    } catch (const nlohmann::json::exception& e) {
        throw std::runtime_error(file.string() + ": " + e.what());
    }
    // Through the same validating decoders as the editor API: demo data gets no shortcut.
    const auto ticker = protocol::decode_new_ticker(doc.at("ticker").dump());
    if (store.find_ticker(ticker.id)) {
        return 0;
    }
    const std::string author = doc.value("author", "Redaktion");
    const auto now = std::chrono::duration_cast<std::chrono::milliseconds>(
                         std::chrono::system_clock::now().time_since_epoch())
                         .count();
    const auto& entries = doc.at("entries");
    const std::int64_t first_minutes_ago =
        entries.empty() ? 0 : entries.front().value("minutes_ago", 0);
    store.create_ticker(ticker, now - first_minutes_ago * 60'000 - 60'000);
    std::size_t added = 0;
    for (auto item : entries) {
        const std::int64_t minutes_ago = item.value("minutes_ago", 0);
        item.erase("minutes_ago");
        try {
            const auto draft = protocol::decode_entry_draft(item.dump());
            store.create_entry(ticker.id, draft, protocol::render_markdown(draft.body), author,
                               now - minutes_ago * 60'000, std::nullopt);
        } catch (const protocol::decode_error& e) {
            throw std::runtime_error(file.string() + ": entry " + std::to_string(added + 1) + ": " +
                                     e.field() + ": " + e.what());
        }
        ++added;
    }
    spdlog::info("demo ticker '{}' loaded with {} entries", ticker.id, added);
    return added;
}

} // namespace liveticker::server
