// The web client's files, read into memory once at start: serving them then never touches the
// disk from the event loop, and no request path can reach outside the web root, because only
// files found under it at start exist here. Restart tickerd to pick up changed files.
#pragma once

#include <filesystem>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>

namespace liveticker::server {

struct static_file {
    std::string content;
    std::string mime_type;
    std::string etag; ///< quoted, strong: "\"…\""
};

class static_files {
public:
    /// Loads every regular file below `root` (up to a total of max_total_bytes). A missing root
    /// yields an empty set, logged as a warning: the API still works without the web client.
    static static_files load(const std::filesystem::path& root);

    /// The file for a request path ("/app.js"); "/" and "/t/{ticker}" give index.html.
    /// nullptr when there is none.
    const static_file* find(std::string_view path) const;
    std::size_t size() const noexcept { return files_.size(); }

    static constexpr std::size_t max_total_bytes = 64 * 1024 * 1024;

private:
    std::unordered_map<std::string, std::shared_ptr<const static_file>> files_;
};

std::string_view mime_type_for(std::string_view extension) noexcept;

} // namespace liveticker::server
