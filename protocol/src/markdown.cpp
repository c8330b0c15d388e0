// Markdown to HTML for entries, with cmark-gfm. Safety comes from cmark's default ("safe")
// mode: raw HTML is replaced by a comment and links or images with dangerous schemes get an
// empty URL. CMARK_OPT_UNSAFE must never be added here: readers' pages insert the result as is.
#include "liveticker/protocol/markdown.hpp"

#include <cmark-gfm-core-extensions.h>
#include <cmark-gfm.h>

#include <array>
#include <cstdlib>
#include <memory>
#include <mutex>
#include <stdexcept>

namespace liveticker::protocol {
namespace {

struct parser_deleter {
    void operator()(cmark_parser* p) const noexcept { cmark_parser_free(p); }
};
struct node_deleter {
    void operator()(cmark_node* n) const noexcept { cmark_node_free(n); }
};
struct html_deleter {
    // cmark_render_html allocates with the default allocator, which is malloc.
    void operator()(char* s) const noexcept { cmark_get_default_mem_allocator()->free(s); }
};

constexpr int options = CMARK_OPT_DEFAULT;

// cmark-gfm 0.29 keeps the inline parser's table of special characters in a global that every
// parse with extensions writes to (github/cmark-gfm#176), so parses must not overlap.
// Rendering happens once per write, so a lock costs nothing measurable.
std::mutex& cmark_mutex() {
    static std::mutex m;
    return m;
}

void ensure_extensions_registered() {
    // Registration appends to a global list without locking; a function-local static makes
    // it happen exactly once even when the first renders race.
    static const bool registered = [] {
        cmark_gfm_core_extensions_ensure_registered();
        return true;
    }();
    (void)registered;
}

} // namespace

std::string render_markdown(std::string_view markdown) {
    ensure_extensions_registered();
    const std::scoped_lock lock{cmark_mutex()};

    const std::unique_ptr<cmark_parser, parser_deleter> parser{cmark_parser_new(options)};
    if (!parser)
        throw std::bad_alloc{};
    constexpr std::array extension_names = {"autolink", "strikethrough", "table", "tagfilter"};
    for (const char* name : extension_names) {
        cmark_syntax_extension* ext = cmark_find_syntax_extension(name);
        if (ext == nullptr)
            throw std::runtime_error{std::string{"cmark-gfm extension missing: "} + name};
        cmark_parser_attach_syntax_extension(parser.get(), ext);
    }

    cmark_parser_feed(parser.get(), markdown.data(), markdown.size());
    const std::unique_ptr<cmark_node, node_deleter> doc{cmark_parser_finish(parser.get())};
    if (!doc)
        throw std::bad_alloc{};
    const std::unique_ptr<char, html_deleter> html{
        cmark_render_html(doc.get(), options, cmark_parser_get_syntax_extensions(parser.get()))};
    if (!html)
        throw std::bad_alloc{};
    return std::string{html.get()};
}

} // namespace liveticker::protocol
