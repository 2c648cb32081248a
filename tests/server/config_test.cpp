// tests/server/config_test.cpp: the TOML configuration (src/server/config.*): the example file, the documented
// defaults, the error for each kind of mistake, value syntax, and command-line overrides.
#include "server/config.hpp"

#include <gtest/gtest.h>
#include <unistd.h>

#include <fstream>
#include <map>
#include <regex>
#include <sstream>
#include <string>
#include <vector>

namespace h2push::server {
namespace {

using std::chrono::milliseconds;

const std::filesystem::path kDocs = H2PUSH_DOCS_DIR;

std::string read_text(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

// A file in a fresh temporary directory, removed with the object.
class TempFile {
 public:
  explicit TempFile(std::string_view text) {
    static int counter = 0;
    dir_ = std::filesystem::temp_directory_path() /
           ("h2push_config_test_" + std::to_string(::getpid()) + "_" + std::to_string(counter++));
    std::filesystem::create_directories(dir_);
    std::ofstream(path()) << text;
  }
  ~TempFile() {
    std::error_code ignored;
    std::filesystem::remove_all(dir_, ignored);
  }
  std::filesystem::path dir() const { return dir_; }
  std::filesystem::path path() const { return dir_ / "h2push.toml"; }

 private:
  std::filesystem::path dir_;
};

ConfigError load_error(std::string_view text) {
  auto result = load_config_string(text, "h2push.toml");
  EXPECT_FALSE(result.ok()) << "accepted:\n" << text;
  return result.ok() ? ConfigError{} : result.error();
}

// --- The example file and the documentation ---

TEST(ConfigTest, LoadsTheExampleFile) {
  auto config = load_config_file(kDocs / "h2push.example.toml");
  ASSERT_TRUE(config.ok()) << config.error().to_string();
  EXPECT_EQ(config->server.root, kDocs / "public");  // relative to the file's directory
  EXPECT_EQ(config->server.workers, 4u);
  ASSERT_EQ(config->server.http.size(), 2u);
  EXPECT_EQ(config->server.http[1], (Address{"::1", 8080}));
  ASSERT_EQ(config->server.https.size(), 1u);
  EXPECT_EQ(config->server.https[0], (Address{"", 8443}));
  EXPECT_EQ(config->tls.cert, kDocs / "certs/localhost.pem");
  EXPECT_EQ(config->tls.key, kDocs / "certs/localhost-key.pem");
  EXPECT_EQ(config->timeouts.idle, milliseconds(120'000));
  EXPECT_EQ(config->limits.max_header_list_size, 64 * 1024u);
  EXPECT_EQ(config->static_files.index, (std::vector<std::string>{"index.html", "index.htm"}));
  EXPECT_EQ(config->static_files.open_file_cache_validity, milliseconds(1000));
  EXPECT_EQ(config->static_files.open_file_cache_entries, 1000u);
  EXPECT_EQ(config->cache.extensions.at("css"), "public, max-age=31536000, immutable");
  EXPECT_EQ(config->cache.paths.at("/api/"), "no-store");
  EXPECT_EQ(config->compression.types.front(), "text/*");
  EXPECT_EQ(config->logging.error_log, (LogSink{LogSink::Kind::file, kDocs / "logs/error.log"}));
  EXPECT_TRUE(config->push.hints_h1);
  EXPECT_EQ(config->push.think_time, milliseconds(200));
  EXPECT_EQ(config->push.paths.at("/blog/"), PushMode::hints);
  ASSERT_EQ(config->push.links.size(), 2u);
  EXPECT_EQ(config->push.links[0], (PushLink{"/index.html", "/css/site.css", "style", true, false}));
  EXPECT_EQ(config->push.links[1], (PushLink{"/blog/*", "/fonts/body.woff2", "font", false, true}));
  EXPECT_TRUE(validate(*config).ok());
}

TEST(ConfigTest, DocumentationShowsTheExampleFileVerbatim) {
  const std::string doc = read_text(kDocs / "configuration.md");
  const std::size_t heading = doc.find("## A complete example");
  ASSERT_NE(heading, std::string::npos);
  const std::size_t start = doc.find("```toml\n", heading);
  ASSERT_NE(start, std::string::npos);
  const std::size_t end = doc.find("```", start + 8);
  EXPECT_EQ(doc.substr(start + 8, end - start - 8), read_text(kDocs / "h2push.example.toml"));
}

TEST(ConfigTest, DefaultsMatchTheDocumentation) {
  const std::string doc = read_text(kDocs / "configuration.md");
  // | `limits.max_frame_size` | size ... | `"16KiB"` | ... |
  const std::regex row(R"(^\| `([a-z0-9_]+\.[a-z0-9_]+)` \| [^|]+ \| `([^`]*)` \|)");
  std::map<std::string, std::string> documented;
  std::istringstream lines(doc);
  for (std::string line; std::getline(lines, line);) {
    std::smatch match;
    if (std::regex_search(line, match, row)) documented[match[1]] = match[2];
  }
  const ServerConfig defaults;
  for (const std::string& key : config_keys()) {
    SCOPED_TRACE(key);
    ASSERT_TRUE(documented.count(key)) << "not documented";
    EXPECT_EQ(documented[key], *format_config_value(defaults, key));
    documented.erase(key);
  }
  for (const auto& [key, value] : documented) ADD_FAILURE() << "documented but unknown: " << key;
}

TEST(ConfigTest, EmptyFileGivesTheDefaults) {
  auto config = load_config_string("", "empty.toml");
  ASSERT_TRUE(config.ok()) << config.error().to_string();
  EXPECT_EQ(*config, ServerConfig{});
  EXPECT_TRUE(validate(ServerConfig{}).ok());
}

TEST(ConfigTest, TomlDumpReadsBackEqual) {
  auto example = load_config_file(kDocs / "h2push.example.toml");
  ASSERT_TRUE(example.ok());
  for (const ServerConfig& config : {ServerConfig{}, *example}) {
    const std::string text = to_toml(config);
    auto again = load_config_string(text, "dump.toml");
    ASSERT_TRUE(again.ok()) << again.error().to_string() << "\n" << text;
    EXPECT_EQ(*again, config) << text;
  }
}

TEST(ConfigTest, Http2OptionsMirrorTheCoreDefaults) {
  const http2::Options core;
  const http2::Options ours = to_http2_options(ServerConfig{});
  EXPECT_EQ(ours.role, http2::Role::server);
  EXPECT_FALSE(ours.enable_push);
  EXPECT_EQ(ours.header_table_size, core.header_table_size);
  EXPECT_EQ(ours.max_concurrent_streams, core.max_concurrent_streams);
  EXPECT_EQ(ours.initial_window_size, core.initial_window_size);
  EXPECT_EQ(ours.max_frame_size, core.max_frame_size);
  EXPECT_EQ(ours.max_header_list_size, core.max_header_list_size);
  EXPECT_EQ(ours.connection_window_size, core.connection_window_size);
  EXPECT_EQ(ours.encoder_table_size, core.encoder_table_size);
  EXPECT_EQ(ours.max_continuation_frames, core.max_continuation_frames);
  EXPECT_EQ(ours.max_field_block_size, core.max_field_block_size);
  EXPECT_EQ(ours.max_settings_entries, core.max_settings_entries);
  EXPECT_EQ(ours.max_reserved_streams, core.max_reserved_streams);
  EXPECT_EQ(ours.max_closed_streams, core.max_closed_streams);
  EXPECT_EQ(ours.reset_budget, core.reset_budget);
  EXPECT_EQ(ours.resets_per_second, core.resets_per_second);
  EXPECT_EQ(ours.glitch_budget, core.glitch_budget);
  EXPECT_EQ(ours.glitches_per_second, core.glitches_per_second);
  EXPECT_EQ(ours.output_budget, core.output_budget);
  EXPECT_EQ(ours.max_pending_output, core.max_pending_output);
  EXPECT_EQ(ours.settings_timeout_ns, core.settings_timeout_ns);
}

TEST(ConfigTest, Http2OptionsFollowTheFile) {
  auto config = load_config_string(R"(
[limits]
max_concurrent_streams = 250
initial_window_size = "1MiB"
max_frame_size = "64KiB"
connection_window_size = "16MiB"
reset_budget = 50
output_buffer_size = "128KiB"
[timeouts]
settings_ack = "1500ms"
)");
  ASSERT_TRUE(config.ok()) << config.error().to_string();
  const http2::Options options = to_http2_options(*config);
  EXPECT_EQ(options.max_concurrent_streams, 250u);
  EXPECT_EQ(options.initial_window_size, 1u << 20);
  EXPECT_EQ(options.max_frame_size, 64u * 1024);
  EXPECT_EQ(options.connection_window_size, 16u << 20);
  EXPECT_EQ(options.reset_budget, 50u);
  EXPECT_EQ(options.output_budget, 128u * 1024);
  EXPECT_EQ(options.settings_timeout_ns, 1'500'000'000);
}

// --- Errors: each mistake names the line and key ---

TEST(ConfigTest, ErrorMessageNamesFileLineKeyExpectationAndValue) {
  const ConfigError error = load_error("# limits\n\n[limits]\nmax_concurrent_streams = \"abc\"\n");
  EXPECT_EQ(error.source, "h2push.toml");
  EXPECT_EQ(error.line, 4u);
  EXPECT_EQ(error.key, "limits.max_concurrent_streams");
  EXPECT_EQ(error.to_string(),
            "h2push.toml:4: key 'limits.max_concurrent_streams': expected an integer between 1 and 2147483647, "
            "got \"abc\"");
}

struct BadSnippet {
  const char* text;
  std::uint32_t line;
  const char* key;
  const char* fragment;  // part of the message
};

const BadSnippet kBadSnippets[] = {
    // Unknown keys and tables, with suggestions.
    {"[limits]\nmax_concurent_streams = 5\n", 2, "limits.max_concurent_streams",
     "unknown key (did you mean 'limits.max_concurrent_streams'?)"},
    {"[server]\nmax_frame_size = 16384\n", 2, "server.max_frame_size", "did you mean 'limits.max_frame_size'?"},
    {"[limit]\n", 1, "limit", "unknown table (did you mean 'limits'?)"},
    {"workers = 4\n", 1, "workers", "unknown key (did you mean 'server.workers'?)"},
    {"[server]\nwrokers = 4\n", 2, "server.wrokers", "did you mean 'server.workers'?"},
    {"[[push.link]]\npage = \"/\"\nhreff = \"/a.css\"\n", 3, "push.link[0].hreff", "did you mean 'push.link[0].href'?"},
    // Wrong types.
    {"server = 5\n", 1, "server", "expected a table ([server]), got 5"},
    {"[server]\nworkers = \"4\"\n", 2, "server.workers", "expected an integer between 0 and 1024, got \"4\""},
    {"[server]\nworkers = 1.5\n", 2, "server.workers", "got 1.5"},
    {"[server]\nh2c = \"yes\"\n", 2, "server.h2c", "expected true or false, got \"yes\""},
    {"[server]\nroot = 5\n", 2, "server.root", "expected a path (a string), got 5"},
    {"[static]\nindex = \"index.html\"\n", 2, "static.index", "expected an array of strings, got \"index.html\""},
    {"[tls]\nalpn = [\"h2\", 2]\n", 2, "tls.alpn[1]", "expected a string, got 2"},
    {"[cache.extensions]\ncss = 5\n", 2, "cache.extensions.css", "expected a string, got 5"},
    {"[push]\nlink = 5\n", 2, "push.link", "expected an array of tables ([[push.link]]), got 5"},
    {"[timeouts]\nidle = 30\n", 2, "timeouts.idle", "expected a duration between 1ms and 24h"},
    {"[server]\nworkers = 2026-01-01\n", 2, "server.workers", "got a date/time (2026-01-01)"},
    // Out of range.
    {"[limits]\nmax_concurrent_streams = 0\n", 2, "limits.max_concurrent_streams", "between 1 and 2147483647, got 0"},
    {"[limits]\nmax_concurrent_streams = -5\n", 2, "limits.max_concurrent_streams", "got -5"},
    {"[server]\nworkers = 5000\n", 2, "server.workers", "between 0 and 1024, got 5000"},
    {"[limits]\ninitial_window_size = 2147483648\n", 2, "limits.initial_window_size", "got 2147483648"},
    {"[limits]\nmax_frame_size = \"8KiB\"\n", 2, "limits.max_frame_size",
     "expected a size between 16KiB and 16777215 bytes"},
    {"[compression]\ngzip_level = 10\n", 2, "compression.gzip_level", "between 1 and 9, got 10"},
    {"[timeouts]\nidle = \"0s\"\n", 2, "timeouts.idle", "expected a duration between 1ms and 24h"},
    {"[timeouts]\nshutdown = \"2h\"\n", 2, "timeouts.shutdown", "between 0ms and 1h"},
    // Bad durations and sizes.
    {"[timeouts]\nidle = \"2 sec\"\n", 2, "timeouts.idle", "got \"2 sec\": unknown unit \" sec\""},
    {"[push]\nthink_time = \"200\"\n", 2, "push.think_time", "missing unit (ms, s, m or h)"},
    {"[timeouts]\nidle = \"1.5s\"\n", 2, "timeouts.idle", "got \"1.5s\""},
    {"[limits]\nmax_request_body = \"10XB\"\n", 2, "limits.max_request_body", "unknown unit \"XB\""},
    {"[limits]\nmax_request_body = \"KiB\"\n", 2, "limits.max_request_body", "expected a number first"},
    // Bad addresses.
    {"[server]\nhttp = \"127.0.0.1\"\n", 2, "server.http", "missing \":PORT\""},
    {"[server]\nhttp = [\":80\", \"[::1]:99999\"]\n", 2, "server.http[1]", "port 99999 is above 65535"},
    {"[server]\nhttp = \"::1:443\"\n", 2, "server.http", "an IPv6 address needs brackets"},
    {"[server]\nhttp = [\"999.1.1.1:80\"]\n", 2, "server.http[0]", "is not an IPv4 address or host name"},
    {"[server]\nhttp = \"[fe80::zz]:80\"\n", 2, "server.http", "is not an IPv6 address"},
    {"[server]\nhttp = \"localhost:http\"\n", 2, "server.http", "port \"http\" is not a number"},
    // Bad enums.
    {"[tls]\nmin_version = \"1.1\"\n", 2, "tls.min_version", "expected one of \"1.2\" or \"1.3\", got \"1.1\""},
    {"[logging]\nlevel = \"verbose\"\n", 2, "logging.level", "\"warn\", \"error\" or \"off\", got \"verbose\""},
    {"[logging]\naccess_format = \"clf\"\n", 2, "logging.access_format", "got \"clf\""},
    {"[push]\nmode = \"always\"\n", 2, "push.mode", "expected one of \"auto\", \"push\", \"hints\" or \"off\""},
    {"[push.paths]\n\"/blog/\" = \"sometimes\"\n", 2, "push.paths.\"/blog/\"", "got \"sometimes\""},
    {"[logging]\naccess_log = \"\"\n", 2, "logging.access_log", "\"off\", \"stdout\", \"stderr\" or a file path"},
    // Invalid combinations and contents (found by validate(), placed on the line the file set).
    {"[server]\nhttps = [\":8443\"]\n[tls]\ncert = \"c.pem\"\n", 4, "tls.cert", "tls.key is missing"},
    {"[tls]\nkey = \"k.pem\"\n", 2, "tls.key", "tls.cert is missing"},
    {"[server]\nhttps = []\n[tls]\ncert = \"c.pem\"\nkey = \"k.pem\"\n", 4, "tls.cert", "there is no HTTPS listener"},
    {"[server]\nhttps = []\nhttp = []\n", 3, "server.http", "no listener"},
    {"[server]\nhttp = [\":8080\", \":8080\"]\n", 2, "server.http[1]", "\":8080\" is already a listener"},
    {"[tls]\nalpn = [\"h3\"]\n", 2, "tls.alpn[0]", "expected \"h2\" or \"http/1.1\", got \"h3\""},
    {"[limits]\noutput_buffer_size = \"2MiB\"\n", 2, "limits.max_pending_output",
     "must be at least limits.output_buffer_size + 16KiB"},
    {"[static]\nfile_cache_size = \"1MiB\"\nfile_cache_max_entry_size = \"2MiB\"\n", 3,
     "static.file_cache_max_entry_size", "is larger than static.file_cache_size"},
    {"[static]\nindex = [\"a/b.html\"]\n", 2, "static.index[0]", "without '/'"},
    {"[static]\nopen_file_cache_validity = \"2h\"\n", 2, "static.open_file_cache_validity", "between 0ms and 1h"},
    {"[static]\nopen_file_cache_validity = 5\n", 2, "static.open_file_cache_validity", "expected a duration"},
    {"[static]\nopen_file_cache_entries = -1\n", 2, "static.open_file_cache_entries", "between 0 and 1000000"},
    {"[static]\nopen_file_cache_entries = \"many\"\n", 2, "static.open_file_cache_entries", "integer"},
    {"[cache]\ndefault = \"a\\nb\"\n", 2, "cache.default", "without control characters"},
    {"[cache]\ndefault = \"no-cache \"\n", 2, "cache.default", "edge whitespace"},
    {"[cache.extensions]\ncss = \"\\tmax-age=60\"\n", 2, "cache.extensions.css", "edge whitespace"},
    {"[cache.paths]\n\"assets/\" = \"no-store\"\n", 2, "cache.paths.\"assets/\"", "starting with '/'"},
    {"[cache.extensions]\n\".CSS\" = \"a\"\ncss = \"b\"\n", 3, "cache.extensions.css", "listed twice"},
    {"[compression]\ngzip = false\nbrotli = false\n", 2, "compression.enabled",
     "compression.gzip and compression.brotli are both false"},
    {"[compression]\ntypes = [\"Text/HTML\"]\n", 2, "compression.types[0]", "expected a lowercase media type"},
    {"[[push.link]]\npage = \"/\"\n", 1, "push.link[0]", "missing key 'href'"},
    {"[[push.link]]\npage = \"/\"\nhref = \"/a.css\"\nas = \"stylesheet\"\n", 4, "push.link[0].as",
     "got \"stylesheet\""},
    {"[[push.link]]\npage = \"index.html\"\nhref = \"/a.css\"\n", 2, "push.link[0].page", "expected a page path"},
    {"[[push.link]]\npage = \"/\"\nhref = \"/a b.css\"\n", 3, "push.link[0].href", "expected a same-origin path"},
    // TOML syntax (no key).
    {"[server]\nworkers = \n", 2, "", "TOML syntax error at column"},
    {"[server]\nworkers = 1\nworkers = 2\n", 3, "", "TOML syntax error"},
    {"[server\n", 1, "", "TOML syntax error"},
};

TEST(ConfigTest, EachBadSnippetGivesItsLineKeyAndReason) {
  EXPECT_GE(std::size(kBadSnippets), 25u);
  for (const BadSnippet& bad : kBadSnippets) {
    SCOPED_TRACE(bad.text);
    const ConfigError error = load_error(bad.text);
    EXPECT_EQ(error.source, "h2push.toml");
    EXPECT_EQ(error.line, bad.line) << error.to_string();
    EXPECT_EQ(error.key, bad.key) << error.to_string();
    EXPECT_NE(error.message.find(bad.fragment), std::string::npos) << error.to_string();
    const std::string prefix = "h2push.toml:" + std::to_string(bad.line) + ": ";
    EXPECT_EQ(error.to_string().rfind(prefix, 0), 0u) << error.to_string();
  }
}

TEST(ConfigTest, ReportsTheEarliestErrorWhenThereAreSeveral) {
  const ConfigError error = load_error("[limits]\nmax_frame_size = 1\n[server]\nworkers = \"x\"\nbogus = 1\n");
  EXPECT_EQ(error.line, 2u);
  EXPECT_EQ(error.key, "limits.max_frame_size");
}

TEST(ConfigTest, UnreadableFileIsAnErrorWithoutLine) {
  auto result = load_config_file("/nonexistent/h2push.toml");
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.error().line, 0u);
  EXPECT_EQ(result.error().to_string(), "/nonexistent/h2push.toml: cannot open the file: No such file or directory");
}

TEST(ConfigTest, RelativePathsFollowTheFileAndAbsoluteOnesStay) {
  TempFile file(R"(
[server]
root = "site"
https = [":0"]
[tls]
cert = "/etc/h2push/cert.pem"
key = "key.pem"
[logging]
access_log = "logs/access.log"
error_log = "stderr"
[push]
manifest = "push.json"
)");
  auto config = load_config_file(file.path());
  ASSERT_TRUE(config.ok()) << config.error().to_string();
  EXPECT_EQ(config->server.root, file.dir() / "site");
  EXPECT_EQ(config->tls.cert, "/etc/h2push/cert.pem");
  EXPECT_EQ(config->tls.key, file.dir() / "key.pem");
  EXPECT_EQ(config->logging.access_log, (LogSink{LogSink::Kind::file, file.dir() / "logs/access.log"}));
  EXPECT_EQ(config->logging.error_log, (LogSink{LogSink::Kind::std_err, {}}));
  EXPECT_EQ(config->push.manifest, file.dir() / "push.json");
}

TEST(ConfigTest, FileErrorsCarryTheFileName) {
  TempFile file("[server]\n\nworkers = true\n");
  auto config = load_config_file(file.path());
  ASSERT_FALSE(config.ok());
  EXPECT_EQ(config.error().to_string(), file.path().string() +
                                            ":3: key 'server.workers': expected an integer between 0 and 1024, "
                                            "got true");
}

// --- Value syntax ---

TEST(ConfigValuesTest, ParsesDurations) {
  const std::pair<const char*, std::int64_t> good[] = {
      {"200ms", 200}, {"2s", 2000}, {"1m", 60'000}, {"1h", 3'600'000}, {"1m30s", 90'000}, {"0ms", 0}, {"0s", 0}};
  for (const auto& [text, ms] : good) {
    auto parsed = parse_duration(text);
    ASSERT_TRUE(parsed.ok()) << text << ": " << parsed.error();
    EXPECT_EQ(parsed->count(), ms) << text;
  }
  const std::pair<const char*, const char*> bad[] = {{"", "empty duration"},
                                                     {"200", "missing unit"},
                                                     {"2x", "unknown unit \"x\""},
                                                     {"ms", "expected a number"},
                                                     {"1.5s", "unknown unit"},
                                                     {"-1s", "expected a number"},
                                                     {"2 s", "unknown unit \" s\""},
                                                     {"99999999999999999999s", "number too large"},
                                                     {"999999999h", "duration too long"}};
  for (const auto& [text, reason] : bad) {
    auto parsed = parse_duration(text);
    ASSERT_FALSE(parsed.ok()) << text;
    EXPECT_NE(parsed.error().find(reason), std::string::npos) << text << ": " << parsed.error();
  }
}

TEST(ConfigValuesTest, FormatsDurationsInTheLargestExactUnit) {
  EXPECT_EQ(format_duration(milliseconds(0)), "0ms");
  EXPECT_EQ(format_duration(milliseconds(200)), "200ms");
  EXPECT_EQ(format_duration(milliseconds(1500)), "1500ms");
  EXPECT_EQ(format_duration(milliseconds(2000)), "2s");
  EXPECT_EQ(format_duration(milliseconds(90'000)), "90s");
  EXPECT_EQ(format_duration(milliseconds(120'000)), "2m");
  EXPECT_EQ(format_duration(milliseconds(7'200'000)), "2h");
  for (const std::int64_t ms : {0, 1, 999, 1000, 61'000, 3'600'000, 86'400'000}) {
    EXPECT_EQ(parse_duration(format_duration(milliseconds(ms)))->count(), ms);
  }
}

TEST(ConfigValuesTest, ParsesSizes) {
  const std::pair<const char*, std::uint64_t> good[] = {
      {"65536", 65536},          {"512B", 512},    {"64KiB", 65536},   {"1MiB", 1u << 20}, {"1GiB", 1u << 30},
      {"2TiB", 2 * kGiB * 1024}, {"10KB", 10'000}, {"1MB", 1'000'000}, {"1mib", 1u << 20}, {"0", 0}};
  for (const auto& [text, bytes] : good) {
    auto parsed = parse_size(text);
    ASSERT_TRUE(parsed.ok()) << text << ": " << parsed.error();
    EXPECT_EQ(*parsed, bytes) << text;
  }
  const std::pair<const char*, const char*> bad[] = {{"", "empty size"},
                                                     {"KiB", "expected a number first"},
                                                     {"1.5MiB", "unknown unit \".5MiB\""},
                                                     {"64 KiB", "unknown unit \" KiB\""},
                                                     {"1k", "unknown unit \"k\""},
                                                     {"-1", "expected a number first"},
                                                     {"99999999999999999999", "number too large"},
                                                     {"20000000000GiB", "size too large"}};
  for (const auto& [text, reason] : bad) {
    auto parsed = parse_size(text);
    ASSERT_FALSE(parsed.ok()) << text;
    EXPECT_NE(parsed.error().find(reason), std::string::npos) << text << ": " << parsed.error();
  }
  EXPECT_EQ(format_size(65536), "64KiB");
  EXPECT_EQ(format_size(65535), "65535");
  EXPECT_EQ(format_size(3 * kMiB), "3MiB");
  EXPECT_EQ(format_size(kGiB), "1GiB");
  EXPECT_EQ(format_size(0), "0");
}

TEST(ConfigValuesTest, ParsesAddresses) {
  const std::pair<const char*, Address> good[] = {{"127.0.0.1:8080", {"127.0.0.1", 8080}},
                                                  {"[::1]:443", {"::1", 443}},
                                                  {":8080", {"", 8080}},
                                                  {"*:80", {"", 80}},
                                                  {"localhost:0", {"localhost", 0}},
                                                  {"example.com:65535", {"example.com", 65535}},
                                                  {"[::]:0", {"::", 0}}};
  for (const auto& [text, address] : good) {
    auto parsed = parse_address(text);
    ASSERT_TRUE(parsed.ok()) << text << ": " << parsed.error();
    EXPECT_EQ(*parsed, address) << text;
    EXPECT_EQ(*parse_address(parsed->to_string()), address) << text;
  }
  EXPECT_EQ((Address{"::1", 443}).to_string(), "[::1]:443");
  EXPECT_EQ((Address{"", 8080}).to_string(), ":8080");
  const std::pair<const char*, const char*> bad[] = {{"", "empty address"},
                                                     {"127.0.0.1", "missing \":PORT\""},
                                                     {"::1:443", "needs brackets"},
                                                     {"[::1]443", "missing \":PORT\" after \"]\""},
                                                     {"[::1", "missing ']'"},
                                                     {"[zz]:80", "is not an IPv6 address"},
                                                     {"1.2.3.4:65536", "port 65536 is above 65535"},
                                                     {"1.2.3:80", "is not an IPv4 address"},
                                                     {"bad_host:80", "is not an IPv4 address or host name"},
                                                     {"-host:80", "is not an IPv4 address or host name"},
                                                     {"host:", "is not a number"},
                                                     {"host:123456", "is not a number"},
                                                     {"host:+80", "is not a number"}};
  for (const auto& [text, reason] : bad) {
    auto parsed = parse_address(text);
    ASSERT_FALSE(parsed.ok()) << text;
    EXPECT_NE(parsed.error().find(reason), std::string::npos) << text << ": " << parsed.error();
  }
}

TEST(ConfigValuesTest, AcceptsIntegersAndUnitsForSizeKeys) {
  auto config = load_config_string("[limits]\nmax_header_list_size = 32768\nmax_field_block_size = \"1MiB\"\n");
  ASSERT_TRUE(config.ok()) << config.error().to_string();
  EXPECT_EQ(config->limits.max_header_list_size, 32768u);
  EXPECT_EQ(config->limits.max_field_block_size, 1u << 20);
}

TEST(ConfigValuesTest, PicksCacheControlByPathThenExtensionThenDefault) {
  CacheConfig cache;
  cache.default_value = "no-cache";
  cache.extensions = {{"css", "css-rule"}, {"gz", "gz-rule"}, {"tar.gz", "tar-rule"}};
  cache.paths = {{"/assets/", "assets-rule"}, {"/assets/live/", "live-rule"}};
  EXPECT_EQ(cache_control_for(cache, "/index.html"), "no-cache");
  EXPECT_EQ(cache_control_for(cache, "/css/site.CSS"), "css-rule");
  EXPECT_EQ(cache_control_for(cache, "/dl/x.tar.gz"), "tar-rule");
  EXPECT_EQ(cache_control_for(cache, "/dl/x.gz"), "gz-rule");
  EXPECT_EQ(cache_control_for(cache, "/dl/css"), "no-cache");
  EXPECT_EQ(cache_control_for(cache, "/assets/app.css"), "assets-rule");
  EXPECT_EQ(cache_control_for(cache, "/assets/live/feed.json"), "live-rule");
}

TEST(ConfigValuesTest, PicksPushModeByLongestPrefix) {
  PushConfig push;
  push.mode = PushMode::automatic;
  push.paths = {{"/blog/", PushMode::hints}, {"/blog/drafts/", PushMode::off}};
  EXPECT_EQ(push_mode_for(push, "/"), PushMode::automatic);
  EXPECT_EQ(push_mode_for(push, "/blog/post.html"), PushMode::hints);
  EXPECT_EQ(push_mode_for(push, "/blog/drafts/x.html"), PushMode::off);
}

// --- Command-line overrides ---

TEST(ConfigOverridesTest, FlagsReplaceListenersRootCertAndWorkers) {
  ServerConfig config;
  CliOverrides flags;
  flags.root = "/srv/www";
  flags.http = Address{"", 0};
  flags.https = Address{"::1", 8443};
  flags.cert = "cert.pem";
  flags.key = "key.pem";
  flags.workers = 8;
  ASSERT_TRUE(apply_overrides(config, flags).ok());
  EXPECT_EQ(config.server.root, "/srv/www");
  EXPECT_EQ(config.server.http, (std::vector<Address>{{"", 0}}));
  EXPECT_EQ(config.server.https, (std::vector<Address>{{"::1", 8443}}));
  EXPECT_EQ(config.tls.cert, "cert.pem");
  EXPECT_EQ(config.server.workers, 8u);
}

TEST(ConfigOverridesTest, BadFlagIsNamedAndLeavesTheConfigUnchanged) {
  ServerConfig config;
  CliOverrides flags;
  flags.workers = 5000;
  flags.http = Address{"", 9000};
  auto status = apply_overrides(config, flags);
  ASSERT_FALSE(status.ok());
  EXPECT_EQ(status.error().to_string(),
            "--workers: key 'server.workers': expected an integer between 0 and 1024, got 5000");
  EXPECT_EQ(config, ServerConfig{});
}

// Without a certificate the server makes a self-signed one, so --https alone is enough; a certificate still needs
// its key.
TEST(ConfigOverridesTest, HttpsFlagWorksAloneButCertNeedsKey) {
  ServerConfig config;
  CliOverrides flags;
  flags.https = Address{"", 8443};
  EXPECT_TRUE(apply_overrides(config, flags).ok());
  flags.cert = "cert.pem";
  auto status = apply_overrides(config, flags);
  ASSERT_FALSE(status.ok());
  EXPECT_EQ(status.error().source, "--cert");
  EXPECT_EQ(status.error().key, "tls.cert");
  flags.key = "key.pem";
  EXPECT_TRUE(apply_overrides(config, flags).ok());
}

TEST(ConfigOverridesTest, FlagsCanCompleteAFile) {
  TempFile file("[server]\nhttps = [\":0\"]\n[tls]\ncert = \"cert.pem\"\n");
  ASSERT_FALSE(load_config_file(file.path()).ok());  // a certificate without its key
  CliOverrides flags;
  flags.key = "key.pem";
  auto config = load_config_file(file.path(), flags);
  ASSERT_TRUE(config.ok()) << config.error().to_string();
  EXPECT_EQ(config->tls.key, "key.pem");  // flags are relative to the working directory, not the file
  EXPECT_EQ(config->tls.cert, file.path().parent_path() / "cert.pem");  // file paths are relative to the file
}

TEST(ConfigOverridesTest, FileErrorsKeepTheirLineWhenFlagsAreGiven) {
  TempFile file("[server]\nhttp = [\":8080\"]\n\n[tls]\nkey = \"key.pem\"\n");
  CliOverrides flags;
  flags.workers = 2;
  auto config = load_config_file(file.path(), flags);
  ASSERT_FALSE(config.ok());
  EXPECT_EQ(config.error().source, file.path().string());
  EXPECT_EQ(config.error().line, 5u);
  EXPECT_EQ(config.error().key, "tls.key");
  flags.workers = 2000;
  config = load_config_file(file.path(), flags);
  ASSERT_FALSE(config.ok());
  EXPECT_EQ(config.error().source, "--workers");
}

TEST(ConfigOverridesTest, ValidateChecksValuesSetInCode) {
  ServerConfig config;
  config.limits.max_frame_size = 1;
  auto status = validate(config);
  ASSERT_FALSE(status.ok());
  EXPECT_EQ(status.error().key, "limits.max_frame_size");
  EXPECT_NE(status.error().message.find("expected a size between 16KiB and 16777215 bytes"), std::string::npos);
  EXPECT_NE(status.error().message.find("got 1"), std::string::npos);
  EXPECT_EQ(status.error().to_string().rfind("key 'limits.max_frame_size': ", 0), 0u);

  config = ServerConfig{};
  config.timeouts.idle = milliseconds(-5);
  EXPECT_EQ(validate(config).error().key, "timeouts.idle");

  config = ServerConfig{};
  config.server.http = {Address{"bad host", 80}};
  EXPECT_EQ(validate(config).error().key, "server.http[0]");

  config = ServerConfig{};
  config.push.links = {PushLink{"/", "/x.css", "style", false, false}};
  EXPECT_TRUE(validate(config).ok());
  config.push.links[0].href = "https://other.example/x.css";
  EXPECT_EQ(validate(config).error().key, "push.link[0].href");
}

}  // namespace
}  // namespace h2push::server
