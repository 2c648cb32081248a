// tests/push/cache_digest_test.cpp
#include "push/cache_digest.hpp"

#include <gtest/gtest.h>

#include <string>

namespace h2push::push {
namespace {

TEST(CacheDigestTest, ContainsWhatWasInsertedAndNotOtherVersions) {
  CacheDigest d;
  d.insert("/css/main.css", "\"abc\"");
  d.insert("/js/app.js", "\"def\"");
  EXPECT_TRUE(d.contains("/css/main.css", "\"abc\""));
  EXPECT_TRUE(d.contains("/js/app.js", "\"def\""));
  EXPECT_FALSE(d.contains("/css/main.css", "\"abd\""));  // the file changed: it is pushed again
  EXPECT_FALSE(d.contains("/img/a.png", "\"abc\""));
  EXPECT_EQ(d.size(), 2u);
  d.insert("/js/app.js", "\"def\"");
  EXPECT_EQ(d.size(), 2u);
}

TEST(CacheDigestTest, RoundTripsThroughTheCookieWhenManyEntries) {
  for (const std::size_t n : {0u, 1u, 5u, 20u, 100u, 512u}) {
    CacheDigest d;
    for (std::size_t i = 0; i < n; ++i) d.insert("/asset/" + std::to_string(i), "\"v" + std::to_string(i * 7) + "\"");
    const std::string value = d.to_cookie_value();
    EXPECT_LE(value.size(), CacheDigest::kMaxCookieBytes) << n;
    const CacheDigest back = CacheDigest::from_cookie_value(value);
    EXPECT_EQ(back, d) << n;
    for (std::size_t i = 0; i < n; ++i) {
      EXPECT_TRUE(back.contains("/asset/" + std::to_string(i), "\"v" + std::to_string(i * 7) + "\""));
    }
  }
}

TEST(CacheDigestTest, StaysCompactWhenHoldingAPagesAssets) {
  CacheDigest d;
  for (int i = 0; i < 20; ++i) d.insert("/a/" + std::to_string(i) + ".css", "\"x\"");
  EXPECT_LT(d.to_cookie_value().size(), 90u);  // about 21 bits per entry plus a 4-octet header, in base64
}

TEST(CacheDigestTest, KeepsAtMostMaxEntriesWhenFilledPastIt) {
  CacheDigest d;
  for (std::size_t i = 0; i < CacheDigest::kMaxEntries + 50; ++i) d.insert("/f" + std::to_string(i), "e");
  EXPECT_EQ(d.size(), CacheDigest::kMaxEntries);
  EXPECT_EQ(CacheDigest::from_cookie_value(d.to_cookie_value()).size(), CacheDigest::kMaxEntries);
}

TEST(CacheDigestTest, IgnoresBogusOrOversizedCookies) {
  for (const std::string& bogus :
       {std::string(""), std::string("!!!"), std::string("AQ"), std::string("AgcAAQ"), std::string("AQcA__8"),
        std::string("AQcAAf____________8"), std::string(5000, 'A'), std::string("AQgAAwAAAA")}) {
    EXPECT_TRUE(CacheDigest::from_cookie_value(bogus).empty()) << bogus;
  }
}

TEST(CacheDigestTest, FindsItsCookieAmongOthersWhenParsingACookieHeader) {
  CacheDigest d;
  d.insert("/css/main.css", "\"1\"");
  const std::string header =
      "session=abc; " + std::string(CacheDigest::kCookieName) + "=" + d.to_cookie_value() + "; theme=dark";
  EXPECT_EQ(CacheDigest::from_cookie_header(header), d);
  EXPECT_TRUE(CacheDigest::from_cookie_header("session=abc; theme=dark").empty());
  EXPECT_TRUE(CacheDigest::from_cookie_header("h2push-digest=%%%").empty());
}

TEST(CacheDigestTest, WritesASiteWideCookieWhenAskedForSetCookie) {
  CacheDigest d;
  d.insert("/x", "y");
  const std::string header = d.set_cookie_header(60);
  EXPECT_EQ(header.rfind("h2push-digest=" + d.to_cookie_value() + ";", 0), 0u);
  EXPECT_NE(header.find("Path=/"), std::string::npos);
  EXPECT_NE(header.find("Max-Age=60"), std::string::npos);
}

}  // namespace
}  // namespace h2push::push
