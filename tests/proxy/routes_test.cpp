// tests/proxy/routes_test.cpp: upstream URLs and route selection (src/proxy/routes.hpp).
#include "proxy/routes.hpp"

#include <gtest/gtest.h>

#include <vector>

namespace h2push::proxy {
namespace {

TEST(UpstreamUrl, ParsesHostAndPort) {
  auto u = parse_upstream_url("http://127.0.0.1:8000");
  ASSERT_TRUE(u.ok());
  EXPECT_EQ(u->host, "127.0.0.1");
  EXPECT_EQ(u->port, 8000);
  u = parse_upstream_url("http://app/");
  ASSERT_TRUE(u.ok());
  EXPECT_EQ(u->host, "app");
  EXPECT_EQ(u->port, 80);
  u = parse_upstream_url("http://[::1]:9000");
  ASSERT_TRUE(u.ok());
  EXPECT_EQ(u->host, "::1");
  EXPECT_EQ(to_string(*u), "http://[::1]:9000");
  EXPECT_FALSE(u->h2);
  u = parse_upstream_url("h2c://127.0.0.1:8000/");
  ASSERT_TRUE(u.ok());
  EXPECT_TRUE(u->h2);
  EXPECT_EQ(u->port, 8000);
  EXPECT_EQ(to_string(*u), "h2c://127.0.0.1:8000");
}

TEST(UpstreamUrl, ParsesHttps) {
  auto u = parse_upstream_url("https://app.internal:8443");
  ASSERT_TRUE(u.ok());
  EXPECT_TRUE(u->tls);
  EXPECT_FALSE(u->h2);
  EXPECT_EQ(u->host, "app.internal");
  EXPECT_EQ(u->port, 8443);
  EXPECT_EQ(to_string(*u), "https://app.internal:8443");
  u = parse_upstream_url("https://app/");
  ASSERT_TRUE(u.ok());
  EXPECT_EQ(u->port, 443);  // the default for https
  u = parse_upstream_url("https://[::1]:9443");
  ASSERT_TRUE(u.ok());
  EXPECT_EQ(u->host, "::1");
  EXPECT_EQ(to_string(*u), "https://[::1]:9443");
  EXPECT_FALSE(parse_upstream_url("http://app")->tls);
  u = parse_upstream_url("h2s://app.internal");
  ASSERT_TRUE(u.ok());
  EXPECT_TRUE(u->h2 && u->tls);
  EXPECT_EQ(u->port, 443);
  EXPECT_EQ(to_string(*u), "h2s://app.internal:443");
}

TEST(UpstreamUrl, RefusesWhatItCannotReach) {
  for (const char* bad : {"ftp://a:1", "h2://a:1", "https://a:1/x", "https://", "https://a:0", "h2s://a/x", "h2c:/a:1",
                          "a:1", "http://", "http://a:0", "http://a:65536", "http://a:x", "http://a:1/path",
                          "http://u@a:1", "http://a:1?q", "http://[::1", "http://a b:1", "http://a:"}) {
    EXPECT_FALSE(parse_upstream_url(bad).ok()) << bad;
  }
}

TEST(Routes, PrefixMatchesOnSegmentBoundaries) {
  EXPECT_TRUE(prefix_matches("/", "/anything"));
  EXPECT_TRUE(prefix_matches("/app", "/app"));
  EXPECT_TRUE(prefix_matches("/app", "/app/x"));
  EXPECT_TRUE(prefix_matches("/app", "/app?q=1"));
  EXPECT_FALSE(prefix_matches("/app", "/apple"));
  EXPECT_TRUE(prefix_matches("/app/", "/app/x"));
  EXPECT_FALSE(prefix_matches("/app/", "/app"));
}

TEST(Routes, LongestPrefixWinsAndHostRoutesBeatAnyHost) {
  std::vector<Route> routes(4);
  routes[0].prefix = "/";
  routes[1].prefix = "/api";
  routes[2].prefix = "/api/v2";
  routes[3].prefix = "/api";
  routes[3].host = "Example.COM";
  EXPECT_EQ(select_route(routes, "other", "/x"), 0u);
  EXPECT_EQ(select_route(routes, "other", "/api/v1"), 1u);
  EXPECT_EQ(select_route(routes, "other", "/api/v2/x"), 2u);
  EXPECT_EQ(select_route(routes, "example.com:8443", "/api/v1"), 3u);  // host case and port ignored
  EXPECT_EQ(select_route(routes, "example.com", "/api/v2/x"), 2u);     // longer prefix still wins
  EXPECT_EQ(select_route(routes, "other", "/apiary"), 0u);
}

TEST(Routes, NoRouteWhenNothingMatches) {
  std::vector<Route> routes(1);
  routes[0].prefix = "/app";
  routes[0].host = "a.test";
  EXPECT_FALSE(select_route(routes, "a.test", "/other").has_value());
  EXPECT_FALSE(select_route(routes, "b.test", "/app").has_value());
  EXPECT_FALSE(select_route({}, "a.test", "/").has_value());
}

}  // namespace
}  // namespace h2push::proxy
