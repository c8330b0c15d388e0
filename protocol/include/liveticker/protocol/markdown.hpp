// Markdown to safe HTML, rendered once when an entry is written (cmark-gfm, GitHub flavour).
// Raw HTML is dropped and unsafe link schemes (javascript:, vbscript:, file:, data: other than
// images) are removed, so the result may be inserted into a reader's page as it is.
#pragma once

#include <string>
#include <string_view>

namespace liveticker::protocol {

std::string render_markdown(std::string_view markdown);

} // namespace liveticker::protocol
