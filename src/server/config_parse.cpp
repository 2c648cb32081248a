// src/server/config_parse.cpp: reading a TOML configuration into a ServerConfig. toml++ throws; its exceptions stop
// here and become a ConfigError with the file, line and key. Every problem in the file is collected; the one on the
// earliest line is reported, so fixing errors top to bottom works.
#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <exception>
#include <sstream>
#include <string>
#include <type_traits>
#include <utility>

#include <toml++/toml.h>

#include "server/config.hpp"
#include "server/config_schema.hpp"

namespace h2push::server {
namespace {

using detail::Field;
using detail::Kind;

constexpr std::size_t kMaxFileSize = 4 * kMiB;  // a configuration, not a data set

template <class T>
inline constexpr bool kIsChoice = std::is_same_v<T, TlsVersion> || std::is_same_v<T, LogLevel> ||
                                  std::is_same_v<T, AccessLogFormat> || std::is_same_v<T, PushMode>;

// How a bad value is shown after "got": "abc", 12, true, 1.5, an array, a table.
std::string got(const toml::node& node) {
  if (const auto* s = node.as_string()) return detail::quote(s->get());
  if (const auto* i = node.as_integer()) return std::to_string(i->get());
  if (const auto* b = node.as_boolean()) return b->get() ? "true" : "false";
  if (node.is_array()) return "an array";
  if (node.is_table()) return "a table";
  std::ostringstream text;  // floats, dates and times: as TOML writes them
  node.visit([&](const auto& value) { text << value; });
  if (node.is_floating_point()) return text.str();
  return "a date/time (" + text.str() + ")";
}

std::string field_key(std::string_view base, std::string_view name) {
  return std::string(base) + "." + detail::key_segment(name);
}
std::string index_key(std::string_view base, std::size_t index) {
  return std::string(base) + "[" + std::to_string(index) + "]";
}

std::vector<std::string> all_keys() {
  std::vector<std::string> keys;
  for (const Field& field : detail::fields()) keys.emplace_back(field.key);
  return keys;
}

std::vector<std::string> all_sections() {
  std::vector<std::string> sections;
  for (const Field& field : detail::fields()) {
    if (sections.empty() || sections.back() != field.section()) sections.emplace_back(field.section());
  }
  return sections;
}

class Reader {
 public:
  explicit Reader(std::string source) : source_(std::move(source)) {}

  void read(const toml::table& root) {
    const std::vector<std::string> sections = all_sections();
    for (const auto& [name_key, node] : root) {
      const std::string name(name_key.str());
      if (name == "proxy") {
        read_proxies(node);
        continue;
      }
      if (!detail::is_section(name)) {
        // Every key lives in a table: a top-level `workers = 4` most likely belongs in [server].
        const bool table = node.is_table();
        fail(name_key.source(), name,
             (table ? "unknown table" : "unknown key") + detail::suggestion(name, table ? sections : all_keys()));
        continue;
      }
      const toml::table* table = node.as_table();
      if (table == nullptr) {
        fail(node.source(), name, "expected a table ([" + name + "]), got " + got(node));
        continue;
      }
      record(name, name_key.source());
      for (const auto& [key, value] : *table) {
        const std::string dotted = name + "." + std::string(key.str());
        const Field* field = detail::find_field(dotted);
        if (field == nullptr) {
          fail(key.source(), field_key(name, key.str()), "unknown key" + detail::suggestion(dotted, all_keys()));
          continue;
        }
        record(dotted, value.source());
        read_field(*field, value);
      }
    }
  }

  ServerConfig config;
  std::vector<ConfigError> errors;
  std::map<std::string, std::uint32_t> lines;  // dotted key -> line, to place errors found by validate()

 private:
  void record(const std::string& key, const toml::source_region& where) { lines[key] = where.begin.line; }

  void fail(const toml::source_region& where, std::string key, std::string message) {
    errors.push_back(ConfigError{source_, where.begin.line, std::move(key), std::move(message)});
  }

  void expected(const Field& field, std::string key, const toml::node& node, std::string_view why = {}) {
    std::string message = "expected " + detail::expectation(field) + ", got " + got(node);
    if (!why.empty()) message += ": " + std::string(why);
    fail(node.source(), std::move(key), std::move(message));
  }

  void read_field(const Field& field, const toml::node& node) {
    std::visit([&](auto* target) { read_into(field, node, *target); }, field.target(config));
  }

  template <class T>
  void read_into(const Field& field, const toml::node& node, T& out) {
    const std::string key(field.key);
    if constexpr (std::is_same_v<T, std::uint32_t> || std::is_same_v<T, std::uint64_t>) {
      std::uint64_t value = 0;
      if (const auto* integer = node.as_integer()) {
        if (integer->get() < 0) return expected(field, key, node);
        value = static_cast<std::uint64_t>(integer->get());
      } else if (const auto* text = node.as_string(); text != nullptr && field.kind == Kind::size) {
        auto size = parse_size(text->get());
        if (!size) return expected(field, key, node, size.error());
        value = *size;
      } else {
        return expected(field, key, node);
      }
      if (!detail::in_range(field, value)) return expected(field, key, node);
      out = static_cast<T>(value);
    } else if constexpr (std::is_same_v<T, std::chrono::milliseconds>) {
      const auto* text = node.as_string();
      if (text == nullptr) return expected(field, key, node);
      auto duration = parse_duration(text->get());
      if (!duration) return expected(field, key, node, duration.error());
      if (!detail::in_range(field, static_cast<std::uint64_t>(duration->count()))) return expected(field, key, node);
      out = *duration;
    } else if constexpr (std::is_same_v<T, bool>) {
      const auto* flag = node.as_boolean();
      if (flag == nullptr) return expected(field, key, node);
      out = flag->get();
    } else if constexpr (std::is_same_v<T, std::string> || std::is_same_v<T, std::filesystem::path>) {
      const auto* text = node.as_string();
      if (text == nullptr) return expected(field, key, node);
      out = T(text->get());
    } else if constexpr (kIsChoice<T>) {
      const auto* text = node.as_string();
      const auto value = text ? detail::from_name<T>(text->get()) : std::nullopt;
      if (!value) return expected(field, key, node);
      out = *value;
    } else if constexpr (std::is_same_v<T, LogSink>) {
      const auto* text = node.as_string();
      if (text == nullptr || text->get().empty()) return expected(field, key, node);
      const std::string& value = text->get();
      if (value == "off") {
        out = LogSink{LogSink::Kind::off, {}};
      } else if (value == "stdout") {
        out = LogSink{LogSink::Kind::std_out, {}};
      } else if (value == "stderr") {
        out = LogSink{LogSink::Kind::std_err, {}};
      } else {
        out = LogSink{LogSink::Kind::file, value};
      }
    } else if constexpr (std::is_same_v<T, std::vector<Address>>) {
      read_addresses(field, node, out);
    } else if constexpr (std::is_same_v<T, std::vector<std::string>>) {
      const auto* array = node.as_array();
      if (array == nullptr) return expected(field, key, node);
      out.clear();
      for (std::size_t i = 0; i < array->size(); ++i) {
        const auto* text = (*array)[i].as_string();
        if (text == nullptr) {
          fail((*array)[i].source(), index_key(key, i), "expected a string, got " + got((*array)[i]));
          continue;
        }
        record(index_key(key, i), (*array)[i].source());
        out.push_back(text->get());
      }
    } else if constexpr (std::is_same_v<T, detail::StringMap> || std::is_same_v<T, detail::ModeMap>) {
      read_map(field, node, out);
    } else {
      static_assert(std::is_same_v<T, std::vector<PushLink>>);
      read_links(field, node, out);
    }
  }

  void read_addresses(const Field& field, const toml::node& node, std::vector<Address>& out) {
    const std::string key(field.key);
    out.clear();
    auto add = [&](const toml::node& item, std::string item_key) {
      const auto* text = item.as_string();
      if (text == nullptr) return fail(item.source(), std::move(item_key), "expected an address, got " + got(item));
      auto address = parse_address(text->get());
      if (!address) return expected(field, std::move(item_key), item, address.error());
      record(item_key, item.source());
      out.push_back(*address);
    };
    if (node.is_string()) return add(node, key);
    const auto* array = node.as_array();
    if (array == nullptr) return expected(field, key, node);
    for (std::size_t i = 0; i < array->size(); ++i) add((*array)[i], index_key(key, i));
  }

  template <class Map>
  void read_map(const Field& field, const toml::node& node, Map& out) {
    const std::string key(field.key);
    const auto* table = node.as_table();
    if (table == nullptr) return expected(field, key, node);
    out.clear();
    for (const auto& [entry_key, value] : *table) {
      std::string name(entry_key.str());
      if (field.key == "cache.extensions") {  // ".CSS" and "css" mean the same
        if (!name.empty() && name.front() == '.') name.erase(0, 1);
        std::transform(name.begin(), name.end(), name.begin(),
                       [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
      }
      const std::string item_key = field_key(key, name);
      const auto* text = value.as_string();
      if constexpr (std::is_same_v<Map, detail::ModeMap>) {
        const auto mode = text ? detail::from_name<PushMode>(text->get()) : std::nullopt;
        if (!mode) {
          fail(value.source(), item_key,
               "expected one of " + detail::list_choices(detail::names<PushMode>()) + ", got " + got(value));
          continue;
        }
        if (!out.emplace(name, *mode).second) {
          fail(entry_key.source(), item_key, "listed twice");
          continue;
        }
      } else {
        if (text == nullptr) {
          fail(value.source(), item_key, "expected a string, got " + got(value));
          continue;
        }
        if (!out.emplace(name, text->get()).second) {
          fail(entry_key.source(), item_key, "listed twice (\"." + name + "\" and \"" + name + "\" are the same)");
          continue;
        }
      }
      record(item_key, value.source());
    }
  }

  void read_links(const Field& field, const toml::node& node, std::vector<PushLink>& out) {
    const std::string key(field.key);
    const auto* array = node.as_array();
    if (array == nullptr) return expected(field, key, node);
    out.clear();
    for (std::size_t i = 0; i < array->size(); ++i) {
      const toml::node& item = (*array)[i];
      const std::string base = index_key(key, i);
      std::vector<std::string> candidates;
      for (const std::string_view name : detail::kLinkKeys) candidates.push_back(base + "." + std::string(name));
      const auto* table = item.as_table();
      if (table == nullptr) {
        fail(item.source(), base, "expected a table ([[push.link]]), got " + got(item));
        continue;
      }
      record(base, item.source());
      PushLink link;
      bool unknown = false;
      for (const auto& [entry_key, value] : *table) {
        const std::string name(entry_key.str());
        const std::string item_key = field_key(base, name);
        std::string* text_out = name == "page"   ? &link.page
                                : name == "href" ? &link.href
                                : name == "as"   ? &link.as
                                                 : nullptr;
        bool* flag_out = name == "critical" ? &link.critical : name == "nopush" ? &link.nopush : nullptr;
        if (text_out == nullptr && flag_out == nullptr) {
          fail(entry_key.source(), item_key, "unknown key" + detail::suggestion(item_key, candidates));
          unknown = true;
          continue;
        }
        record(item_key, value.source());
        if (text_out != nullptr) {
          if (const auto* text = value.as_string()) {
            *text_out = text->get();
          } else {
            fail(value.source(), item_key, "expected a string, got " + got(value));
          }
        } else if (const auto* flag = value.as_boolean()) {
          *flag_out = flag->get();
        } else {
          fail(value.source(), item_key, "expected true or false, got " + got(value));
        }
      }
      // A misspelt key explains a missing one better than "missing" does.
      if (!unknown && !table->contains("page")) fail(item.source(), base, "missing key 'page' (the page's path)");
      if (!unknown && !table->contains("href")) fail(item.source(), base, "missing key 'href' (the asset's path)");
      out.push_back(std::move(link));
    }
  }

  // [[proxy]] tables (ProxyRouteConfig).
  void read_proxies(const toml::node& node) {
    const auto* array = node.as_array();
    if (array == nullptr || !array->is_array_of_tables()) {
      fail(node.source(), "proxy", "expected an array of tables ([[proxy]]), got " + got(node));
      return;
    }
    for (std::size_t i = 0; i < array->size(); ++i) {
      const toml::table& table = *(*array)[i].as_table();
      const std::string base = index_key("proxy", i);
      record(base, table.source());
      ProxyRouteConfig route;
      for (const auto& [entry_key, value] : table) read_proxy_key(base, std::string(entry_key.str()), value, route);
      if (!table.contains("upstream")) fail(table.source(), base, "missing key 'upstream' (\"http://host:port\")");
      config.proxy.push_back(std::move(route));
    }
  }

  void read_proxy_key(const std::string& base, const std::string& name, const toml::node& value,
                      ProxyRouteConfig& route) {
    static const std::vector<std::string_view> kKeys = {"prefix",
                                                        "host",
                                                        "upstream",
                                                        "connect_timeout",
                                                        "response_timeout",
                                                        "learn",
                                                        "max_learned_pages",
                                                        "max_learned_assets",
                                                        "static_root",
                                                        "pool_idle_timeout",
                                                        "pool_max_idle",
                                                        "upstream_tls_verify",
                                                        "upstream_ca_file",
                                                        "upstream_sni"};
    const std::string key = field_key(base, name);
    std::string* text_out = name == "prefix"         ? &route.prefix
                            : name == "host"         ? &route.host
                            : name == "upstream"     ? &route.upstream
                            : name == "upstream_sni" ? &route.upstream_sni
                                                     : nullptr;
    std::chrono::milliseconds* duration_out = name == "connect_timeout"     ? &route.connect_timeout
                                              : name == "response_timeout"  ? &route.response_timeout
                                              : name == "pool_idle_timeout" ? &route.pool_idle_timeout
                                                                            : nullptr;
    record(key, value.source());
    if (text_out != nullptr) {
      if (const auto* text = value.as_string()) return void(*text_out = text->get());
      return fail(value.source(), key, "expected a string, got " + got(value));
    }
    if (duration_out != nullptr) {
      const auto* text = value.as_string();
      auto parsed = text == nullptr ? Result<std::chrono::milliseconds, std::string>(Unexpected{std::string()})
                                    : parse_duration(text->get());
      if (parsed && parsed->count() >= 1 && parsed->count() <= 3'600'000) return void(*duration_out = *parsed);
      return fail(value.source(), key, "expected a duration between 1ms and 1h, got " + got(value));
    }
    if (name == "static_root") {
      if (const auto* text = value.as_string()) return void(route.static_root = text->get());
      return fail(value.source(), key, "expected a string (a directory), got " + got(value));
    }
    if (name == "upstream_ca_file") {
      if (const auto* text = value.as_string()) return void(route.upstream_ca_file = text->get());
      return fail(value.source(), key, "expected a string (a PEM file), got " + got(value));
    }
    if (name == "learn" || name == "upstream_tls_verify") {
      bool& out = name == "learn" ? route.learn : route.upstream_tls_verify;
      if (const auto* flag = value.as_boolean()) return void(out = flag->get());
      return fail(value.source(), key, "expected true or false, got " + got(value));
    }
    if (name == "max_learned_pages" || name == "max_learned_assets") {
      const auto* integer = value.as_integer();
      if (integer != nullptr && integer->get() >= 1 && integer->get() <= 1'000'000) {
        std::uint64_t& out = name == "max_learned_pages" ? route.max_learned_pages : route.max_learned_assets;
        return void(out = static_cast<std::uint64_t>(integer->get()));
      }
      return fail(value.source(), key, "expected an integer between 1 and 1000000, got " + got(value));
    }
    if (name == "pool_max_idle") {
      const auto* integer = value.as_integer();
      if (integer != nullptr && integer->get() >= 0 && integer->get() <= 100'000) {
        return void(route.pool_max_idle = static_cast<std::uint64_t>(integer->get()));
      }
      return fail(value.source(), key, "expected an integer between 0 and 100000, got " + got(value));
    }
    std::vector<std::string> candidates;
    for (const std::string_view k : kKeys) candidates.push_back(base + "." + std::string(k));
    fail(value.source(), key, "unknown key" + detail::suggestion(key, candidates));
  }

  std::string source_;
};

void resolve(std::filesystem::path& path, const std::filesystem::path& base) {
  if (!path.empty() && path.is_relative()) path = base / path;
}

void resolve_relative_paths(ServerConfig& config, const std::filesystem::path& base) {
  resolve(config.server.root, base);
  resolve(config.tls.cert, base);
  resolve(config.tls.key, base);
  resolve(config.push.manifest, base);
  for (ProxyRouteConfig& route : config.proxy) {
    resolve(route.static_root, base);
    resolve(route.upstream_ca_file, base);
  }
  for (LogSink* sink : {&config.logging.access_log, &config.logging.error_log}) {
    if (sink->kind == LogSink::Kind::file) resolve(sink->file, base);
  }
}

// Where validate()'s error belongs in the file: the line of its key; else of a key its message names (an invalid
// combination is blamed on the key the file set: "must be at least limits.output_buffer_size + 16KiB"); else of the
// nearest enclosing key or table.
std::uint32_t line_of(const std::map<std::string, std::uint32_t>& lines, std::string key, std::string_view message) {
  if (const auto it = lines.find(key); it != lines.end()) return it->second;
  std::size_t first = std::string_view::npos;  // the key named first in the message
  std::uint32_t first_line = 0;
  for (const auto& [named, line] : lines) {
    const std::size_t at = message.find(named);
    if (at == std::string_view::npos || at >= first || named.find('.') == std::string::npos) continue;
    const std::size_t end = at + named.size();
    if (end == message.size() || std::string_view(" ,):").find(message[end]) != std::string_view::npos) {
      first = at;
      first_line = line;
    }
  }
  if (first_line != 0) return first_line;
  while (!key.empty()) {
    if (const auto it = lines.find(key); it != lines.end()) return it->second;
    const std::size_t cut = key.find_last_of(".[");
    if (cut == std::string::npos) break;
    key.resize(cut);
  }
  return 0;
}

Result<ServerConfig, ConfigError> parse(std::string_view text, std::string_view source,
                                        const std::filesystem::path& base, const CliOverrides* overrides) {
  Reader reader{std::string(source)};
  try {
    const toml::table root = toml::parse(text, source);
    reader.read(root);
  } catch (const toml::parse_error& e) {
    const toml::source_position begin = e.source().begin;
    return Unexpected{ConfigError{
        std::string(source),
        begin.line,
        {},
        "TOML syntax error at column " + std::to_string(begin.column) + ": " + std::string(e.description())}};
  } catch (const std::exception& e) {  // toml++ documents only parse_error; anything else still stops here
    return Unexpected{ConfigError{std::string(source), 0, {}, std::string("cannot read the file: ") + e.what()}};
  }
  if (!reader.errors.empty()) {
    const auto first = std::min_element(reader.errors.begin(), reader.errors.end(),
                                        [](const ConfigError& a, const ConfigError& b) { return a.line < b.line; });
    return Unexpected{*first};
  }
  ServerConfig config = std::move(reader.config);
  if (!base.empty()) resolve_relative_paths(config, base);
  const Status<ConfigError> status = overrides ? apply_overrides(config, *overrides) : validate(config);
  if (!status) {
    ConfigError error = status.error();
    if (error.source.empty()) {  // not caused by a flag: point into the file
      error.source = std::string(source);
      error.line = line_of(reader.lines, error.key, error.message);
    }
    return Unexpected{std::move(error)};
  }
  return config;
}

Result<ServerConfig, ConfigError> load_file(const std::filesystem::path& path, const CliOverrides* overrides) {
  auto text = read_config_text(path, "the file");
  if (!text) return Unexpected{std::move(text.error())};
  return parse(*text, path.string(), path.parent_path(), overrides);
}

}  // namespace

Result<std::string, ConfigError> read_config_text(const std::filesystem::path& path, std::string_view what) {
  const std::string name = path.string();
  std::FILE* file = std::fopen(name.c_str(), "rb");
  if (file == nullptr) {
    return Unexpected{ConfigError{name, 0, {}, "cannot open " + std::string(what) + ": " + std::strerror(errno)}};
  }
  std::string text;
  char buffer[16 * 1024];
  std::size_t n = 0;
  while ((n = std::fread(buffer, 1, sizeof buffer, file)) > 0 && text.size() <= kMaxFileSize) text.append(buffer, n);
  const int read_errno = std::ferror(file) ? errno : 0;
  std::fclose(file);
  if (read_errno != 0) {
    return Unexpected{ConfigError{name, 0, {}, "cannot read " + std::string(what) + ": " + std::strerror(read_errno)}};
  }
  if (text.size() > kMaxFileSize) {
    return Unexpected{ConfigError{name, 0, {}, std::string(what) + " is larger than " + format_size(kMaxFileSize)}};
  }
  return text;
}

Result<ServerConfig, ConfigError> load_config_file(const std::filesystem::path& path) {
  return load_file(path, nullptr);
}

Result<ServerConfig, ConfigError> load_config_file(const std::filesystem::path& path, const CliOverrides& overrides) {
  return load_file(path, &overrides);
}

Result<ServerConfig, ConfigError> load_config_string(std::string_view text, std::string_view source_name) {
  return parse(text, source_name, {}, nullptr);
}

}  // namespace h2push::server
