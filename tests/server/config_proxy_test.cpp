// tests/server/config_proxy_test.cpp: [[proxy]] routes in the TOML configuration.
#include <gtest/gtest.h>

#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "server/config.hpp"

namespace h2push::server {
namespace {

TEST(ConfigProxyTest, ReadsRoutesWithDefaults) {
  auto config = load_config_string(R"(
[[proxy]]
upstream = "http://127.0.0.1:8000"

[[proxy]]
prefix = "/api"
host = "example.com"
upstream = "http://[::1]:9000/"
connect_timeout = "2s"
response_timeout = "30s"
learn = false
max_learned_pages = 10
max_learned_assets = 20
pool_idle_timeout = "5s"
pool_max_idle = 0
)",
                                   "p.toml");
  ASSERT_TRUE(config.ok()) << config.error().to_string();
  ASSERT_EQ(config->proxy.size(), 2u);
  const ProxyRouteConfig defaults{"/", "", "http://127.0.0.1:8000"};
  EXPECT_EQ(config->proxy[0], defaults);
  const ProxyRouteConfig& api = config->proxy[1];
  EXPECT_EQ(api.prefix, "/api");
  EXPECT_EQ(api.host, "example.com");
  EXPECT_EQ(api.upstream, "http://[::1]:9000/");
  EXPECT_EQ(api.connect_timeout, std::chrono::seconds(2));
  EXPECT_EQ(api.response_timeout, std::chrono::seconds(30));
  EXPECT_FALSE(api.learn);
  EXPECT_EQ(api.max_learned_pages, 10u);
  EXPECT_EQ(api.max_learned_assets, 20u);
  EXPECT_EQ(api.pool_idle_timeout, std::chrono::seconds(5));
  EXPECT_EQ(config->proxy[0].pool_idle_timeout, std::chrono::seconds(60));
  EXPECT_EQ(api.pool_max_idle, 0u);
  EXPECT_EQ(config->proxy[0].pool_max_idle, 1024u);
}

TEST(ConfigProxyTest, StaticRootIsResolvedAgainstTheFilesDirectory) {
  const auto dir = std::filesystem::temp_directory_path() / ("h2push-config-proxy-" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  const auto file = dir / "proxy.toml";
  {
    std::ofstream out(file);
    out << "[[proxy]]\nupstream = \"http://a\"\nstatic_root = \"public\"\n"
        << "[[proxy]]\nprefix = \"/x\"\nupstream = \"http://b\"\nstatic_root = \"/srv/assets\"\n"
        << "[[proxy]]\nprefix = \"/y\"\nupstream = \"http://c\"\n";
  }
  auto config = load_config_file(file);
  std::filesystem::remove_all(dir);
  ASSERT_TRUE(config.ok()) << config.error().to_string();
  EXPECT_EQ(config->proxy[0].static_root, dir / "public");
  EXPECT_EQ(config->proxy[1].static_root, std::filesystem::path("/srv/assets"));
  EXPECT_TRUE(config->proxy[2].static_root.empty());  // pushes fetched from the upstream
  auto bad = load_config_string("[[proxy]]\nupstream = \"http://a\"\nstatic_root = 1\n", "bad.toml");
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().key, "proxy[0].static_root");
}

TEST(ConfigProxyTest, ReadsHttpsUpstreamKeysAndResolvesTheCaFile) {
  const auto dir = std::filesystem::temp_directory_path() / ("h2push-config-proxy-tls-" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  const auto file = dir / "proxy.toml";
  std::ofstream(dir / "ca.pem") << "not checked here\n";
  std::ofstream(file) << "[[proxy]]\nupstream = \"https://app.internal:8443\"\nupstream_ca_file = \"ca.pem\"\n"
                      << "upstream_sni = \"app.example\"\n"
                      << "[[proxy]]\nprefix = \"/x\"\nupstream = \"https://b\"\nupstream_tls_verify = false\n";
  auto config = load_config_file(file);
  std::filesystem::remove_all(dir);
  ASSERT_TRUE(config.ok()) << config.error().to_string();
  EXPECT_EQ(config->proxy[0].upstream_ca_file, dir / "ca.pem");
  EXPECT_EQ(config->proxy[0].upstream_sni, "app.example");
  EXPECT_TRUE(config->proxy[0].upstream_tls_verify);  // the default
  EXPECT_FALSE(config->proxy[1].upstream_tls_verify);
  EXPECT_TRUE(config->proxy[1].upstream_ca_file.empty());  // the system trust store
  EXPECT_TRUE(config->proxy[1].upstream_sni.empty());      // the URL's host
}

TEST(ConfigProxyTest, DumpReadsBackEqual) {
  ServerConfig config;
  config.proxy.push_back({"/app", "a.test", "http://app:81", std::chrono::milliseconds(1500), std::chrono::seconds(90),
                          false, 7, 9, "", std::chrono::milliseconds(2500)});
  config.proxy.push_back({"/", "", "http://app:82"});
  config.proxy.back().static_root = "/srv/assets";
  config.proxy.push_back({"/tls", "", "https://app:8443"});
  config.proxy.back().upstream_tls_verify = false;
  config.proxy.back().upstream_sni = "app.example";
  auto again = load_config_string(to_toml(config), "dump.toml");
  ASSERT_TRUE(again.ok()) << again.error().to_string() << "\n" << to_toml(config);
  EXPECT_EQ(*again, config);
}

struct BadCase {
  const char* toml;
  std::uint32_t line;
  const char* key;
  const char* says;
};

TEST(ConfigProxyTest, ErrorsNameFileLineAndKey) {
  const BadCase cases[] = {
      {"[[proxy]]\nprefix = \"/\"\n", 1, "proxy[0]", "missing key 'upstream'"},
      {"[[proxy]]\nupstream = \"ftp://a:1\"\n", 2, "proxy[0].upstream", "https://, h2c:// or h2s:// URL"},
      {"[[proxy]]\nupstream = \"https://a:1/x\"\n", 2, "proxy[0].upstream", "without path"},
      {"[[proxy]]\nupstream = \"https://a\"\nupstream_tls_verify = \"no\"\n", 3, "proxy[0].upstream_tls_verify",
       "true or false"},
      {"[[proxy]]\nupstream = \"https://a\"\nupstream_ca_file = 1\n", 3, "proxy[0].upstream_ca_file", "PEM file"},
      {"[[proxy]]\nupstream = \"https://a\"\nupstream_ca_file = \"/nonexistent/ca.pem\"\n", 3,
       "proxy[0].upstream_ca_file", "no such file"},
      {"[[proxy]]\nupstream = \"https://a\"\nupstream_sni = \"a b\"\n", 3, "proxy[0].upstream_sni", "host name"},
      {"[[proxy]]\nupstream = \"http://a\"\nupstream_sni = \"a\"\n", 3, "proxy[0].upstream_sni",
       "only applies to an https:// or h2s:// upstream"},
      {"[[proxy]]\nupstream = \"h2c://a\"\nupstream_tls_verify = false\n", 3, "proxy[0].upstream_tls_verify",
       "only applies to an https:// or h2s:// upstream"},
      {"[[proxy]]\nupstream = \"http://a:99999\"\n", 2, "proxy[0].upstream", "bad port"},
      {"[[proxy]]\nupstream = \"http://a\"\nprefix = \"api\"\n", 3, "proxy[0].prefix", "starting with '/'"},
      {"[[proxy]]\nupstream = \"http://a\"\nconnect_timeout = \"soon\"\n", 3, "proxy[0].connect_timeout", "duration"},
      {"[[proxy]]\nupstream = \"http://a\"\npool_idle_timeout = 5\n", 3, "proxy[0].pool_idle_timeout", "duration"},
      {"[[proxy]]\nupstream = \"http://a\"\npool_max_idle = -1\n", 3, "proxy[0].pool_max_idle", "between 0 and"},
      {"[[proxy]]\nupstream = \"http://a\"\npool_max_idle = 100001\n", 3, "proxy[0].pool_max_idle", "between 0 and"},
      {"[[proxy]]\nupstream = \"http://a\"\npool_max_idle = \"16\"\n", 3, "proxy[0].pool_max_idle", "integer"},
      {"[[proxy]]\nupstream = \"http://a\"\nlearn = 1\n", 3, "proxy[0].learn", "true or false"},
      {"[[proxy]]\nupstream = \"http://a\"\nmax_learned_pages = 0\n", 3, "proxy[0].max_learned_pages", "between 1"},
      {"[[proxy]]\nupstream = \"http://a\"\nmax_learned_assets = 2000000\n", 3, "proxy[0].max_learned_assets",
       "between 1"},
      {"[[proxy]]\nupstream = \"http://a\"\nupstraem = \"x\"\n", 3, "proxy[0].upstraem", "did you mean"},
      {"[[proxy]]\nupstream = \"http://a\"\n[[proxy]]\nupstream = \"http://b\"\n", 3, "proxy[1].prefix",
       "same prefix and host"},
      {"proxy = 3\n", 1, "proxy", "array of tables"},
  };
  for (const BadCase& c : cases) {
    SCOPED_TRACE(c.toml);
    auto config = load_config_string(c.toml, "bad.toml");
    ASSERT_FALSE(config.ok());
    EXPECT_EQ(config.error().source, "bad.toml");
    EXPECT_EQ(config.error().line, c.line);
    EXPECT_EQ(config.error().key, c.key);
    EXPECT_NE(config.error().message.find(c.says), std::string::npos) << config.error().to_string();
  }
}

}  // namespace
}  // namespace h2push::server
