// tests/server/static_files_http_test.cpp: HTTP-dates, entity tags and preconditions
// (src/server/static_files_http.cpp) and the MIME table (src/server/mime_types.cpp), without files.
#include "server/static_files_http.hpp"

#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "server/mime_types.hpp"

namespace h2push::server {
namespace {

TEST(HttpDateTest, FormatsImfFixdate) {
  EXPECT_EQ(format_http_date(0), "Thu, 01 Jan 1970 00:00:00 GMT");
  EXPECT_EQ(format_http_date(784111777), "Sun, 06 Nov 1994 08:49:37 GMT");  // RFC 9110's example
  EXPECT_EQ(format_http_date(951782400), "Tue, 29 Feb 2000 00:00:00 GMT");
  EXPECT_EQ(format_http_date(4102444799), "Thu, 31 Dec 2099 23:59:59 GMT");
  EXPECT_EQ(format_http_date(-5), "Thu, 01 Jan 1970 00:00:00 GMT");
}

TEST(HttpDateTest, ParsesAllThreeFormats) {
  // RFC 9110 §5.6.7: recipients accept IMF-fixdate, rfc850-date and asctime-date.
  EXPECT_EQ(parse_http_date("Sun, 06 Nov 1994 08:49:37 GMT"), 784111777);
  EXPECT_EQ(parse_http_date("Sunday, 06-Nov-94 08:49:37 GMT", 2025), 784111777);
  EXPECT_EQ(parse_http_date("Sun Nov  6 08:49:37 1994"), 784111777);
  EXPECT_EQ(parse_http_date("Thu, 29 Feb 2024 12:00:00 GMT"), 1709208000);
  // rfc850's two-digit year: more than 50 years ahead means the previous century.
  EXPECT_EQ(parse_http_date("Tuesday, 01-Jan-80 00:00:00 GMT", 2025), 315532800);  // 2080 is 55 years ahead
  EXPECT_EQ(parse_http_date("Friday, 01-Jan-75 00:00:00 GMT", 2025), parse_http_date("Tue, 01 Jan 2075 00:00:00 GMT"));
  EXPECT_EQ(parse_http_date("Thursday, 01-Jan-70 00:00:00 GMT", 2071), 3155760000);  // 2070: in the past
  EXPECT_EQ(parse_http_date("Friday, 01-Jan-10 00:00:00 GMT", 2095), parse_http_date("Wed, 01 Jan 2110 00:00:00 GMT"));
  for (const std::string_view bad :
       {"", "Sun, 06 Nov 1994 08:49:37", "Sun, 06 Nov 1994 08:49:37 UTC", "Sun, 6 Nov 1994 08:49:37 GMT",
        "Sun, 31 Feb 1994 08:49:37 GMT", "Sun, 06 Foo 1994 08:49:37 GMT", "Xyz, 06 Nov 1994 08:49:37 GMT",
        "Sun, 06 Nov 1994 24:00:00 GMT", "Sun, 06 Nov 1994 08:49:37 GMTX", "Sunday, 06-Nov-1994 08:49:37 GMT",
        "Sun Nov 6 08:49:37 1994", "1994-11-06"}) {
    EXPECT_FALSE(parse_http_date(bad)) << bad;
  }
}

TEST(HttpDateTest, RoundTripsFormattedDates) {
  for (std::int64_t t = 0; t < 4'000'000'000; t += 86'399'937) {
    EXPECT_EQ(parse_http_date(format_http_date(t)), t) << t;
  }
}

TEST(EtagTest, BuildsTagPerVersionAndCoding) {
  const FileIdentity a{.device = 1, .inode = 2, .size = 500, .mtime_ns = 1'700'000'000'000'000'000};
  const std::string tag = make_etag(a, ContentCoding::identity, false);
  EXPECT_TRUE(tag.starts_with("\"1f4-")) << tag;
  EXPECT_TRUE(tag.ends_with("\""));
  EXPECT_EQ(make_etag(a, ContentCoding::identity, true), "W/" + tag);
  EXPECT_TRUE(make_etag(a, ContentCoding::gzip, false).ends_with("-gz\""));
  EXPECT_TRUE(make_etag(a, ContentCoding::br, false).ends_with("-br\""));
  FileIdentity b = a;
  b.inode = 3;
  EXPECT_NE(make_etag(b, ContentCoding::identity, false), tag);
  b = a;
  b.mtime_ns += 1;  // nanosecond resolution
  EXPECT_NE(make_etag(b, ContentCoding::identity, false), tag);
  b = a;
  b.ctime_ns += 1;  // ctime is for the cache only
  EXPECT_EQ(make_etag(b, ContentCoding::identity, false), tag);
  EXPECT_EQ(tag.find(std::to_string(a.inode) + "-"), std::string::npos);
}

TEST(EtagTest, MatchesListsWeaklyOrStrongly) {
  // RFC 9110 §8.8.3.2 comparison table.
  EXPECT_TRUE(etag_list_matches("\"1\"", "\"1\"", false));
  EXPECT_FALSE(etag_list_matches("W/\"1\"", "W/\"1\"", false));
  EXPECT_TRUE(etag_list_matches("W/\"1\"", "W/\"1\"", true));
  EXPECT_FALSE(etag_list_matches("W/\"1\"", "W/\"2\"", true));
  EXPECT_TRUE(etag_list_matches("W/\"1\"", "\"1\"", true));
  EXPECT_FALSE(etag_list_matches("W/\"1\"", "\"1\"", false));
  EXPECT_TRUE(etag_list_matches(" \"a\" , \"1\" ", "\"1\"", false));
  EXPECT_TRUE(etag_list_matches("*", "\"1\"", false));
  EXPECT_TRUE(etag_list_matches("*", "", true));
  EXPECT_FALSE(etag_list_matches("\"1\"", "", true));
  EXPECT_FALSE(etag_list_matches("1", "\"1\"", true));                  // unquoted: malformed
  EXPECT_FALSE(etag_list_matches("\"x\", bad, \"1\"", "\"1\"", true));  // stops at the malformed member
  EXPECT_TRUE(etag_list_matches("\"1\", bad", "\"1\"", true));
  EXPECT_FALSE(etag_list_matches("\"1", "\"1\"", true));
}

TEST(PreconditionTest, FollowsEvaluationOrder) {
  // HS-13.2-01 (RFC 9110 §13.2.2)
  const std::string etag = "\"v1\"";
  const std::int64_t lm = 784111777;
  const auto eval = [&](Conditions c, bool get_or_head = true) {
    return evaluate_preconditions(c, etag, lm, get_or_head);
  };
  using enum Precondition;
  EXPECT_EQ(eval({}), pass);
  EXPECT_EQ(eval({.if_match = "\"v2\""}), failed);
  EXPECT_EQ(eval({.if_match = "\"v1\"", .if_unmodified_since = "Sat, 05 Nov 1994 00:00:00 GMT"}), pass);
  EXPECT_EQ(eval({.if_unmodified_since = "Sat, 05 Nov 1994 00:00:00 GMT"}), failed);
  EXPECT_EQ(eval({.if_unmodified_since = "invalid"}), pass);
  EXPECT_EQ(eval({.if_none_match = "\"v1\""}), not_modified);
  EXPECT_EQ(eval({.if_none_match = "\"v1\""}, false), failed);  // other methods: 412
  EXPECT_EQ(eval({.if_none_match = "\"v2\"", .if_modified_since = "Sun, 06 Nov 1994 08:49:37 GMT"}), pass);
  EXPECT_EQ(eval({.if_modified_since = "Sun, 06 Nov 1994 08:49:37 GMT"}), not_modified);
  EXPECT_EQ(eval({.if_modified_since = "Sun, 06 Nov 1994 08:49:37 GMT"}, false), pass);
  EXPECT_EQ(eval({.if_modified_since = "Sun, 06 Nov 1994 08:49:36 GMT"}), pass);
  EXPECT_EQ(eval({.if_match = "\"v2\"", .if_none_match = "\"v1\""}), failed);  // step 1 first
  EXPECT_EQ(evaluate_preconditions({.if_modified_since = "Sun, 06 Nov 1994 08:49:37 GMT"}, etag, std::nullopt, true),
            pass);  // no Last-Modified: nothing to compare
}

TEST(IfRangeTest, MatchesStrongTagOrExactDate) {
  // HS-13.1.5-01 (RFC 9110 §13.1.5)
  const std::int64_t lm = 784111777;
  EXPECT_TRUE(if_range_matches("\"v1\"", "\"v1\"", lm));
  EXPECT_FALSE(if_range_matches("\"v2\"", "\"v1\"", lm));
  EXPECT_FALSE(if_range_matches("W/\"v1\"", "W/\"v1\"", lm));
  EXPECT_FALSE(if_range_matches("\"v1\", \"v2\"", "\"v1\"", lm));  // one tag only
  EXPECT_TRUE(if_range_matches("Sun, 06 Nov 1994 08:49:37 GMT", "\"v1\"", lm));
  EXPECT_FALSE(if_range_matches("Sun, 06 Nov 1994 08:49:38 GMT", "\"v1\"", lm));
  EXPECT_FALSE(if_range_matches("Sun, 06 Nov 1994 08:49:37 GMT", "\"v1\"", std::nullopt));
  EXPECT_FALSE(if_range_matches("\"v1\"", "", lm));
}

TEST(MimeTypeTest, MapsExtensionsCaseInsensitively) {
  EXPECT_EQ(mime_type_for("a.HTML").content_type, "text/html; charset=utf-8");
  EXPECT_TRUE(mime_type_for("a.html").compressible);
  EXPECT_EQ(mime_type_for("dir.d/file").content_type, "application/octet-stream");
  EXPECT_EQ(mime_type_for(".htaccess").content_type, "application/octet-stream");
  EXPECT_EQ(mime_type_for("x.").content_type, "application/octet-stream");
  EXPECT_EQ(mime_type_for("x.tar.gz").content_type, "application/gzip");
  EXPECT_FALSE(mime_type_for("x.tar.gz").compressible);
  EXPECT_FALSE(mime_type_for("x.woff2").compressible);
  EXPECT_TRUE(mime_type_for("x.svg").compressible);
  EXPECT_TRUE(mime_type_for("x.wasm").compressible);
  EXPECT_EQ(mime_type_for("x.averyveryverylongextension").content_type, "application/octet-stream");
}

}  // namespace
}  // namespace h2push::server
