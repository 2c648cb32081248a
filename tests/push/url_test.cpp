// tests/push/url_test.cpp: reference resolution (RFC 3986 §5.2, §5.4 examples) and the browser adjustments.
#include "push/url.hpp"

#include <gtest/gtest.h>

#include <string>
#include <string_view>

namespace h2push::push {
namespace {

Url must_parse(std::string_view text) {
  auto url = parse_url(text);
  EXPECT_TRUE(url) << text;
  return url ? *url : Url{};
}

// The target, or "!" and the error's name, so that a table states both outcomes.
std::string resolved(const Url& base, std::string_view reference) {
  auto path = resolve_path(base, reference);
  if (path) return *path;
  switch (path.error()) {
    case UrlError::cross_origin:
      return "!cross_origin";
    case UrlError::unsupported_scheme:
      return "!unsupported_scheme";
    case UrlError::invalid:
      return "!invalid";
  }
  return "!?";
}

struct Example {
  std::string_view reference;
  std::string_view expected;
};

// RFC 3986 §5.4.1, base "http://a/b/c/d;p?q", targets shown as the same-origin path we push.
constexpr Example kNormal[] = {
    {"g:h", "!unsupported_scheme"},  // "g:h": another scheme
    {"g", "/b/c/g"},
    {"./g", "/b/c/g"},
    {"g/", "/b/c/g/"},
    {"/g", "/g"},
    {"//g", "!cross_origin"},  // "http://g"
    {"?y", "/b/c/d;p?y"},
    {"g?y", "/b/c/g?y"},
    {"#s", "/b/c/d;p?q"},
    {"g#s", "/b/c/g"},
    {"g?y#s", "/b/c/g?y"},
    {";x", "/b/c/;x"},
    {"g;x", "/b/c/g;x"},
    {"g;x?y#s", "/b/c/g;x?y"},
    {"", "/b/c/d;p?q"},
    {".", "/b/c/"},
    {"./", "/b/c/"},
    {"..", "/b/"},
    {"../", "/b/"},
    {"../g", "/b/g"},
    {"../..", "/"},
    {"../../", "/"},
    {"../../g", "/g"},
};

// RFC 3986 §5.4.2.
constexpr Example kAbnormal[] = {
    {"../../../g", "/g"},
    {"../../../../g", "/g"},
    {"/./g", "/g"},
    {"/../g", "/g"},
    {"g.", "/b/c/g."},
    {".g", "/b/c/.g"},
    {"g..", "/b/c/g.."},
    {"..g", "/b/c/..g"},
    {"./../g", "/b/g"},
    {"./g/.", "/b/c/g/"},
    {"g/./h", "/b/c/g/h"},
    {"g/../h", "/b/c/h"},
    {"g;x=1/./y", "/b/c/g;x=1/y"},
    {"g;x=1/../y", "/b/c/y"},
    {"g?y/./x", "/b/c/g?y/./x"},
    {"g?y/../x", "/b/c/g?y/../x"},
    {"g#s/./x", "/b/c/g"},
    {"g#s/../x", "/b/c/g"},
    {"http:g", "/b/c/g"},  // the "backward compatible" reading, which browsers use for their own scheme
};

TEST(UrlTest, ResolvesTheNormalExamplesOfRfc3986) {
  const Url base = must_parse("http://a/b/c/d;p?q");
  for (const Example& e : kNormal) EXPECT_EQ(resolved(base, e.reference), e.expected) << e.reference;
}

TEST(UrlTest, ResolvesTheAbnormalExamplesOfRfc3986) {
  const Url base = must_parse("http://a/b/c/d;p?q");
  for (const Example& e : kAbnormal) EXPECT_EQ(resolved(base, e.reference), e.expected) << e.reference;
}

TEST(UrlTest, ResolvesTheExamplesAgainstAPathOnlyBase) {
  // The page URL as the server knows it from :path alone. Everything relative resolves the same; what names a
  // scheme or an authority cannot be compared with an unknown origin.
  const Url base = must_parse("/b/c/d;p?q");
  for (const Example& e : kNormal) {
    const std::string expected = e.reference == "//g" ? "!cross_origin" : std::string{e.expected};
    EXPECT_EQ(resolved(base, e.reference), expected) << e.reference;
  }
  for (const Example& e : kAbnormal) {
    const std::string expected = e.reference == "http:g" ? "!cross_origin" : std::string{e.expected};
    EXPECT_EQ(resolved(base, e.reference), expected) << e.reference;
  }
}

TEST(UrlTest, GivesTheFullUrlOfANetworkPathReference) {
  const Url base = must_parse("http://a/b/c/d;p?q");
  auto url = resolve(base, "//g");
  ASSERT_TRUE(url);
  EXPECT_EQ(*url, (Url{"http", "g", "/", std::nullopt}));
  auto with_path = resolve(base, "//G:8080/x/../y?z#f");
  ASSERT_TRUE(with_path);
  EXPECT_EQ(*with_path, (Url{"http", "g:8080", "/y", "z"}));
}

TEST(UrlTest, KeepsAbsoluteUrlsOfTheSameOriginOnly) {
  const Url base = must_parse("https://www.example.com/blog/post.html");
  EXPECT_EQ(resolved(base, "https://www.example.com/css/a.css?v=1#x"), "/css/a.css?v=1");
  EXPECT_EQ(resolved(base, "HTTPS://WWW.Example.COM:443/css/a.css"), "/css/a.css");  // case, default port
  EXPECT_EQ(resolved(base, "https://www.example.com:0443/a"), "/a");
  EXPECT_EQ(resolved(base, "//www.example.com/a"), "/a");
  EXPECT_EQ(resolved(base, "https://www.example.com:8443/a"), "!cross_origin");
  EXPECT_EQ(resolved(base, "http://www.example.com/a"), "!cross_origin");  // another scheme
  EXPECT_EQ(resolved(base, "https://cdn.example.com/a.js"), "!cross_origin");
  EXPECT_EQ(resolved(base, "//cdn.example.com/a.js"), "!cross_origin");
  EXPECT_EQ(resolved(base, "https://user:pw@www.example.com/a"), "!cross_origin");  // credentials: not fetched
  EXPECT_EQ(resolved(base, "http:g"), "!cross_origin");                             // "http://g/" from an https page
}

TEST(UrlTest, RefusesSchemesOtherThanHttp) {
  const Url base = must_parse("https://example.com/");
  for (const std::string_view ref :
       {"data:image/gif;base64,R0lGODlhAQABAAAAACw=", "javascript:void(0)", "JavaScript:alert(1)", "mailto:a@b.c",
        "blob:https://example.com/1f2e", "ftp://example.com/a", "tel:+123", "about:blank", "  data:text/css,a"}) {
    EXPECT_EQ(resolved(base, ref), "!unsupported_scheme") << ref;
  }
  // Not schemes: a colon after a slash, or a name that cannot start a scheme.
  EXPECT_EQ(resolved(base, "./a:b"), "/a:b");
  EXPECT_EQ(resolved(base, "1x:y"), "/1x:y");
}

TEST(UrlTest, CleansReferencesAsBrowsersDo) {
  const Url base = must_parse("https://example.com/a/b/page.html");
  EXPECT_EQ(resolved(base, "  \n img/x.png \t"), "/a/b/img/x.png");  // surrounding space stripped
  EXPECT_EQ(resolved(base, "img/\nx\t.png"), "/a/b/img/x.png");      // tabs and newlines removed
  EXPECT_EQ(resolved(base, "..\\c\\x.png"), "/a/c/x.png");           // '\' is '/' for http(s)
  EXPECT_EQ(resolved(base, "x.png?a\\b"), "/a/b/x.png?a\\b");        // ... but not in the query
  EXPECT_EQ(resolved(base, "\\\\evil.example/x"), "!cross_origin");  // "\\host" is "//host"
  EXPECT_EQ(resolved(base, "https:\\\\example.com\\y"), "/y");
}

TEST(UrlTest, PreservesPercentEncodingAndEncodesWhatBrowsersEncode) {
  const Url base = must_parse("https://example.com/dir/");
  EXPECT_EQ(resolved(base, "a%20b%2Fc%zz.css"), "/dir/a%20b%2Fc%zz.css");  // escapes kept as written
  EXPECT_EQ(resolved(base, "my file.png"), "/dir/my%20file.png");
  EXPECT_EQ(resolved(base, "caf\xC3\xA9.png"), "/dir/caf%C3%A9.png");
  EXPECT_EQ(resolved(base, "a\"<>`{}.png"), "/dir/a%22%3C%3E%60%7B%7D.png");
  EXPECT_EQ(resolved(base, "a.png?q=a b&c='d'&e=%7e"), "/dir/a.png?q=a%20b&c=%27d%27&e=%7e");
  EXPECT_EQ(resolved(base, "a.png?"), "/dir/a.png?");  // an empty query is still a query
  EXPECT_EQ(resolved(base, "a|b^c.png"), "/dir/a|b^c.png");
}

TEST(UrlTest, TreatsEncodedDotsAsDotSegments) {
  const Url base = must_parse("https://example.com/a/b/c");
  EXPECT_EQ(resolved(base, "%2e%2E/x"), "/a/x");
  EXPECT_EQ(resolved(base, ".%2e/x"), "/a/x");
  EXPECT_EQ(resolved(base, "%2e./x"), "/a/x");
  EXPECT_EQ(resolved(base, "%2e/x"), "/a/b/x");
  EXPECT_EQ(resolved(base, "/%2e%2e/%2e%2e/x"), "/x");
  EXPECT_EQ(resolved(base, "%2e%2e%2e/x"), "/a/b/%2e%2e%2e/x");  // not a dot segment
}

TEST(UrlTest, KeepsEmptySegments) {
  // Browsers keep "//" inside a path; a path may even start with it once ".." removed what stood between.
  const Url base = must_parse("https://example.com/a/b");
  EXPECT_EQ(resolved(base, "x//y"), "/a/x//y");
  EXPECT_EQ(resolved(base, "/a/..//x"), "//x");
  EXPECT_EQ(resolve(base, "/a/..//x")->authority, "example.com");
}

TEST(UrlTest, ParsesPageUrls) {
  auto full = parse_url("https://Example.COM:443/a/./b/../c.html?x=1#frag");
  ASSERT_TRUE(full);
  EXPECT_EQ(*full, (Url{"https", "example.com", "/a/c.html", "x=1"}));
  EXPECT_EQ(full->target(), "/a/c.html?x=1");

  auto path = parse_url("/blog/post.html");
  ASSERT_TRUE(path);
  EXPECT_EQ(*path, (Url{"", "", "/blog/post.html", std::nullopt}));

  auto root = parse_url("http://localhost:8080");
  ASSERT_TRUE(root);
  EXPECT_EQ(*root, (Url{"http", "localhost:8080", "/", std::nullopt}));

  auto ipv6 = parse_url("http://[::1]:80/x");
  ASSERT_TRUE(ipv6);
  EXPECT_EQ(ipv6->authority, "[::1]");

  EXPECT_EQ(parse_url("ftp://example.com/").error(), UrlError::unsupported_scheme);
  EXPECT_EQ(parse_url("data:text/html,hi").error(), UrlError::unsupported_scheme);
  for (const std::string_view bad :
       {"", "a/b", "//host/x", "\\\\host\\x", "https:x", "https://", "https://h:99999/", "https://h:8a/",
        "https://[::1/", "https://a b/", "https://a%41/", "https://a:b:80/"}) {
    EXPECT_FALSE(parse_url(bad)) << bad;
  }
  EXPECT_EQ(parse_url("https://u@h/").error(), UrlError::cross_origin);
}

TEST(UrlTest, DistinguishesAnEmptyQueryFromNone) {
  EXPECT_EQ(must_parse("/a?").target(), "/a?");
  EXPECT_EQ(must_parse("/a").target(), "/a");
  EXPECT_NE(must_parse("/a?"), must_parse("/a"));
}

TEST(UrlTest, ComparesOrigins) {
  EXPECT_TRUE(same_origin(must_parse("https://a.example/x"), must_parse("https://A.example:443/y")));
  EXPECT_FALSE(same_origin(must_parse("https://a.example/"), must_parse("http://a.example/")));
  EXPECT_FALSE(same_origin(must_parse("https://a.example/"), must_parse("https://a.example:8443/")));
  EXPECT_TRUE(same_origin(must_parse("/x"), must_parse("/y")));
  EXPECT_FALSE(same_origin(must_parse("/x"), must_parse("https://a.example/x")));
}

TEST(UrlTest, JudgesTheOriginByThePageNotTheBase) {
  // A <base href> on a CDN: relative references follow it, and so leave the page's origin.
  const Url page = must_parse("https://example.com/shop/");
  const Url cdn = must_parse("https://cdn.example.net/assets/");
  EXPECT_EQ(resolve_path(page, cdn, "app.css").error(), UrlError::cross_origin);
  EXPECT_EQ(resolve_path(page, cdn, "https://example.com/own.css").value(), "/own.css");
  const Url same = must_parse("https://example.com/static/v2/");
  EXPECT_EQ(resolve_path(page, same, "../v1/app.css").value(), "/static/v1/app.css");
}

TEST(UrlTest, ResolvesFromAStylesheetPath) {
  // What the CSS scanner does: url() and @import are relative to the style sheet, not to the page.
  const Url sheet = must_parse("/css/theme/main.css");
  EXPECT_EQ(resolved(sheet, "../fonts/a.woff2"), "/css/fonts/a.woff2");
  EXPECT_EQ(resolved(sheet, "../../img/bg.png#svgView"), "/img/bg.png");
  EXPECT_EQ(resolved(sheet, "base.css"), "/css/theme/base.css");
}

}  // namespace
}  // namespace h2push::push
