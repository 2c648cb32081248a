// tests/server/static_files_test.cpp: StaticFiles end to end on a temporary document root: statuses, headers,
// directories, methods, dotfiles, MIME types, validators and conditional requests.
#include "server/static_files.hpp"

#include <sys/stat.h>
#include <unistd.h>

#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "server/static_files_http.hpp"
#include "static_files_test_util.hpp"

namespace h2push::server {
namespace {

using testing::get;
using testing::header_or_none;
using testing::read_body;
using testing::TempDir;

constexpr std::int64_t kMtime = 1'700'000'000;  // Tue, 14 Nov 2023 22:13:20 GMT
constexpr std::string_view kMtimeDate = "Tue, 14 Nov 2023 22:13:20 GMT";
const std::string kHome = "<!DOCTYPE html><title>home</title>";

// "hex-hex-hex" in double quotes (no std::regex: GCC 12 warns inside it under -O2 with sanitizers).
bool has_etag_shape(std::string_view tag) {
  if (tag.size() < 7 || tag.front() != '"' || tag.back() != '"') return false;
  int dashes = 0;
  char previous = '"';
  for (const char c : tag.substr(1, tag.size() - 2)) {
    if (c == '-') {
      if (previous == '-' || previous == '"') return false;
      ++dashes;
    } else if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) {
      return false;
    }
    previous = c;
  }
  return dashes == 2 && previous != '-';
}

class StaticFilesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_.write("index.html", kHome);
    dir_.set_mtime("index.html", kMtime);
    dir_.write("style.css", "body{color:red}");
    dir_.write("docs/index.html", "docs home");
    dir_.mkdir("empty");
    dir_.mkdir("a b");
    dir_.write("data.bin", std::string("\0\1\2\3", 4));
    dir_.write(".env", "SECRET=1");
    dir_.write(".well-known/security.txt", "Contact: x");
    dir_.write("sub/.git/config", "[core]");
    dir_.write("empty.txt", "");
  }

  FileResponse serve(FileRequest request) { return files().serve(request); }
  StaticFiles& files() {
    if (!files_) files_ = std::make_unique<StaticFiles>(options_);
    return *files_;
  }

  TempDir dir_;
  StaticOptions options_{.root = dir_.str()};
  std::unique_ptr<StaticFiles> files_;
};

TEST_F(StaticFilesTest, ServesFileWithExactHeadersWhenGet) {
  // HS-8.3-01 (RFC 9110 §8.3), HS-8.8-01 (RFC 9110 §8.8), HC-5.2-01 (RFC 9111 §5.2)
  const FileResponse r = serve(get("/index.html"));
  ASSERT_EQ(r.status, 200);
  ASSERT_EQ(r.headers.size(), 7u);
  EXPECT_EQ(r.headers[0].name, "content-type");
  EXPECT_EQ(r.headers[0].value, "text/html; charset=utf-8");
  EXPECT_EQ(r.headers[1].name, "content-length");
  EXPECT_EQ(r.headers[1].value, std::to_string(kHome.size()));
  EXPECT_EQ(r.headers[2].name, "etag");
  EXPECT_TRUE(has_etag_shape(r.headers[2].value)) << r.headers[2].value;
  EXPECT_EQ(r.headers[3].name, "last-modified");
  EXPECT_EQ(r.headers[3].value, kMtimeDate);
  EXPECT_EQ(r.headers[4].name, "cache-control");
  EXPECT_EQ(r.headers[4].value, "no-cache");
  EXPECT_EQ(r.headers[5].name, "vary");
  EXPECT_EQ(r.headers[5].value, "accept-encoding");
  EXPECT_EQ(r.headers[6].name, "accept-ranges");
  EXPECT_EQ(r.headers[6].value, "bytes");
  EXPECT_EQ(read_body(r), kHome);
}

TEST_F(StaticFilesTest, SendsSameHeadersWithoutBodyWhenHead) {
  // HS-9.3.2-01 (RFC 9110 §9.3.2)
  const FileResponse g = serve(get("/index.html"));
  const FileResponse h = serve({.method = "HEAD", .target = "/index.html"});
  EXPECT_EQ(h.status, 200);
  ASSERT_EQ(h.headers.size(), g.headers.size());
  for (std::size_t i = 0; i < g.headers.size(); ++i) {
    EXPECT_EQ(h.headers[i].name, g.headers[i].name);
    EXPECT_EQ(h.headers[i].value, g.headers[i].value);
  }
  EXPECT_TRUE(std::holds_alternative<std::monostate>(h.body));
  EXPECT_EQ(open_body(h), nullptr);
  // Error pages too: same content-length, no body.
  const FileResponse missing = serve({.method = "HEAD", .target = "/missing"});
  EXPECT_EQ(missing.status, 404);
  EXPECT_EQ(missing.header("content-length"), serve(get("/missing")).header("content-length"));
  EXPECT_EQ(open_body(missing), nullptr);
}

TEST_F(StaticFilesTest, ServesEmptyFileWithZeroLength) {
  const FileResponse r = serve(get("/empty.txt"));
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(header_or_none(r, "content-length"), "0");
  EXPECT_EQ(read_body(r), "");
}

TEST_F(StaticFilesTest, PicksContentTypeByExtension) {
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"f.woff2", "font/woff2"},
      {"f.avif", "image/avif"},
      {"f.webp", "image/webp"},
      {"f.mjs", "text/javascript; charset=utf-8"},
      {"f.js", "text/javascript; charset=utf-8"},
      {"f.wasm", "application/wasm"},
      {"f.json", "application/json"},
      {"f.svg", "image/svg+xml"},
      {"f.txt", "text/plain; charset=utf-8"},
      {"f.css", "text/css; charset=utf-8"},
      {"F.PNG", "image/png"},
      {"f.unknownext", "application/octet-stream"},
      {"noext", "application/octet-stream"},
  };
  for (const auto& [name, type] : cases) dir_.write("types/" + name, "x");
  for (const auto& [name, type] : cases) {
    const std::string target = "/types/" + name;
    EXPECT_EQ(header_or_none(serve(get(target)), "content-type"), type) << name;
  }
}

TEST_F(StaticFilesTest, ServesIndexWhenDirectoryHasTrailingSlash) {
  EXPECT_EQ(read_body(serve(get("/"))), kHome);
  EXPECT_EQ(read_body(serve(get("/?q=1"))), kHome);
  const FileResponse docs = serve(get("/docs/"));
  EXPECT_EQ(docs.status, 200);
  EXPECT_EQ(read_body(docs), "docs home");
  EXPECT_EQ(header_or_none(docs, "content-type"), "text/html; charset=utf-8");
}

TEST_F(StaticFilesTest, RedirectsToTrailingSlashWhenDirectoryLacksIt) {
  const FileResponse r = serve(get("/docs"));
  EXPECT_EQ(r.status, 301);
  EXPECT_EQ(header_or_none(r, "location"), "/docs/");
  EXPECT_EQ(header_or_none(r, "content-type"), "text/html; charset=utf-8");
  EXPECT_EQ(header_or_none(serve(get("/docs?x=1&y")), "location"), "/docs/?x=1&y");
  EXPECT_EQ(header_or_none(serve(get("/a%20b")), "location"), "/a%20b/");
  EXPECT_EQ(header_or_none(serve(get("//docs")), "location"), "/docs/");  // never "//host"
  options_.redirect_directories = false;
  files_.reset();
  EXPECT_EQ(serve(get("/docs")).status, 404);
}

TEST_F(StaticFilesTest, AnswersNotFoundForDirectoryWithoutIndexAndFileWithSlash) {
  EXPECT_EQ(serve(get("/empty/")).status, 404);
  EXPECT_EQ(serve(get("/index.html/")).status, 404);
  EXPECT_EQ(serve(get("/missing.html")).status, 404);
  options_.index = "";
  files_.reset();
  EXPECT_EQ(serve(get("/docs/")).status, 404);
}

TEST_F(StaticFilesTest, AnswersNotFoundWithSmallHtmlPage) {
  const FileResponse r = serve(get("/nope"));
  EXPECT_EQ(r.status, 404);
  EXPECT_EQ(header_or_none(r, "content-type"), "text/html; charset=utf-8");
  const std::string body = read_body(r);
  EXPECT_NE(body.find("404 Not Found"), std::string::npos);
  EXPECT_EQ(header_or_none(r, "content-length"), std::to_string(body.size()));
  EXPECT_FALSE(r.header("etag"));
  EXPECT_FALSE(r.header("cache-control"));
}

TEST_F(StaticFilesTest, RefusesOtherMethodsWithAllow) {
  // HS-9.1-01 (RFC 9110 §9.1), HS-15.5.6-01 (RFC 9110 §15.5.6)
  for (const std::string_view method : {"POST", "PUT", "DELETE", "PATCH", "OPTIONS", "TRACE", "CONNECT"}) {
    const FileResponse r = serve({.method = method, .target = "/index.html"});
    EXPECT_EQ(r.status, 405) << method;
    EXPECT_EQ(header_or_none(r, "allow"), "GET, HEAD") << method;
    EXPECT_NE(read_body(r).find("405"), std::string::npos);
  }
  for (const std::string_view method : {"BREW", "get", "PROPFIND"}) {
    const FileResponse r = serve({.method = method, .target = "/index.html"});
    EXPECT_EQ(r.status, 501) << method;
    EXPECT_FALSE(r.header("allow"));
  }
}

TEST_F(StaticFilesTest, HidesDotfilesExceptWellKnown) {
  EXPECT_EQ(serve(get("/.env")).status, 404);
  EXPECT_EQ(serve(get("/sub/.git/config")).status, 404);
  EXPECT_EQ(serve(get("/%2eenv")).status, 404);
  EXPECT_EQ(serve(get("/.well-known/security.txt")).status, 200);
  EXPECT_EQ(serve(get("/sub/.well-known/x")).status, 404);
  options_.allow_well_known = false;
  files_.reset();
  EXPECT_EQ(serve(get("/.well-known/security.txt")).status, 404);
  options_.hide_dotfiles = false;
  files_.reset();
  EXPECT_EQ(read_body(serve(get("/.env"))), "SECRET=1");
}

TEST_F(StaticFilesTest, RefusesNonRegularFiles) {
  ASSERT_EQ(::mkfifo((dir_.path() / "pipe").c_str(), 0644), 0);
  EXPECT_EQ(serve(get("/pipe")).status, 403);  // opened non-blocking: no hang
}

TEST_F(StaticFilesTest, RefusesUnreadableFile) {
  if (::geteuid() == 0) GTEST_SKIP() << "root reads any file";
  dir_.write("locked.txt", "x");
  ::chmod((dir_.path() / "locked.txt").c_str(), 0);
  EXPECT_EQ(serve(get("/locked.txt")).status, 403);
}

TEST_F(StaticFilesTest, AnswersServerErrorWhenRootIsMissing) {
  StaticFiles files({.root = dir_.str() + "/does-not-exist"});
  EXPECT_FALSE(files.ready());
  EXPECT_NE(files.error().find("does-not-exist"), std::string::npos);
  EXPECT_EQ(files.serve(get("/index.html")).status, 500);
  StaticFiles bad_index({.root = dir_.str(), .index = "../index.html"});
  EXPECT_FALSE(bad_index.ready());
  EXPECT_EQ(bad_index.serve(get("/")).status, 500);
}

TEST_F(StaticFilesTest, AppliesCacheControlRules) {
  // HC-5.2-01 (RFC 9111 §5.2.2)
  dir_.write("assets/app.1234.js", "x");
  dir_.write("img/logo.PNG", "x");
  options_.cache_control_rules = {
      {".png", "public, max-age=86400"}, {"/assets/", "public, max-age=31536000, immutable"}, {".bin", ""}};
  const std::string immutable = "public, max-age=31536000, immutable";
  EXPECT_EQ(header_or_none(serve(get("/assets/app.1234.js")), "cache-control"), immutable);
  EXPECT_EQ(header_or_none(serve(get("/img/logo.PNG")), "cache-control"), "public, max-age=86400");
  EXPECT_EQ(header_or_none(serve(get("/data.bin")), "cache-control"), "<none>");
  EXPECT_EQ(header_or_none(serve(get("/")), "cache-control"), "no-cache");
}

TEST_F(StaticFilesTest, AnswersNotModifiedWhenIfNoneMatchMatches) {
  // HS-13.1.2-01 (RFC 9110 §13.1.2), HS-15.4.5-01 (RFC 9110 §15.4.5)
  const std::string etag(*serve(get("/index.html")).header("etag"));
  const std::string weak = "W/" + etag;
  for (const std::string& inm : {etag, weak, std::string("*"), "\"other\", " + etag, "\"a\",\"b\"  ," + weak}) {
    FileRequest request = get("/index.html");
    request.if_none_match = inm;
    const FileResponse r = serve(request);
    EXPECT_EQ(r.status, 304) << inm;
    EXPECT_EQ(header_or_none(r, "etag"), etag);
    EXPECT_EQ(header_or_none(r, "cache-control"), "no-cache");
    EXPECT_EQ(header_or_none(r, "vary"), "accept-encoding");
    EXPECT_FALSE(r.header("content-length"));
    EXPECT_FALSE(r.header("content-type"));
    EXPECT_FALSE(r.header("last-modified"));  // the ETag already guides the cache
    EXPECT_EQ(open_body(r), nullptr);
  }
  FileRequest head{.method = "HEAD", .target = "/index.html", .if_none_match = etag};
  EXPECT_EQ(serve(head).status, 304);
  FileRequest other = get("/index.html");
  other.if_none_match = "\"nope\"";
  EXPECT_EQ(serve(other).status, 200);
  other.if_none_match = "garbage";
  EXPECT_EQ(serve(other).status, 200);
}

TEST_F(StaticFilesTest, AnswersNotModifiedWhenNotModifiedSince) {
  // HS-13.1.3-01 (RFC 9110 §13.1.3)
  const std::vector<std::pair<std::string, int>> cases = {
      {std::string(kMtimeDate), 304},         {"Wed, 15 Nov 2023 00:00:00 GMT", 304},
      {"Tue, 14 Nov 2023 22:13:19 GMT", 200}, {"Tuesday, 14-Nov-23 22:13:20 GMT", 304},
      {"Tue Nov 14 22:13:20 2023", 304},      {"not a date", 200},
      {"Tue, 14 Nov 2023 22:13:20 UTC", 200},
  };
  for (const auto& [date, status] : cases) {
    FileRequest request = get("/index.html");
    request.if_modified_since = date;
    EXPECT_EQ(serve(request).status, status) << date;
  }
}

TEST_F(StaticFilesTest, PrefersIfNoneMatchOverIfModifiedSince) {
  // HS-13.1.3-01 (RFC 9110 §13.1.3): If-Modified-Since is ignored when If-None-Match is present.
  FileRequest request = get("/index.html");
  request.if_none_match = "\"stale\"";
  request.if_modified_since = kMtimeDate;
  EXPECT_EQ(serve(request).status, 200);
}

TEST_F(StaticFilesTest, AnswersPreconditionFailedWhenIfMatchFails) {
  // HS-13.2-01 (RFC 9110 §13.1.1, §13.2.2)
  const std::string etag(*serve(get("/index.html")).header("etag"));
  const std::vector<std::pair<std::string, int>> cases = {
      {etag, 200}, {"*", 200}, {"\"nope\"", 412}, {"W/" + etag, 412}, {"\"x\", " + etag, 200}};
  for (const auto& [im, status] : cases) {
    FileRequest request = get("/index.html");
    request.if_match = im;
    const FileResponse r = serve(request);
    EXPECT_EQ(r.status, status) << im;
    if (status == 412) {
      EXPECT_EQ(header_or_none(r, "content-type"), "text/html; charset=utf-8");
    }
  }
  FileRequest ius = get("/index.html");
  ius.if_unmodified_since = "Mon, 13 Nov 2023 00:00:00 GMT";
  EXPECT_EQ(serve(ius).status, 412);
  ius.if_unmodified_since = kMtimeDate;
  EXPECT_EQ(serve(ius).status, 200);
  // If-Match wins over If-Unmodified-Since; If-None-Match is still evaluated after it.
  ius.if_match = etag;
  ius.if_unmodified_since = "Mon, 13 Nov 2023 00:00:00 GMT";
  EXPECT_EQ(serve(ius).status, 200);
  ius.if_none_match = etag;
  EXPECT_EQ(serve(ius).status, 304);
}

TEST_F(StaticFilesTest, IgnoresConditionsWhenFileIsMissing) {
  // HS-13.2-01: preconditions apply only where the unconditional answer would be 2xx.
  FileRequest request = get("/missing");
  request.if_match = "\"x\"";
  EXPECT_EQ(serve(request).status, 404);
}

TEST_F(StaticFilesTest, UsesConfiguredEtagMode) {
  options_.etag = EtagMode::weak;
  const FileResponse weak = serve(get("/index.html"));
  const std::string tag(*weak.header("etag"));
  EXPECT_TRUE(tag.starts_with("W/\"")) << tag;
  FileRequest request = get("/index.html");
  request.if_none_match = tag;
  EXPECT_EQ(serve(request).status, 304);

  options_.etag = EtagMode::none;
  files_.reset();
  EXPECT_FALSE(serve(get("/index.html")).header("etag"));
  FileRequest ims = get("/index.html");
  ims.if_modified_since = kMtimeDate;
  const FileResponse r = serve(ims);
  EXPECT_EQ(r.status, 304);
  EXPECT_EQ(header_or_none(r, "last-modified"), kMtimeDate);  // the only validator left
}

TEST_F(StaticFilesTest, ChangesEtagWhenFileChanges) {
  // HS-8.8-01 (RFC 9110 §8.8.3)
  const std::string before(*serve(get("/index.html")).header("etag"));
  dir_.set_mtime("index.html", kMtime + 1);
  const std::string after(*serve(get("/index.html")).header("etag"));
  EXPECT_NE(before, after);
  FileRequest request = get("/index.html");
  request.if_none_match = before;
  EXPECT_EQ(serve(request).status, 200);
}

TEST_F(StaticFilesTest, OmitsLastModifiedWhenDisabled) {
  options_.last_modified = false;
  EXPECT_FALSE(serve(get("/index.html")).header("last-modified"));
  FileRequest request = get("/index.html");
  request.if_modified_since = kMtimeDate;
  EXPECT_EQ(serve(request).status, 200);
}

}  // namespace
}  // namespace h2push::server
