#include "temp_dir.hpp"

#include <cstdlib>
#include <stdexcept>
#include <string>
#include <system_error>

namespace liveticker::test {

temp_dir::temp_dir() {
    std::string pattern =
        (std::filesystem::temp_directory_path() / "liveticker-test-XXXXXX").string();
    if (::mkdtemp(pattern.data()) == nullptr) {
        throw std::runtime_error("mkdtemp failed for " + pattern);
    }
    path_ = pattern;
}

temp_dir::~temp_dir() {
    std::error_code ec; // a leftover folder in /tmp is no reason to fail a test
    std::filesystem::remove_all(path_, ec);
}

} // namespace liveticker::test
