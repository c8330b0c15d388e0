// Loads a demo ticker from a JSON file into a store that does not have it yet, so that a first
// run of tickerd shows a ticker with entries. Format: {"ticker":{"id","title","description"},
// "author":"…","entries":[{entry draft…, "minutes_ago":N}, …]}, oldest entry first.
#pragma once

#include <filesystem>

namespace liveticker::server {

class entry_store;

/// Returns the number of entries added (0 when the ticker already exists). Throws
/// std::runtime_error naming the file and entry when the file is invalid.
std::size_t load_demo(entry_store& store, const std::filesystem::path& file);

} // namespace liveticker::server
