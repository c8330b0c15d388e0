// The editors who may write, loaded from a file of lines "name token" ('#' starts a comment).
// Tokens are compared in constant time and never logged.
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace liveticker::server {

class editors {
public:
    editors() = default;
    /// Throws std::runtime_error naming the file and line when the file is unreadable or a
    /// line is malformed (a token shorter than 16 characters counts as malformed).
    static editors load(const std::filesystem::path& file);

    /// The editor's name for a bearer token, if any editor has it.
    std::optional<std::string> authenticate(std::string_view token) const;
    std::size_t size() const noexcept { return editors_.size(); }

    void add(std::string name, std::string token);

private:
    struct editor {
        std::string name;
        std::string token;
    };
    std::vector<editor> editors_;
};

} // namespace liveticker::server
