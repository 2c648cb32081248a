// tests/server/push_manifest_test.cpp: the TOML push manifest and the [[push.link]] tables as push::Manifest
// rules, and the errors (file, line, key) for bad manifests.
#include "server/push_manifest.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "static_files_test_util.hpp"

namespace h2push::server {
namespace {

using push::Destination;

push::Resource resource(std::string path, Destination as, bool critical, bool crossorigin) {
  push::Resource r;
  r.path = std::move(path);
  r.as = as;
  r.critical = critical;
  r.crossorigin = crossorigin;
  r.source = "manifest";
  return r;
}

TEST(PushManifestTest, ReadsPages) {
  const auto manifest = parse_push_manifest(R"(# the shop's manifest
[[page]]
path = "/index.html"
add = [
  { href = "/css/late.css", as = "style", critical = true },
  { href = "/fonts/x.woff2", nopush = true },
  { href = "/js/m.js", as = "module_script" },
  { href = "/img/a.png", crossorigin = true },
]
remove = ["/img/gallery/*", "/img/big.png"]
nopush = ["/img/hero.png"]
order = ["/fonts/x.woff2", "/css/late.css"]

[[page]]
path = "/blog/*"
)");
  ASSERT_TRUE(manifest.ok()) << manifest.error().to_string();
  ASSERT_EQ(manifest->rules.size(), 2u);
  const push::ManifestRule& rule = manifest->rules[0];
  EXPECT_EQ(rule.page, "/index.html");
  EXPECT_EQ(rule.add, (std::vector<push::Resource>{resource("/css/late.css", Destination::style, true, false),
                                                   resource("/fonts/x.woff2", Destination::font, false, true),
                                                   resource("/js/m.js", Destination::module_script, false, true),
                                                   resource("/img/a.png", Destination::image, false, true)}));
  EXPECT_EQ(rule.remove, (std::vector<std::string>{"/img/gallery/*", "/img/big.png"}));
  EXPECT_EQ(rule.nopush, (std::vector<std::string>{"/img/hero.png", "/fonts/x.woff2"}));
  EXPECT_EQ(rule.order, (std::vector<std::string>{"/fonts/x.woff2", "/css/late.css"}));
  EXPECT_EQ(manifest->rules[1].page, "/blog/*");
  EXPECT_TRUE(manifest->rules[1].add.empty());
  EXPECT_TRUE(parse_push_manifest("").ok());
}

TEST(PushManifestTest, ErrorsNameTheLineAndKey) {
  struct Case {
    const char* text;
    std::uint32_t line;
    const char* key;
    const char* message_part;
  };
  const std::vector<Case> cases = {
      {"[[page]]\npath = \"/\"\nadd = [{ href = \"/a.mp3\", as = \"sound\" }]\n", 3, "page[0].add[0].as",
       "got \"sound\""},
      {"[[page]]\npath = \"index.html\"\n", 2, "page[0].path", "expected a page path"},
      {"[[page]]\n\npath = \"/\"\nremove = [\"/a\", 3]\n", 4, "page[0].remove[1]", "got 3"},
      {"[[page]]\npath = \"/\"\norder = [\"/img/*\"]\n", 3, "page[0].order[0]", "expected a same-origin path"},
      {"[[page]]\npath = \"/\"\nadd = [{ as = \"style\" }]\n", 3, "page[0].add[0]", "missing key 'href'"},
      {"[[page]]\npath = \"/\"\nadd = [{ href = \"//cdn.example/x.css\" }]\n", 3, "page[0].add[0].href", "same-origin"},
      {"[[page]]\npath = \"/\"\nadd = [{ href = \"/x.css\", critcal = true }]\n", 3, "page[0].add[0].critcal",
       "unknown key"},
      {"[[page]]\npath = \"/\"\nadd = [{ href = \"/x.css\", nopush = \"yes\" }]\n", 3, "page[0].add[0].nopush",
       "expected true or false"},
      {"[[page]]\npath = \"/\"\n[[page]]\nremove = [\"/a\"]\n", 3, "page[1]", "missing key 'path'"},
      {"[[pages]]\npath = \"/\"\n", 1, "pages", "unknown key"},
      {"[[page]]\npath = \"/\"\nadd = \"/x.css\"\n", 3, "page[0].add", "expected an array of tables"},
      {"[[page]]\npath = \"/\"\nextra = 1\n", 3, "page[0].extra", "unknown key"},
      {"[[page]\npath = \"/\"\n", 1, "", "TOML syntax error"},
  };
  for (const Case& c : cases) {
    const auto manifest = parse_push_manifest(c.text, "push.toml");
    ASSERT_FALSE(manifest.ok()) << c.text;
    const ConfigError& error = manifest.error();
    EXPECT_EQ(error.source, "push.toml") << c.text;
    EXPECT_EQ(error.line, c.line) << c.text;
    EXPECT_EQ(error.key, c.key) << c.text;
    EXPECT_NE(error.message.find(c.message_part), std::string::npos) << error.to_string();
  }
}

TEST(PushManifestTest, GuessesDestinationsFromExtensions) {
  EXPECT_EQ(destination_for("", "/a/b.css?v=1"), Destination::style);
  EXPECT_EQ(destination_for("", "/a/b.MJS"), Destination::script);
  EXPECT_EQ(destination_for("", "/f.woff2"), Destination::font);
  EXPECT_EQ(destination_for("", "/i.avif"), Destination::image);
  EXPECT_EQ(destination_for("", "/d.json"), Destination::fetch);
  EXPECT_EQ(destination_for("", "/p.html"), Destination::document);
  EXPECT_EQ(destination_for("", "/v.mp4"), Destination::other);
  EXPECT_EQ(destination_for("", "/dir.css/file"), Destination::other);
  EXPECT_EQ(destination_for("video", "/v.mp4"), Destination::other);
  EXPECT_EQ(destination_for("Font", "/x"), Destination::font);
  EXPECT_EQ(destination_for("stylesheet", "/x.css"), std::nullopt);
}

TEST(PushManifestTest, LinksBecomeRules) {
  const std::vector<PushLink> links = {
      {.page = "/index.html", .href = "/css/site.css", .as = "style", .critical = true, .nopush = false},
      {.page = "/blog/*", .href = "/fonts/body.woff2", .as = "", .critical = false, .nopush = true},
  };
  const push::Manifest manifest = manifest_from_links(links);
  ASSERT_EQ(manifest.rules.size(), 2u);
  EXPECT_EQ(manifest.rules[0], (push::ManifestRule{.page = "/index.html",
                                                   .add = {resource("/css/site.css", Destination::style, true, false)},
                                                   .nopush = {},
                                                   .remove = {},
                                                   .order = {}}));
  EXPECT_EQ(manifest.rules[1],
            (push::ManifestRule{.page = "/blog/*",
                                .add = {resource("/fonts/body.woff2", Destination::font, false, true)},
                                .nopush = {"/fonts/body.woff2"},
                                .remove = {},
                                .order = {}}));
}

TEST(PushManifestTest, LoadsTheFileThenTheLinks) {
  testing::TempDir dir;
  dir.write("push.toml", "[[page]]\npath = \"/\"\nremove = [\"/img/*\"]\n");
  PushConfig config;
  config.manifest = dir.path() / "push.toml";
  config.links = {{.page = "/", .href = "/a.css", .as = "", .critical = false, .nopush = false}};
  const auto manifest = load_push_manifest(config);
  ASSERT_TRUE(manifest.ok()) << manifest.error();
  ASSERT_EQ(manifest->rules.size(), 2u);
  EXPECT_EQ(manifest->rules[0].remove, std::vector<std::string>{"/img/*"});
  EXPECT_EQ(manifest->rules[1].add.at(0).path, "/a.css");

  EXPECT_TRUE(load_push_manifest(PushConfig{}).ok());
  EXPECT_TRUE(load_push_manifest(PushConfig{})->rules.empty());

  dir.write("bad.toml", "[[page]]\npath = \"/\"\nadd = [{ href = \"x.css\" }]\n");
  config.manifest = dir.path() / "bad.toml";
  const auto bad = load_push_manifest(config);
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error(), (dir.path() / "bad.toml").string() +
                             ":3: key 'page[0].add[0].href': expected a same-origin path such as \"/css/site.css\", "
                             "got \"x.css\"");
  config.manifest = dir.path() / "missing.toml";
  ASSERT_FALSE(load_push_manifest(config).ok());
  EXPECT_NE(load_push_manifest(config).error().find("missing.toml: cannot open the push manifest"), std::string::npos);
}

}  // namespace
}  // namespace h2push::server
