// tests/server/static_files_traversal_test.cpp: path traversal and symlink escape (SECURITY.md §12). A sentinel
// file holding a random token lies outside the document root; no request may ever return it.
#include <cerrno>
#include <random>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "server/safe_path.hpp"
#include "server/static_files.hpp"
#include "static_files_test_util.hpp"

namespace h2push::server {
namespace {

using testing::get;
using testing::read_body;
using testing::TempDir;

std::string random_token() {
  std::random_device rd;
  std::string token = "SENTINEL-";
  for (int i = 0; i < 4; ++i) token += std::to_string(rd());
  return token;
}

// Layout:  <tmp>/secret.txt (token)   <tmp>/outside/inner.txt (token)   <tmp>/root/...
class TraversalTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_.write("secret.txt", token_);
    dir_.write("outside/inner.txt", token_);
    dir_.write("root/index.html", "home");
    dir_.write("root/sub/page.html", "page");
    dir_.write("root/.env", token_);  // a dotfile inside the root is just as secret
    dir_.symlink("../secret.txt", "root/link_secret.txt");
    dir_.symlink("/etc/passwd", "root/link_etc");
    dir_.symlink((dir_.path() / "secret.txt").string(), "root/link_abs_secret");
    dir_.symlink("..", "root/linkdir");
    dir_.symlink("../outside", "root/linkout");
    dir_.symlink("index.html", "root/alias.html");              // stays inside: allowed
    dir_.symlink("../index.html", "root/sub/up.html");          // climbs, but not above the root: allowed
    dir_.symlink("sub", "root/subalias");                       // a directory symlink inside
    dir_.symlink("../root/index.html", "root/roundtrip.html");  // leaves the root, then comes back
  }

  std::string root() const { return (dir_.path() / "root").string(); }

  TempDir dir_;
  std::string token_ = random_token();
};

struct Attempt {
  std::string target = {};
  int status = 0;
};

TEST_F(TraversalTest, NeverServesFileOutsideRoot) {
  // SECURITY.md §12: every answer is 400, 403 or 404 and no body holds the token.
  const std::vector<Attempt> attempts = {
      {"/../secret.txt", 400},
      {"/%2e%2e/secret.txt", 400},
      {"/%2E%2E/secret.txt", 400},
      {"/.%2e/secret.txt", 400},
      {"/%2e./secret.txt", 400},
      {"/%2e%2e%2fsecret.txt", 404},  // encoded slash
      {"/..%2fsecret.txt", 404},
      {"/..%2Fsecret.txt", 404},
      {"/%2fetc%2fpasswd", 404},
      {"/..%5csecret.txt", 404},  // encoded backslash
      {"/..\\secret.txt", 400},   // raw backslash
      {"/\\..\\secret.txt", 400},
      {"/%252e%252e/secret.txt", 404},  // decoded once: a directory literally named "%2e%2e"
      {"/%252e%252e%252fsecret.txt", 404},
      {"/%%32%65%%32%65/secret.txt", 400},  // CVE-2021-42013 style: not a valid escape
      {"/%c0%ae%c0%ae/secret.txt", 400},    // overlong UTF-8 dots
      {"/%e0%80%ae%e0%80%ae/secret.txt", 400},
      {"/%u002e%u002e/secret.txt", 400},
      {"/index.html%00.txt", 400},  // NUL
      {"/a%00.html", 400},
      {"/%0a/secret.txt", 400},
      {"//etc/passwd", 404},  // merged slashes: below the root
      {"/etc/passwd", 404},
      {"///../secret.txt", 400},
      {"/sub/../../secret.txt", 400},
      {"/sub/%2e%2e/%2e%2e/secret.txt", 400},
      {"/./secret.txt", 400},
      {"/index.html/../../secret.txt", 400},
      {"/..;/secret.txt", 404},  // Tomcat's path parameter trick: just a (hidden) name here
      {"/%2e%2e;/secret.txt", 404},
      {"/..", 400},
      {"/.", 400},
      {"http://evil.example/secret.txt", 400},  // absolute-form: the glue's job, refused here
      {"../secret.txt", 400},                   // h2 :path without a leading slash
      {"secret.txt", 400},
      {"*", 400},
      {"", 400},
      {"/link_secret.txt", 403},     // symlink to a file outside
      {"/link_etc", 403},            // symlink to /etc/passwd
      {"/link_abs_secret", 403},     // absolute symlink
      {"/linkdir/secret.txt", 403},  // directory symlink to the parent
      {"/linkout/inner.txt", 403},
      {"/linkdir/root/index.html", 403},  // out and back in: still a climb above the root
      {"/roundtrip.html", 403},
      {"/.env", 404},
      {"/%2eenv", 404},
      {"/sub/.%2e/.%2e/secret.txt", 400},
  };
  ASSERT_GE(attempts.size(), 20u);
  StaticFiles files({.root = root()});
  ASSERT_TRUE(files.ready()) << files.error();
  for (const auto& a : attempts) {
    for (const std::string_view method : {"GET", "HEAD"}) {
      FileRequest request{.method = method, .target = a.target};
      const FileResponse r = files.serve(request);
      EXPECT_EQ(r.status, a.status) << method << " " << a.target;
      EXPECT_TRUE(r.status == 400 || r.status == 403 || r.status == 404) << a.target;
      EXPECT_EQ(read_body(r).find(token_), std::string::npos) << a.target;
      EXPECT_FALSE(r.header("etag")) << a.target;
    }
  }
}

TEST_F(TraversalTest, FollowsSymlinksThatStayInsideRoot) {
  StaticFiles files({.root = root()});
  EXPECT_EQ(read_body(files.serve(get("/alias.html"))), "home");
  EXPECT_EQ(read_body(files.serve(get("/sub/up.html"))), "home");
  EXPECT_EQ(read_body(files.serve(get("/subalias/page.html"))), "page");
  EXPECT_EQ(files.serve(get("/subalias/")).status, 404);
}

TEST_F(TraversalTest, RefusesEverySymlinkWhenConfigured) {
  StaticFiles files({.root = root(), .symlinks = SymlinkPolicy::refuse});
  for (const std::string_view target : {"/alias.html", "/sub/up.html", "/subalias/page.html", "/link_secret.txt"}) {
    const FileResponse r = files.serve(get(target));
    EXPECT_EQ(r.status, 403) << target;
  }
  EXPECT_EQ(files.serve(get("/sub/page.html")).status, 200);
}

// Both resolution methods (openat2 and the fallback for kernels without it) keep to the root.
class DocumentRootTest : public TraversalTest, public ::testing::WithParamInterface<ResolveMethod> {};

TEST_P(DocumentRootTest, KeepsResolutionBelowRoot) {
  auto opened_root = DocumentRoot::open_directory(root());
  ASSERT_TRUE(opened_root.ok());
  const DocumentRoot& doc = *opened_root;
  const ResolveMethod method = GetParam();
  const auto open = [&](std::string_view relative, SymlinkPolicy policy = SymlinkPolicy::inside_root) {
    return doc.open(relative, policy, method);
  };
  EXPECT_TRUE(open("index.html").ok());
  EXPECT_TRUE(open("").ok());  // the root itself
  EXPECT_TRUE(open("alias.html").ok());
  EXPECT_TRUE(open("sub/up.html").ok());
  EXPECT_TRUE(open("subalias/page.html").ok());
  EXPECT_EQ(open("missing").error(), ENOENT);
  EXPECT_EQ(open("index.html/x").error(), ENOTDIR);
  for (const std::string_view escape : {"link_secret.txt", "link_etc", "linkdir/secret.txt", "linkout/inner.txt"}) {
    const auto r = open(escape);
    ASSERT_FALSE(r.ok()) << escape;
    EXPECT_EQ(r.error(), EXDEV) << escape;
  }
  for (const std::string_view link : {"alias.html", "sub/up.html", "subalias/page.html", "link_secret.txt"}) {
    const auto r = open(link, SymlinkPolicy::refuse);
    ASSERT_FALSE(r.ok()) << link;
    EXPECT_EQ(r.error(), ELOOP) << link;
  }
  // Paths that parse_request_path() never produces are refused here too.
  for (const std::string_view raw : {"/etc/passwd", "../secret.txt", "..", "sub/../../secret.txt", "sub/.."}) {
    for (const SymlinkPolicy policy : {SymlinkPolicy::inside_root, SymlinkPolicy::refuse}) {
      const auto r = open(raw, policy);
      ASSERT_FALSE(r.ok()) << raw;
      EXPECT_EQ(r.error(), EXDEV) << raw;
    }
  }
  // Absolute symlinks: openat2 refuses them all; the fallback judges where they land.
  EXPECT_FALSE(open("link_abs_secret").ok());
}

INSTANTIATE_TEST_SUITE_P(BothMethods, DocumentRootTest,
                         ::testing::Values(ResolveMethod::openat2, ResolveMethod::fallback),
                         [](const auto& param_info) {
                           return param_info.param == ResolveMethod::openat2 ? "Openat2" : "Fallback";
                         });

struct ParseCase {
  std::string target = {};
  bool ok = false;
  std::string relative = {};
  bool trailing_slash = false;
  PathError error = PathError::bad_request;
};

TEST(SafePathTest, ParsesRequestTargets) {
  using enum PathError;
  const std::vector<ParseCase> cases = {
      {"/", true, "", true},
      {"/index.html", true, "index.html"},
      {"/a/b/", true, "a/b", true},
      {"/a//b", true, "a/b"},
      {"/a%20b", true, "a b"},
      {"/caf%C3%A9.txt", true, "caf\xc3\xa9.txt"},
      {"/%25", true, "%"},
      {"/%252e%252e", true, "%2e%2e"},
      {"/a?x=%2f..", true, "a"},  // the query is not a path
      {"/a?x=\\y", true, "a"},
      {"/.well-known/x", true, ".well-known/x"},
      {"/..;", false, "", false, not_found},  // not a dot segment, but a dotfile name
      {"/...", false, "", false, not_found},  // a dotfile name, not a dot segment
      {"/a/.b", false, "", false, not_found},
      {"/a/..", false},
      {"/a/%2E", false},
      {"/%", false},
      {"/%4", false},
      {"/%zz", false},
      {"/%7f", false},
      {"/%ff", false},           // invalid UTF-8
      {"/%ed%a0%80", false},     // UTF-16 surrogate
      {"/%f4%90%80%80", false},  // above U+10FFFF
      {"/a%2fb", false, "", false, not_found},
      {"/a%5Cb", false, "", false, not_found},
      {"/a b", false},
      {"/a#b", false},
      {"/a\tb", false},
      {std::string("/a\0b", 4), false},
      {"a", false},
      {std::string(5000, '/'), false},
  };
  for (const auto& c : cases) {
    const auto r = parse_request_path(c.target, PathPolicy{});
    ASSERT_EQ(r.ok(), c.ok) << c.target;
    if (c.ok) {
      EXPECT_EQ(r->relative, c.relative) << c.target;
      EXPECT_EQ(r->trailing_slash, c.trailing_slash) << c.target;
    } else {
      EXPECT_EQ(r.error(), c.error) << c.target;
    }
  }
  const auto q = parse_request_path("/a?b=1", PathPolicy{});
  ASSERT_TRUE(q.ok());
  EXPECT_TRUE(q->has_query);
  EXPECT_EQ(q->query, "b=1");
}

// parse_request_path() answers plain targets in one pass and sends the rest to the general parser: over every
// target of up to six octets from an alphabet that exercises both (dots, slashes, escapes, a query, a hidden
// segment, a non-plain octet), with the default policy, with dot files allowed and with a short length limit, the
// two must give the same result.
TEST(SafePathTest, PlainTargetShortcutAgreesWithGeneralParser) {
  constexpr std::string_view kAlphabet = "/.a-%2?;";
  PathPolicy dotfiles_allowed;
  dotfiles_allowed.hide_dotfiles = false;
  PathPolicy short_limit;
  short_limit.max_length = 4;
  std::size_t plain = 0;
  std::string target;
  for (std::size_t length = 0; length <= 6; ++length) {
    std::size_t combinations = 1;
    for (std::size_t i = 0; i < length; ++i) combinations *= kAlphabet.size();
    for (std::size_t n = 0; n < combinations; ++n) {
      target.clear();
      for (std::size_t i = 0, rest = n; i < length; ++i, rest /= kAlphabet.size()) {
        target.push_back(kAlphabet[rest % kAlphabet.size()]);
      }
      for (const PathPolicy& policy : {PathPolicy{}, dotfiles_allowed, short_limit}) {
        const auto fast = parse_request_path(target, policy);
        const auto general = detail::parse_request_path_general(target, policy);
        ASSERT_EQ(fast.ok(), general.ok()) << target;
        if (!fast.ok()) {
          ASSERT_EQ(fast.error(), general.error()) << target;
          continue;
        }
        ASSERT_EQ(fast->relative, general->relative) << target;
        ASSERT_EQ(fast->trailing_slash, general->trailing_slash) << target;
        ASSERT_EQ(fast->has_query, general->has_query) << target;
        ASSERT_EQ(fast->query, general->query) << target;
        if (target.find_first_of("%?;") == std::string::npos) ++plain;
      }
    }
  }
  EXPECT_GT(plain, 1000u);  // the shortcut's own targets were among those compared
}

TEST(SafePathTest, MapsOpenErrorsToStatuses) {
  PathError e{};
  for (const int error : {ENOENT, ENOTDIR, ENAMETOOLONG}) {
    ASSERT_TRUE(path_error_for_errno(error, e));
    EXPECT_EQ(status_of(e), 404);
  }
  for (const int error : {EXDEV, ELOOP, EACCES, EPERM}) {  // EACCES: untestable end to end as root
    ASSERT_TRUE(path_error_for_errno(error, e));
    EXPECT_EQ(status_of(e), 403);
  }
  EXPECT_FALSE(path_error_for_errno(EIO, e));  // 500
  EXPECT_FALSE(path_error_for_errno(EMFILE, e));
}

TEST(SafePathTest, NormalisesToFixedPoint) {
  // Parsing the re-encoded result again gives the same path (fuzz property of SECURITY.md §19).
  for (const std::string_view target : {"/a//b/", "/a%20b/c%25d", "/caf%C3%A9", "/x;y=1/@:!$&'()*+,="}) {
    const auto once = parse_request_path(target, PathPolicy{});
    ASSERT_TRUE(once.ok()) << target;
    const std::string again = std::string("/").append(encode_path(once->relative));  // GCC 12 -Wrestrict
    const auto twice = parse_request_path(again, PathPolicy{});
    ASSERT_TRUE(twice.ok()) << target;
    EXPECT_EQ(twice->relative, once->relative);
  }
  EXPECT_EQ(encode_path("a b/%/\xc3\xa9?#"), "a%20b/%25/%C3%A9%3F%23");
}

}  // namespace
}  // namespace h2push::server
