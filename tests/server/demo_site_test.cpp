// tests/server/demo_site_test.cpp: the embedded demo site (src/server/demo_site.{hpp,cpp}).
//
// Checks that the embedded files are exactly the source directory plus the generated assets, that the page has its
// three levels of discovery with no dangling reference in any HTML, CSS or JS file, that sizes are realistic, and
// that extraction writes identical files.
#include "server/demo_site.hpp"

#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <cstdint>
#include <fstream>
#include <iterator>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

namespace h2push::server {
namespace {

namespace fs = std::filesystem;

const fs::path kSourceDir = H2PUSH_DEMO_SITE_SOURCE_DIR;
const fs::path kGeneratedDir = H2PUSH_DEMO_SITE_GENERATED_DIR;
constexpr std::size_t kKiB = 1024;

std::string read_file(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

std::string as_string(std::span<const std::byte> bytes) {
  return {reinterpret_cast<const char*>(bytes.data()), bytes.size()};
}

// Every file under `root` by relative '/' path, skipping names that start with '.' as the embedding step does.
std::map<std::string, std::string> files_under(const fs::path& root) {
  std::map<std::string, std::string> files;
  for (const auto& entry : fs::recursive_directory_iterator(root)) {
    if (!entry.is_regular_file()) continue;
    const fs::path relative = entry.path().lexically_relative(root);
    const bool hidden = std::any_of(relative.begin(), relative.end(),
                                    [](const fs::path& part) { return part.string().starts_with('.'); });
    if (!hidden) files[relative.generic_string()] = read_file(entry.path());
  }
  return files;
}

std::map<std::string, std::string> embedded() {
  std::map<std::string, std::string> files;
  for (const EmbeddedFile& file : demo_site_files()) files[std::string(file.path)] = as_string(file.data);
  return files;
}

std::string embedded_text(std::string_view path) {
  const EmbeddedFile* file = find_demo_site_file(path);
  return file != nullptr ? as_string(file->data) : std::string();
}

bool has_suffix(std::string_view s, std::string_view suffix) { return s.ends_with(suffix); }

// Resolves `ref`, found in the file at site path `from`, to a site path; nullopt for anything outside the site
// (another scheme, another host, a fragment of the same document, a data: URL).
std::optional<std::string> resolve(std::string_view from, std::string_view ref) {
  if (ref.empty() || ref.front() == '#' || ref.starts_with("//")) return std::nullopt;
  const auto colon = ref.find(':');
  if (colon != std::string_view::npos && ref.find_first_of("/?#") > colon) return std::nullopt;  // has a scheme
  ref = ref.substr(0, ref.find_first_of("?#"));
  std::string joined;
  if (ref.starts_with('/')) {
    joined = std::string(ref.substr(1));
  } else {
    const auto slash = from.rfind('/');
    joined =
        (slash == std::string_view::npos ? std::string() : std::string(from.substr(0, slash + 1))) + std::string(ref);
  }
  std::vector<std::string> parts;
  std::size_t start = 0;
  while (start <= joined.size()) {
    const std::size_t end = std::min(joined.find('/', start), joined.size());
    const std::string part = joined.substr(start, end - start);
    if (part == "..") {
      if (parts.empty()) return "<outside the site>/" + joined;
      parts.pop_back();
    } else if (part != "." && !part.empty()) {
      parts.push_back(part);
    }
    start = end + 1;
  }
  std::string path;
  for (const std::string& part : parts) path += (path.empty() ? "" : "/") + part;
  if (path.empty() || joined.ends_with('/')) path += path.empty() ? "index.html" : "/index.html";
  return path;
}

// The values of every `name="..."` attribute in `html` (the name preceded by whitespace).
std::vector<std::string> attribute_values(std::string_view html, std::string_view name) {
  std::vector<std::string> values;
  const std::string needle = std::string(name) + "=\"";
  for (std::size_t at = html.find(needle); at != std::string_view::npos; at = html.find(needle, at + 1)) {
    if (at == 0 || (html[at - 1] != ' ' && html[at - 1] != '\n')) continue;
    const std::size_t begin = at + needle.size();
    values.emplace_back(html.substr(begin, html.find('"', begin) - begin));
  }
  return values;
}

// The URLs of a srcset value: "a.png 600w, b.png 1200w" -> {"a.png", "b.png"}.
std::vector<std::string> srcset_urls(std::string_view srcset) {
  std::vector<std::string> urls;
  std::size_t start = 0;
  while (start < srcset.size()) {
    const std::size_t end = std::min(srcset.find(',', start), srcset.size());
    std::string_view candidate = srcset.substr(start, end - start);
    candidate.remove_prefix(std::min(candidate.find_first_not_of(" \n"), candidate.size()));
    urls.emplace_back(candidate.substr(0, candidate.find(' ')));
    start = end + 1;
  }
  return urls;
}

// Every reference an HTML file makes: href, src and each srcset candidate.
std::vector<std::string> html_references(std::string_view html) {
  std::vector<std::string> refs;
  for (std::string_view name : {"href", "src"}) {
    for (std::string& value : attribute_values(html, name)) refs.push_back(std::move(value));
  }
  for (const std::string& srcset : attribute_values(html, "srcset")) {
    for (std::string& url : srcset_urls(srcset)) refs.push_back(std::move(url));
  }
  return refs;
}

// Every url(...) of a stylesheet, quotes removed; @import url("...") included.
std::vector<std::string> css_references(std::string_view css) {
  std::vector<std::string> refs;
  for (std::size_t at = css.find("url("); at != std::string_view::npos; at = css.find("url(", at + 1)) {
    const std::size_t begin = at + 4;
    std::string value(css.substr(begin, css.find(')', begin) - begin));
    if (!value.empty() && (value.front() == '"' || value.front() == '\'')) value = value.substr(1, value.size() - 2);
    refs.push_back(value);
  }
  return refs;
}

// Every module specifier (import ... from "x", import("x")) and every new URL("x", import.meta.url) of a script.
std::vector<std::string> js_references(std::string_view js) {
  std::vector<std::string> refs;
  for (std::string_view needle : {" from \"", "import(\"", "new URL(\""}) {
    for (std::size_t at = js.find(needle); at != std::string_view::npos; at = js.find(needle, at + 1)) {
      const std::size_t begin = at + needle.size();
      refs.emplace_back(js.substr(begin, js.find('"', begin) - begin));
    }
  }
  return refs;
}

std::vector<std::string> references_of(std::string_view path, std::string_view text) {
  if (has_suffix(path, ".html")) return html_references(text);
  if (has_suffix(path, ".css")) return css_references(text);
  if (has_suffix(path, ".js")) return js_references(text);
  return {};
}

std::uint32_t big_endian_u32(std::string_view bytes, std::size_t at) {
  std::uint32_t value = 0;
  for (std::size_t i = 0; i < 4; ++i) value = (value << 8) | static_cast<std::uint8_t>(bytes[at + i]);
  return value;
}

// A fresh directory under the system's temporary directory, removed at the end of the test.
class TempDir {
 public:
  TempDir() {
    const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
    path_ = fs::temp_directory_path() /
            ("h2push_demo_site_test_" + std::to_string(::getpid()) + "_" + std::string(info->name()));
    fs::remove_all(path_);
  }
  ~TempDir() {
    std::error_code ec;
    fs::remove_all(path_, ec);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const fs::path& path() const { return path_; }

 private:
  fs::path path_;
};

TEST(DemoSiteTest, EmbedsExactlyTheSourceAndGeneratedFilesByteForByte) {
  const std::map<std::string, std::string> sources = files_under(kSourceDir);
  const std::map<std::string, std::string> generated = files_under(kGeneratedDir);
  ASSERT_FALSE(sources.empty()) << kSourceDir;
  ASSERT_FALSE(generated.empty()) << kGeneratedDir;
  std::map<std::string, std::string> expected = sources;
  for (const auto& [path, bytes] : generated) {
    EXPECT_TRUE(expected.emplace(path, bytes).second) << path << " is both committed and generated";
  }
  const std::map<std::string, std::string> actual = embedded();
  for (const auto& [path, bytes] : expected) {
    const auto it = actual.find(path);
    if (it == actual.end()) {
      ADD_FAILURE() << path << " is on disk but not embedded";
    } else {
      EXPECT_TRUE(it->second == bytes) << path << " differs from the file on disk";
    }
  }
  for (const auto& [path, bytes] : actual) {
    EXPECT_TRUE(expected.contains(path)) << path << " is embedded but not on disk";
  }
}

TEST(DemoSiteTest, ListsFilesSortedUniqueAndRelative) {
  const auto files = demo_site_files();
  ASSERT_FALSE(files.empty());
  for (std::size_t i = 0; i < files.size(); ++i) {
    const std::string_view path = files[i].path;
    EXPECT_FALSE(path.starts_with('/')) << path;
    EXPECT_EQ(path.find(".."), std::string_view::npos) << path;
    EXPECT_EQ(path.find('\\'), std::string_view::npos) << path;
    if (i > 0) {
      EXPECT_LT(files[i - 1].path, path);
    }
    EXPECT_EQ(find_demo_site_file(path), &files[i]);
  }
  EXPECT_EQ(find_demo_site_file("missing.html"), nullptr);
  EXPECT_EQ(find_demo_site_file(""), nullptr);
}

TEST(DemoSiteTest, HasNoDanglingReferenceInAnyHtmlCssOrJsFile) {
  std::size_t checked = 0;
  for (const EmbeddedFile& file : demo_site_files()) {
    const std::string text = as_string(file.data);
    for (const std::string& ref : references_of(file.path, text)) {
      const std::optional<std::string> target = resolve(file.path, ref);
      if (!target) continue;
      ++checked;
      EXPECT_NE(find_demo_site_file(*target), nullptr)
          << file.path << " refers to " << ref << " (" << *target << "), which is not embedded";
    }
  }
  EXPECT_GE(checked, 45u);  // about 48 today: a parser that finds nothing must not pass
}

TEST(DemoSiteTest, CatalogDescribesEveryFileAndOnlyThose) {
  const std::string json = embedded_text("data/assets.json");
  ASSERT_TRUE(json.starts_with('{'));
  std::set<std::string> described;
  const std::string_view needle = "\"path\": \"";
  for (std::size_t at = json.find(needle); at != std::string::npos; at = json.find(needle, at + 1)) {
    const std::size_t begin = at + needle.size();
    described.insert(json.substr(begin, json.find('"', begin) - begin));
  }
  std::set<std::string> files;
  for (const EmbeddedFile& file : demo_site_files()) files.insert(std::string(file.path));
  EXPECT_EQ(described, files);
}

TEST(DemoSiteTest, IndexReachesThreeLevelsThroughStylesheets) {
  const std::string index = embedded_text("index.html");
  ASSERT_FALSE(index.empty());
  // Level 1: two stylesheets linked by the HTML.
  EXPECT_NE(index.find(R"(<link rel="stylesheet" href="css/main.css">)"), std::string::npos);
  EXPECT_NE(index.find(R"(<link rel="stylesheet" href="css/waterfall.css">)"), std::string::npos);
  // Level 2: main.css imports base.css and names the font and the background picture.
  const std::string main_css = embedded_text("css/main.css");
  EXPECT_NE(main_css.find(R"(@import url("base.css");)"), std::string::npos);
  EXPECT_NE(main_css.find("@font-face"), std::string::npos);
  EXPECT_NE(main_css.find(R"(src: url("../fonts/dots.woff") format("woff"))"), std::string::npos);
  EXPECT_NE(main_css.find(R"(background-image: url("../img/paper.png"))"), std::string::npos);
  EXPECT_EQ(resolve("css/main.css", "base.css"), "css/base.css");
  const std::string font = embedded_text("fonts/dots.woff");
  ASSERT_GE(font.size(), 44u);
  EXPECT_TRUE(font.starts_with("wOFF"));
  EXPECT_EQ(big_endian_u32(font, 8), font.size()) << "the WOFF header's length field";
  EXPECT_TRUE(embedded_text("img/paper.png").starts_with("\x89PNG\r\n\x1a\n"));
  // Level 3: the imported stylesheet names a picture of its own.
  const std::vector<std::string> base_refs = css_references(embedded_text("css/base.css"));
  ASSERT_EQ(base_refs.size(), 1u);
  EXPECT_EQ(resolve("css/base.css", base_refs[0]), "img/wave.svg");
  EXPECT_TRUE(embedded_text("img/wave.svg").starts_with("<svg"));
}

TEST(DemoSiteTest, IndexReachesThreeLevelsThroughModules) {
  const std::string index = embedded_text("index.html");
  EXPECT_NE(index.find(R"(<script src="js/site.js" defer></script>)"), std::string::npos);
  EXPECT_NE(index.find(R"(<script type="module" src="js/app.js"></script>)"), std::string::npos);
  // Level 2: the module imports two modules.
  const std::vector<std::string> app_refs = js_references(embedded_text("js/app.js"));
  EXPECT_NE(std::find(app_refs.begin(), app_refs.end(), "./catalog.js"), app_refs.end());
  EXPECT_NE(std::find(app_refs.begin(), app_refs.end(), "./waterfall.js"), app_refs.end());
  EXPECT_EQ(std::find(app_refs.begin(), app_refs.end(), "./format.js"), app_refs.end())
      << "format.js must stay a level-3 file";
  // Level 3: the imported module fetches the JSON (resolved against the module) and imports one more module.
  const std::string catalog = embedded_text("js/catalog.js");
  EXPECT_NE(catalog.find(R"(new URL("../data/assets.json", import.meta.url))"), std::string::npos);
  EXPECT_NE(catalog.find("await fetch(CATALOG_URL"), std::string::npos);
  EXPECT_EQ(resolve("js/catalog.js", "../data/assets.json"), "data/assets.json");
  EXPECT_NE(find_demo_site_file("data/assets.json"), nullptr);
  EXPECT_NE(catalog.find(R"(from "./format.js")"), std::string::npos);
}

TEST(DemoSiteTest, IndexUsesSrcsetPictureAndSeveralImages) {
  const std::string index = embedded_text("index.html");
  std::size_t images = 0;
  for (std::size_t at = index.find("<img"); at != std::string::npos; at = index.find("<img", at + 1)) ++images;
  EXPECT_GE(images, 5u);
  EXPECT_NE(index.find("<picture>"), std::string::npos);
  EXPECT_NE(index.find(R"(<link rel="icon" href="favicon.ico")"), std::string::npos);
  // Each srcset width descriptor matches the picture's real width (PNG IHDR).
  const std::vector<std::string> srcsets = attribute_values(index, "srcset");
  ASSERT_FALSE(srcsets.empty());
  const std::string& hero = srcsets[0];
  std::size_t candidates = 0;
  for (std::size_t start = 0; start < hero.size();) {
    const std::size_t end = std::min(hero.find(',', start), hero.size());
    std::string candidate = hero.substr(start, end - start);
    candidate.erase(0, candidate.find_first_not_of(' '));
    const std::string url = candidate.substr(0, candidate.find(' '));
    const std::string descriptor = candidate.substr(candidate.find(' ') + 1);
    ASSERT_TRUE(descriptor.ends_with('w')) << candidate;
    const std::string png = embedded_text(url);
    ASSERT_GE(png.size(), 24u) << url;
    EXPECT_EQ(std::to_string(big_endian_u32(png, 16)) + "w", descriptor) << url;
    ++candidates;
    start = end + 1;
  }
  EXPECT_EQ(candidates, 3u);
  const std::string icon = embedded_text("favicon.ico");
  ASSERT_GE(icon.size(), 6u);
  EXPECT_EQ(icon.substr(0, 4), std::string("\0\0\1\0", 4));
}

TEST(DemoSiteTest, AboutPageSharesAssetsWithIndex) {
  const std::string about = embedded_text("about.html");
  ASSERT_FALSE(about.empty());
  for (std::string_view shared :
       {R"(href="css/main.css")", R"(src="js/site.js")", R"(src="img/logo.svg")", R"(href="favicon.ico")"}) {
    EXPECT_NE(about.find(shared), std::string::npos) << shared;
  }
  EXPECT_NE(about.find(R"(src="img/layers.svg")"), std::string::npos);
}

TEST(DemoSiteTest, HelloIsPlainText) {
  const std::string hello = embedded_text("hello");
  EXPECT_TRUE(hello.starts_with("Hello from h2push!\n"));
  EXPECT_TRUE(std::all_of(hello.begin(), hello.end(), [](char c) { return c == '\n' || (c >= ' ' && c < 127); }));
}

TEST(DemoSiteTest, SizesAreRealistic) {
  std::size_t total = 0;
  std::size_t largest = 0;
  std::size_t js = 0;
  std::size_t css = 0;
  for (const EmbeddedFile& file : demo_site_files()) {
    const std::size_t size = file.data.size();
    total += size;
    largest = std::max(largest, size);
    EXPECT_LE(size, 300 * kKiB) << file.path;
    EXPECT_GT(size, 0u) << file.path;
    if (has_suffix(file.path, ".js")) {
      js += size;
      EXPECT_GE(size, 2 * kKiB) << file.path;
    }
    if (has_suffix(file.path, ".css")) {
      css += size;
      EXPECT_GE(size, 4 * kKiB) << file.path;
      EXPECT_LE(size, 30 * kKiB) << file.path;
    }
    if (has_suffix(file.path, ".html")) {
      EXPECT_GE(size, 4 * kKiB) << file.path;
    }
  }
  const std::size_t count = demo_site_files().size();
  EXPECT_GE(count, 18u);
  EXPECT_LE(count, 28u);
  EXPECT_GE(total, 600 * kKiB);
  EXPECT_LE(total, 1200 * kKiB);
  EXPECT_GE(largest, 150 * kKiB) << "one picture of about 200 KiB";
  EXPECT_GE(js, 20 * kKiB);
  EXPECT_LE(js, 60 * kKiB);
  EXPECT_GE(css, 20 * kKiB);
  EXPECT_GE(find_demo_site_file("css/main.css")->data.size(), 10 * kKiB);
}

TEST(DemoSiteTest, ExtractsIdenticalFilesWithTheDocumentedMtime) {
  TempDir dir;
  const auto result = extract_demo_site(dir.path() / "site");
  ASSERT_TRUE(result.ok()) << result.error();
  EXPECT_TRUE(result.value().is_absolute());
  EXPECT_EQ(files_under(result.value()), embedded());
  const auto expected_time = fs::file_time_type::clock::from_sys(demo_site_modified_time());
  for (const EmbeddedFile& file : demo_site_files()) {
    EXPECT_EQ(fs::last_write_time(result.value() / fs::path(file.path)), expected_time) << file.path;
  }
}

TEST(DemoSiteTest, ExtractsAgainOverAnEarlierCopyAndKeepsOtherFiles) {
  TempDir dir;
  ASSERT_TRUE(extract_demo_site(dir.path()).ok());
  {
    std::ofstream(dir.path() / "index.html", std::ios::trunc) << "changed";
    std::ofstream(dir.path() / "extra.txt") << "mine";
  }
  const auto again = extract_demo_site(dir.path());
  ASSERT_TRUE(again.ok()) << again.error();
  EXPECT_EQ(read_file(dir.path() / "index.html"), embedded_text("index.html"));
  EXPECT_EQ(read_file(dir.path() / "extra.txt"), "mine");
}

TEST(DemoSiteTest, FailsWithAMessageWhenTheDirectoryCannotBeCreated) {
  TempDir dir;
  fs::create_directories(dir.path());
  std::ofstream(dir.path() / "file") << "not a directory";
  const auto result = extract_demo_site(dir.path() / "file" / "site");
  ASSERT_FALSE(result.ok());
  EXPECT_NE(result.error().find((dir.path() / "file").string()), std::string::npos) << result.error();
}

TEST(DemoSiteTest, ModifiedTimeIsAfterTheProjectBegan) {
  // 2024-01-01T00:00:00Z: any real build time or SOURCE_DATE_EPOCH of this project is later.
  EXPECT_GT(demo_site_modified_time().time_since_epoch().count(), 1704067200);
}

}  // namespace
}  // namespace h2push::server
