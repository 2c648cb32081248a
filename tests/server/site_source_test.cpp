// tests/server/site_source_test.cpp: the planner's view of the static site (StaticSiteSource) agrees with what
// StaticFiles serves: same files, index documents, refusals, media types and ETags; and the demo site's plan, as
// `serve` computes it, has the documented three levels.
#include "server/site_source.hpp"

#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

#include "push/site_plan.hpp"
#include "server/demo_site.hpp"
#include "server/static_files.hpp"
#include "static_files_test_util.hpp"

namespace h2push::server {
namespace {

using testing::TempDir;

std::string describe(const push::PlannedResource& p) {
  const push::Resource& r = p.resource;
  std::string out = r.path + " " + std::string(push::to_string(r.as)) + " L" + std::to_string(r.level) + " u" +
                    std::to_string(p.urgency);
  if (r.critical) out += " critical";
  if (r.crossorigin) out += " crossorigin";
  return out + " <" + r.source + ">";
}

TEST(StaticSiteSourceTest, SeesWhatTheServerServesWithItsETags) {
  TempDir dir;
  dir.write("index.html", "<link rel=stylesheet href=/css/a.css>");
  dir.write("docs/index.html", "<p>docs</p>");
  dir.write("css/a.css", std::string(2000, 'a'));  // compressible and large enough to be compressed
  dir.write("data", "no extension");
  dir.write(".secret", "hidden");
  auto files = std::make_shared<StaticFiles>(StaticOptions{.root = dir.str()});
  StaticSiteSource source(files);

  for (const char* path : {"/", "/index.html", "/css/a.css", "/docs/", "/data"}) {
    const auto stat = source.stat(path);
    ASSERT_TRUE(stat.has_value()) << path;
    const FileResponse served = files->serve({.method = "GET", .target = path});
    ASSERT_EQ(served.status, 200) << path;
    EXPECT_EQ(stat->version, served.header("etag").value_or("")) << path;
    EXPECT_EQ(std::to_string(stat->size), served.header("content-length").value_or("")) << path;
  }
  EXPECT_EQ(source.stat("/")->media_type, "text/html");
  EXPECT_EQ(source.stat("/css/a.css")->media_type, "text/css");
  EXPECT_EQ(source.stat("/data")->media_type, "application/octet-stream");
  EXPECT_EQ(source.stat("/"), source.stat("/index.html"));
  EXPECT_EQ(source.read("/docs/", 100), "<p>docs</p>");
  EXPECT_EQ(source.read("/css/a.css", 1999), std::nullopt);  // larger than asked
  EXPECT_EQ(source.read("/css/a.css", 2000), std::string(2000, 'a'));

  // Whatever serve() refuses or redirects is not servable.
  for (const char* path : {"/docs", "/missing.css", "/.secret", "/../etc/passwd", "/css/a.css/", "/%2e%2e/x", "x"}) {
    EXPECT_EQ(source.stat(path), std::nullopt) << path;
    EXPECT_EQ(source.read(path, 1 << 20), std::nullopt) << path;
  }

  // A changed file has a new version, as its ETag changes.
  const std::string before = source.stat("/css/a.css")->version;
  dir.write("css/a.css", std::string(2001, 'b'));
  EXPECT_NE(source.stat("/css/a.css")->version, before);
}

TEST(StaticSiteSourceTest, VersionsWithoutETagsStillChange) {
  TempDir dir;
  dir.write("a.css", "a");
  auto files = std::make_shared<StaticFiles>(StaticOptions{.root = dir.str(), .etag = EtagMode::none});
  StaticSiteSource source(files);
  const auto first = source.stat("/a.css");
  ASSERT_TRUE(first.has_value());
  EXPECT_FALSE(first->version.empty());
  dir.write("a.css", "bb");
  EXPECT_NE(source.stat("/a.css")->version, first->version);
}

TEST(StaticSiteSourceTest, MediaTypeWithoutParameters) {
  EXPECT_EQ(media_type_of("Text/HTML; charset=utf-8"), "text/html");
  EXPECT_EQ(media_type_of("image/png"), "image/png");
  EXPECT_EQ(media_type_of("text/css ;charset=utf-8"), "text/css");
  EXPECT_EQ(media_type_of(""), "");
}

TEST(StaticSiteSourceTest, PlannerOverTheServerSeesAChangedFile) {
  TempDir dir;
  dir.write("index.html", "<link rel=stylesheet href=css/a.css>");
  dir.write("css/a.css", "@import 'b.css';");
  dir.write("css/b.css", "x{}");
  push::SitePlanner planner(
      std::make_shared<StaticSiteSource>(std::make_shared<StaticFiles>(StaticOptions{.root = dir.str()})));
  const auto plan = planner.plan("/");
  ASSERT_NE(plan, nullptr);
  ASSERT_EQ(plan->resources.size(), 2u);
  EXPECT_EQ(planner.plan("/"), plan);
  dir.write("css/b.css", "x{background:url(c.png)}");
  dir.write("css/c.png", "png");
  const auto next = planner.plan("/");
  ASSERT_NE(next, plan);
  ASSERT_EQ(next->resources.size(), 3u);
  EXPECT_EQ(next->resources[2].resource.path, "/css/c.png");
}

// The demo site (docs/demo-site.md), extracted and served as `serve` does: its three levels, ranked.
TEST(DemoSitePlanTest, HasTheDocumentedThreeLevels) {
  TempDir dir;
  const auto root = extract_demo_site(dir.path() / "site");
  ASSERT_TRUE(root.ok());
  push::SitePlanner planner(
      std::make_shared<StaticSiteSource>(std::make_shared<StaticFiles>(StaticOptions{.root = root->string()})));
  const auto plan = planner.plan("/");
  ASSERT_NE(plan, nullptr);
  std::vector<std::string> got;
  for (const push::PlannedResource& r : plan->resources) got.push_back(describe(r));
  const std::vector<std::string> expected = {
      "/css/main.css style L1 u4 critical <link>",
      "/css/waterfall.css style L1 u4 critical <link>",
      "/css/base.css style L2 u4 critical <css-import>",
      "/fonts/dots.woff font L2 u4 critical crossorigin <css-font-face>",
      "/js/site.js script L1 u5 <script>",
      "/js/app.js module_script L1 u5 crossorigin <script>",
      "/js/catalog.js module_script L2 u5 crossorigin <js-import>",
      "/js/waterfall.js module_script L2 u5 crossorigin <js-import>",
      "/js/format.js module_script L3 u5 crossorigin <js-import>",
      "/favicon.ico image L1 u6 <link>",
      "/img/logo.svg image L1 u6 <img>",
      "/img/hero-1200.png image L1 u6 <img>",
      "/img/harbour-day.png image L1 u6 <img>",
      "/img/harbour-fog.png image L1 u6 <img>",
      "/img/harbour-dawn.png image L1 u6 <img>",
      "/img/paper.png image L2 u6 <css-url>",
      "/img/wave.svg image L3 u6 <css-url>",
      "/data/assets.json fetch L3 u6 crossorigin <js-new-url>",
  };
  EXPECT_EQ(got, expected);
  EXPECT_EQ(plan->conditional, 3u);  // hero-600, hero-1600 (srcset), harbour-night (<picture> dark source)
  EXPECT_EQ(plan->unservable, 0u);
  EXPECT_FALSE(plan->truncated);
  EXPECT_EQ(plan->files_parsed, 8u);  // index, main, waterfall, app, base, catalog, waterfall.js, format

  const auto about = planner.plan("/about.html");
  ASSERT_NE(about, nullptr);
  EXPECT_EQ(about->resources.size(), 9u);  // main, base, dots; site.js; favicon, logo, layers; paper, wave
  EXPECT_EQ(planner.plan("/hello"), nullptr);
}

}  // namespace
}  // namespace h2push::server
