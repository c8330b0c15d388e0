#include "static_files.hpp"

#include "fnv1a.hpp"

#include <spdlog/spdlog.h>

#include <array>
#include <cstdint>
#include <fstream>
#include <iterator>
#include <stdexcept>
#include <utility>

namespace liveticker::server {

namespace {

std::string etag_of(std::string_view content) {
    std::uint64_t h = fnv1a64(content);
    std::array<char, 17> hex{};
    static constexpr char digits[] = "0123456789abcdef";
    for (int i = 15; i >= 0; --i) {
        hex[static_cast<std::size_t>(i)] = digits[h & 0xf];
        h >>= 4;
    }
    return "\"" + std::string(hex.data(), 16) + "-" + std::to_string(content.size()) + "\"";
}

} // namespace

std::string_view mime_type_for(std::string_view ext) noexcept {
    static constexpr std::array<std::pair<std::string_view, std::string_view>, 16> types = {{
        {".html", "text/html; charset=utf-8"},
        {".htm", "text/html; charset=utf-8"},
        {".css", "text/css; charset=utf-8"},
        {".js", "text/javascript; charset=utf-8"},
        {".mjs", "text/javascript; charset=utf-8"},
        {".json", "application/json"},
        {".svg", "image/svg+xml"},
        {".png", "image/png"},
        {".jpg", "image/jpeg"},
        {".jpeg", "image/jpeg"},
        {".gif", "image/gif"},
        {".webp", "image/webp"},
        {".ico", "image/vnd.microsoft.icon"},
        {".txt", "text/plain; charset=utf-8"},
        {".woff2", "font/woff2"},
        {".webmanifest", "application/manifest+json"},
    }};
    for (const auto& [e, type] : types) {
        if (e == ext) {
            return type;
        }
    }
    return "application/octet-stream";
}

static_files static_files::load(const std::filesystem::path& root) {
    static_files result;
    std::error_code ec;
    if (!std::filesystem::is_directory(root, ec)) {
        spdlog::warn("web root {} is not a folder: serving no web client", root.string());
        return result;
    }
    std::size_t total = 0;
    for (const auto& item : std::filesystem::recursive_directory_iterator(root, ec)) {
        if (!item.is_regular_file()) {
            continue; // symlinks to elsewhere and devices are not part of the client
        }
        std::ifstream in(item.path(), std::ios::binary);
        std::string content{std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
        total += content.size();
        if (total > max_total_bytes) {
            throw std::runtime_error("web root " + root.string() + " holds more than " +
                                     std::to_string(max_total_bytes) + " bytes");
        }
        auto file = std::make_shared<static_file>();
        file->mime_type = std::string(mime_type_for(item.path().extension().string()));
        file->etag = etag_of(content);
        file->content = std::move(content);
        const auto relative = std::filesystem::relative(item.path(), root).generic_string();
        result.files_.emplace("/" + relative, std::move(file));
    }
    spdlog::info("web root {}: {} files, {} bytes", root.string(), result.files_.size(), total);
    return result;
}

const static_file* static_files::find(std::string_view path) const {
    if (path == "/" || path.starts_with("/t/")) {
        // "/t/{ticker}" is the reader's page; sub-paths such as a feed are routed earlier.
        path = "/index.html";
    }
    const auto it = files_.find(std::string(path));
    return it == files_.end() ? nullptr : it->second.get();
}

} // namespace liveticker::server
