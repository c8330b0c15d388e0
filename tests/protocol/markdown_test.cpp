// Markdown rendering: GitHub-flavoured features work and nothing executable gets through.
#include "liveticker/protocol/markdown.hpp"

#include <catch2/catch.hpp>

#include <string>
#include <thread>
#include <vector>

using namespace liveticker::protocol;
using Catch::Contains;

namespace {
std::string lower(std::string s) {
    for (char& c : s)
        if (c >= 'A' && c <= 'Z')
            c = static_cast<char>(c - 'A' + 'a');
    return s;
}

// Every href="…" and src="…" value in rendered HTML.
std::vector<std::string> attribute_values(const std::string& html) {
    std::vector<std::string> out;
    for (const std::string attribute : {"href=\"", "src=\""}) {
        for (auto pos = html.find(attribute); pos != std::string::npos;
             pos = html.find(attribute, pos + 1)) {
            const auto start = pos + attribute.size();
            out.push_back(html.substr(start, html.find('"', start) - start));
        }
    }
    return out;
}
} // namespace

TEST_CASE("basic Markdown", "[markdown]") {
    CHECK(render_markdown("Hallo **Welt**") == "<p>Hallo <strong>Welt</strong></p>\n");
    CHECK(render_markdown("") == "");
    CHECK_THAT(render_markdown("# Titel\n\n- a\n- b\n"), Contains("<h1>Titel</h1>"));
    CHECK_THAT(render_markdown("[dpa](https://www.dpa.com/)"),
               Contains(R"(<a href="https://www.dpa.com/">dpa</a>)"));
    CHECK_THAT(render_markdown("![Karte](/media/karte.png)"),
               Contains(R"(<img src="/media/karte.png" alt="Karte" />)"));
}

TEST_CASE("GitHub extensions", "[markdown]") {
    SECTION("autolink") {
        CHECK_THAT(
            render_markdown("Quelle: https://example.org/bericht"),
            Contains(R"(<a href="https://example.org/bericht">https://example.org/bericht</a>)"));
        CHECK_THAT(render_markdown("www.example.org"),
                   Contains(R"(<a href="http://www.example.org">www.example.org</a>)"));
    }
    SECTION("strikethrough") {
        CHECK_THAT(render_markdown("~~falsch~~ richtig"), Contains("<del>falsch</del>"));
    }
    SECTION("table") {
        const std::string html = render_markdown("| Ort | Zahl |\n|-----|------|\n| Kiew | 3 |\n");
        CHECK_THAT(html, Contains("<table>"));
        CHECK_THAT(html, Contains("<td>Kiew</td>"));
    }
}

TEST_CASE("German text survives unchanged", "[markdown]") {
    const std::string html = render_markdown("Grüße aus Köln: „Straße“ – ÄÖÜ äöü ß … «x»");
    CHECK_THAT(html, Contains("Grüße aus Köln: „Straße“ – ÄÖÜ äöü ß … «x»"));
}

TEST_CASE("raw HTML is dropped", "[markdown]") {
    const auto input = GENERATE(
        as<std::string>{}, "<script>alert(1)</script>", "Text <script>alert(1)</script> mehr",
        "<SCRIPT>alert(1)</SCRIPT>", "<img src=x onerror=alert(1)>",
        "Bild: <img src=x onerror=alert(1)> hier", "<iframe src=\"https://evil.example\"></iframe>",
        "<div onclick=\"alert(1)\">klick</div>", "<a href=\"javascript:alert(1)\">x</a>",
        "<style>body{display:none}</style>", "<svg onload=alert(1)>");
    CAPTURE(input);
    const std::string html = lower(render_markdown(input));
    CAPTURE(html);
    CHECK_THAT(html, !Contains("<script"));
    CHECK_THAT(html, !Contains("<img"));
    CHECK_THAT(html, !Contains("<iframe"));
    CHECK_THAT(html, !Contains("<div"));
    CHECK_THAT(html, !Contains("<style"));
    CHECK_THAT(html, !Contains("<svg"));
    CHECK_THAT(html, !Contains("onerror"));
    CHECK_THAT(html, !Contains("onclick"));
    CHECK_THAT(html, !Contains("javascript:"));
}

TEST_CASE("dangerous link schemes are removed", "[markdown]") {
    CHECK_THAT(render_markdown("[x](javascript:alert(1))"), !Contains("javascript:"));

    const auto input =
        GENERATE(as<std::string>{}, "[x](javascript:alert(1))", "[x](JavaScript:alert(1))",
                 "[x](vbscript:msgbox(1))", "[x](file:///etc/passwd)",
                 "[x](data:text/html;base64,PHNjcmlwdD4=)", "![x](javascript:alert(1))",
                 "<javascript:alert(1)>", "[x]\n\n[x]: javascript:alert(1)");
    CAPTURE(input);
    const std::string html = render_markdown(input);
    CAPTURE(html);
    // The link text may still read "javascript:…"; what matters is the URL.
    const auto urls = attribute_values(html);
    REQUIRE_FALSE(urls.empty());
    for (const auto& url : urls)
        CHECK(url.empty());
}

TEST_CASE("text that looks like HTML is escaped, not dropped", "[markdown]") {
    CHECK_THAT(render_markdown("`<script>`"), Contains("<code>&lt;script&gt;</code>"));
    CHECK_THAT(render_markdown("a < b && c > d"), Contains("a &lt; b &amp;&amp; c &gt; d"));
    CHECK_THAT(render_markdown("[x](https://example.org/?a=\"b\")"), !Contains("\"b\""));
}

TEST_CASE("invalid UTF-8 and NUL bytes do not break rendering", "[markdown]") {
    const std::string html = render_markdown(std::string{"a\0b \xff c", 7});
    CHECK_THAT(html, Contains("\xEF\xBF\xBD")); // U+FFFD
    CHECK_THAT(html, !Contains(std::string(1, '\0')));
}

TEST_CASE("rendering from several threads at once", "[markdown]") {
    // Guards the lock around cmark-gfm's global parser state; run under TSan to see races.
    const std::string input = "~~a~~ https://example.org | x |\n|---|\n| y |\n";
    const std::string expected = render_markdown(input);
    std::vector<std::string> results(4);
    std::vector<std::thread> threads;
    for (auto& result : results) {
        threads.emplace_back([&input, &result] {
            for (int i = 0; i < 200; ++i)
                result = render_markdown(input);
        });
    }
    for (auto& t : threads)
        t.join();
    for (const auto& result : results)
        CHECK(result == expected);
}
