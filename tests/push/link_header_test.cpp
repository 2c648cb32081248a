// tests/push/link_header_test.cpp: Link field values (RFC 8288 §3) read and written.
#include "push/link_header.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace h2push::push {
namespace {

Link only_link(std::string_view value) {
  const ParsedLinks parsed = parse_link_header(value);
  EXPECT_EQ(parsed.links.size(), 1u) << value;
  EXPECT_EQ(parsed.malformed, 0u) << value;
  return parsed.links.empty() ? Link{} : parsed.links.front();
}

Resource make(std::string path, Destination as, bool crossorigin = false, bool conditional = false) {
  Resource r;
  r.path = std::move(path);
  r.as = as;
  r.crossorigin = crossorigin;
  r.conditional = conditional;
  r.source = "link-header";
  return r;
}

Url must_parse(std::string_view text) {
  auto url = parse_url(text);
  EXPECT_TRUE(url) << text;
  return url ? *url : Url{};
}

TEST(LinkHeaderTest, ParsesAPreload) {
  const Link link = only_link("</style.css>; rel=preload; as=style");
  EXPECT_EQ(link.target, "/style.css");
  EXPECT_EQ(link.rel, std::vector<std::string>{"preload"});
  EXPECT_EQ(link.as, "style");
  EXPECT_FALSE(link.crossorigin);
  EXPECT_FALSE(link.nopush);
  EXPECT_EQ(link.params, (std::vector<LinkParam>{{"rel", "preload"}, {"as", "style"}}));
}

TEST(LinkHeaderTest, ParsesSeveralLinksWithCommasInsideTargetsAndQuotes) {
  const ParsedLinks parsed = parse_link_header(
      R"(</a,b.css>; rel=preload; as=style, </font.woff2>; rel="preload"; as=font; crossorigin; title="x, y; z",)"
      R"(</app.js>;rel=modulepreload)");
  ASSERT_EQ(parsed.links.size(), 3u);
  EXPECT_EQ(parsed.malformed, 0u);
  EXPECT_EQ(parsed.links[0].target, "/a,b.css");
  EXPECT_EQ(parsed.links[1].target, "/font.woff2");
  EXPECT_EQ(parsed.links[1].crossorigin, "");
  EXPECT_EQ(parsed.links[1].param("title"), "x, y; z");
  EXPECT_EQ(parsed.links[2].rel, std::vector<std::string>{"modulepreload"});
}

TEST(LinkHeaderTest, SplitsAndLowerCasesRelationTypes) {
  const Link link = only_link(R"(</a.css>; REL="Preload  StyleSheet"; AS=Style)");
  EXPECT_EQ(link.rel, (std::vector<std::string>{"preload", "stylesheet"}));
  EXPECT_TRUE(link.has_rel("stylesheet"));
  EXPECT_FALSE(link.has_rel("icon"));
  EXPECT_EQ(link.as, "style");
  EXPECT_EQ(link.params[0].name, "rel");
  EXPECT_EQ(link.params[0].value, "Preload  StyleSheet");  // params keep values as written
}

TEST(LinkHeaderTest, ReadsBareParametersAndCrossoriginValues) {
  const Link bare = only_link("</f.woff2>; rel=preload; as=font; crossorigin; nopush");
  EXPECT_EQ(bare.crossorigin, "");
  EXPECT_TRUE(bare.nopush);
  EXPECT_EQ(bare.param("nopush"), "");
  EXPECT_FALSE(bare.param("media"));
  EXPECT_EQ(only_link("</d.json>; rel=preload; as=fetch; crossorigin=use-credentials").crossorigin, "use-credentials");
  EXPECT_EQ(only_link(R"(</d.json>; rel=preload; as=fetch; crossorigin="anonymous")").crossorigin, "anonymous");
}

TEST(LinkHeaderTest, AllowsWhitespaceAroundSeparatorsAndEquals) {
  const Link link = only_link("  </a.js>\t ;  rel = preload ;as =\tscript  ");
  EXPECT_EQ(link.target, "/a.js");
  EXPECT_TRUE(link.has_rel("preload"));
  EXPECT_EQ(link.as, "script");
}

TEST(LinkHeaderTest, UndoesQuotedPairs) {
  const Link link = only_link(R"(</a>; rel=preload; as=image; title="say \"hi\" \\ there")");
  EXPECT_EQ(link.param("title"), R"(say "hi" \ there)");
}

TEST(LinkHeaderTest, HonoursOnlyTheFirstRelAndAs) {
  // RFC 8288 §3.3: occurrences of rel after the first are ignored.
  const Link link = only_link("</a>; rel=preload; as=style; rel=prefetch; as=script");
  EXPECT_EQ(link.rel, std::vector<std::string>{"preload"});
  EXPECT_EQ(link.as, "style");
  EXPECT_EQ(link.params.size(), 4u);
}

TEST(LinkHeaderTest, ToleratesEmptyElementsAndStraySemicolons) {
  const ParsedLinks parsed = parse_link_header(" , </a>; rel=preload; as=style;, ,</b>;; rel=preload; as=image ,");
  ASSERT_EQ(parsed.links.size(), 2u);
  EXPECT_EQ(parsed.malformed, 0u);
  EXPECT_EQ(parsed.links[0].as, "style");
  EXPECT_EQ(parsed.links[1].as, "image");
  EXPECT_TRUE(parse_link_header("").links.empty());
  EXPECT_TRUE(parse_link_header(" ,, ").links.empty());
}

TEST(LinkHeaderTest, AcceptsAnEmptyTargetAndUnquotedSlashes) {
  const Link link = only_link("<>; rel=preload; as=style; type=text/css");
  EXPECT_EQ(link.target, "");
  EXPECT_EQ(link.param("type"), "text/css");
}

TEST(LinkHeaderTest, SkipsMalformedValuesAndKeepsTheRest) {
  struct Case {
    std::string_view value;
    std::size_t links;
    std::size_t malformed;
  };
  const Case cases[] = {
      {"/a.css; rel=preload, </b.css>; rel=preload", 1, 1},       // no <target>
      {"</a.css; rel=preload", 0, 1},                             // unterminated <
      {R"(</a>; title="unterminated, </b>; rel=preload)", 0, 1},  // the quote swallows the rest
      {"</a>; rel=preload junk, </b>; rel=preload", 1, 1},        // bytes after a value
      {"</a>; =x, </b>; rel=preload", 1, 1},                      // a parameter without a name
      {"</a>; rel=, </b>; rel=preload", 1, 1},                    // '=' without a value
      {"</a> rel=preload, </b>; rel=preload", 1, 1},              // missing ';'
      {R"(</a>; t="x\)", 0, 1},                                   // quoted-pair at the end
      {"</a\x01>; rel=preload, </b>; rel=preload", 1, 1},         // control byte in the target
      {R"(</a>; t="x, y" z, </b>; rel="p, q", </c>)", 2, 1},      // commas in quotes do not split
      {"garbage, more garbage, </ok>; rel=preload", 1, 2},
  };
  for (const Case& c : cases) {
    const ParsedLinks parsed = parse_link_header(c.value);
    EXPECT_EQ(parsed.links.size(), c.links) << c.value;
    EXPECT_EQ(parsed.malformed, c.malformed) << c.value;
  }
  const ParsedLinks parsed = parse_link_header("</a>; rel=preload junk, </b>; rel=preload; as=style");
  ASSERT_EQ(parsed.links.size(), 1u);
  EXPECT_EQ(parsed.links[0].target, "/b");
}

TEST(LinkHeaderTest, FormatsEarlyHintsLines) {
  EXPECT_EQ(format_link(make("/css/main.css", Destination::style)), "</css/main.css>; rel=preload; as=style");
  EXPECT_EQ(format_link(make("/js/site.js", Destination::script)), "</js/site.js>; rel=preload; as=script");
  EXPECT_EQ(format_link(make("/fonts/dots.woff", Destination::font)),
            "</fonts/dots.woff>; rel=preload; as=font; crossorigin");  // even without the flag
  EXPECT_EQ(format_link(make("/img/a.png?v=2", Destination::image)), "</img/a.png?v=2>; rel=preload; as=image");
  EXPECT_EQ(format_link(make("/data/a.json", Destination::fetch, true)),
            "</data/a.json>; rel=preload; as=fetch; crossorigin");
  EXPECT_EQ(format_link(make("/js/app.js", Destination::module_script, true)), "</js/app.js>; rel=modulepreload");
  EXPECT_EQ(format_link(make("/css/main.css", Destination::style), true),
            "</css/main.css>; rel=preload; as=style; nopush");
  EXPECT_FALSE(format_link(make("/next.html", Destination::document)));
  EXPECT_FALSE(format_link(make("/x.bin", Destination::other)));
}

TEST(LinkHeaderTest, EncodesBytesThatCannotStandInAFieldValue) {
  EXPECT_EQ(format_link(make("/a b>\r\n\"c\xC3\xA9", Destination::image)),
            "</a%20b%3E%0D%0A%22c%C3%A9>; rel=preload; as=image");
}

TEST(LinkHeaderTest, KeepsAPathThatStartsWithTwoSlashesAPath) {
  // "<//x>" would name the host "x"; "/.//x" resolves to the path "//x".
  EXPECT_EQ(format_link(make("//x/y.css", Destination::style)), "</.//x/y.css>; rel=preload; as=style");
}

TEST(LinkHeaderTest, RoundTripsEveryPreloadableResource) {
  const Url page = must_parse("https://example.com/index.html");
  const Resource resources[] = {
      make("/css/main.css", Destination::style),
      make("/css/cors.css", Destination::style, true),
      make("/js/site.js?v=1", Destination::script),
      make("/js/cors.js", Destination::script, true),
      make("/js/app.js", Destination::module_script, true),
      make("/fonts/dots.woff2", Destination::font, true),
      make("/img/hero.png", Destination::image),
      make("/data/assets.json", Destination::fetch, true),
      make("/data/plain.json", Destination::fetch),
      make("/a,b;c=%22d%22.png", Destination::image),
      make("//x/y.css", Destination::style),
  };
  for (const Resource& r : resources) {
    for (const bool nopush : {false, true}) {
      const auto line = format_link(r, nopush);
      ASSERT_TRUE(line) << r.path;
      const Link link = only_link(*line);
      EXPECT_EQ(link.nopush, nopush) << *line;
      EXPECT_EQ(preload_from_link(link, page, page), r) << *line;
    }
  }
}

TEST(LinkHeaderTest, TurnsPreloadLinksIntoResources) {
  const Url page = must_parse("https://example.com/blog/post.html");
  auto from = [&](std::string_view value) { return preload_from_link(only_link(value), page, page); };
  EXPECT_EQ(from("<../css/a.css#x>; rel=preload; as=style"), make("/css/a.css", Destination::style));
  EXPECT_EQ(from("<https://example.com/f.woff2>; rel=preload; as=font"), make("/f.woff2", Destination::font, true));
  EXPECT_EQ(from("</m.js>; rel=modulepreload; as=script"), make("/m.js", Destination::module_script, true));
  EXPECT_EQ(from("</i.png>; rel=preload; as=image; media=\"(max-width: 600px)\""),
            make("/i.png", Destination::image, false, true));
  EXPECT_EQ(from("</i.png>; rel=preload; as=image; imagesrcset=\"/i2.png 2x\""),
            make("/i.png", Destination::image, false, true));
  EXPECT_FALSE(from("<https://cdn.example.net/a.css>; rel=preload; as=style"));  // cross-origin
  EXPECT_FALSE(from("<data:text/css,a>; rel=preload; as=style"));
  EXPECT_FALSE(from("</a.css>; rel=preload"));            // no `as`: browsers fetch nothing
  EXPECT_FALSE(from("</a.mp4>; rel=preload; as=video"));  // a destination we do not preload
  EXPECT_FALSE(from("</a.css>; rel=stylesheet"));         // not a preload
  EXPECT_FALSE(from("</next.html>; rel=prefetch"));
  EXPECT_FALSE(from("</m.json>; rel=modulepreload; as=json"));
}

}  // namespace
}  // namespace h2push::push
