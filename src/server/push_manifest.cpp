// src/server/push_manifest.cpp: reading the TOML push manifest with toml++ (its exceptions stop here), and turning
// [[push.link]] tables into manifest rules.
#include "server/push_manifest.hpp"

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <exception>
#include <utility>

#include <toml++/toml.h>

namespace h2push::server {
namespace {

constexpr std::size_t kMaxFileSize = 4 * kMiB;
constexpr std::array<std::string_view, 8> kDestinationNames = {"style", "script", "module_script", "font",
                                                               "image", "fetch",  "document",      "other"};
constexpr std::array<std::string_view, 5> kMediaDestinations = {"audio", "video", "track", "embed", "object"};

std::string quote(std::string_view text) {
  std::string out(1, '"');  // appended piece by piece: GCC 12 warns falsely (-Wrestrict) about "\"" + std::string
  out.append(text).push_back('"');
  return out;
}

std::string got(const toml::node& node) {
  if (const auto* s = node.as_string()) return quote(s->get());
  if (const auto* i = node.as_integer()) return std::to_string(i->get());
  if (const auto* b = node.as_boolean()) return b->get() ? "true" : "false";
  if (node.is_array()) return "an array";
  if (node.is_table()) return "a table";
  return "a value of another type";
}

std::string lower(std::string_view text) {
  std::string out(text);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

// A same-origin path as a request target: starts with '/' (not "//"), no whitespace, controls or characters that
// cannot stand in a Link header's <...>. With `star`, a trailing '*' (a prefix) is allowed.
bool valid_path(std::string_view path, bool star) {
  if (star && path.ends_with('*')) path.remove_suffix(1);
  if (path.empty() || path.front() != '/' || path.starts_with("//")) return false;
  return std::none_of(path.begin(), path.end(), [](char c) {
    const auto u = static_cast<unsigned char>(c);
    return u <= 0x20 || u == 0x7f || c == '<' || c == '>' || c == '"' || c == '*' || c == '#';
  });
}

class ManifestReader {
 public:
  explicit ManifestReader(std::string source) : source_(std::move(source)) {}

  void read(const toml::table& root) {
    for (const auto& [key, node] : root) {
      if (key.str() != "page") {
        fail(key.source(), std::string(key.str()), "unknown key (a manifest holds [[page]] tables only)");
        continue;
      }
      const auto* pages = node.as_array();
      if (pages == nullptr) {
        fail(node.source(), "page", "expected an array of tables ([[page]]), got " + got(node));
        continue;
      }
      for (std::size_t i = 0; i < pages->size(); ++i) read_page((*pages)[i], "page[" + std::to_string(i) + "]");
    }
  }

  push::Manifest manifest;
  std::vector<ConfigError> errors;

 private:
  void fail(const toml::source_region& where, std::string key, std::string message) {
    errors.push_back(ConfigError{source_, where.begin.line, std::move(key), std::move(message)});
  }

  void read_page(const toml::node& node, const std::string& base) {
    const auto* table = node.as_table();
    if (table == nullptr) return fail(node.source(), base, "expected a table ([[page]]), got " + got(node));
    static constexpr std::array<std::string_view, 5> kKeys = {"path", "remove", "nopush", "order", "add"};
    for (const auto& [key, value] : *table) {
      if (std::find(kKeys.begin(), kKeys.end(), key.str()) == kKeys.end()) {
        fail(key.source(), base + "." + std::string(key.str()),
             "unknown key (expected path, add, remove, nopush or order)");
      }
    }
    push::ManifestRule rule;
    if (const toml::node* path = table->get("path")) {
      const auto* text = path->as_string();
      if (text == nullptr || !valid_path(text->get(), true)) {
        fail(path->source(), base + ".path",
             "expected a page path such as \"/index.html\" or \"/blog/*\", got " + got(*path));
      } else {
        rule.page = text->get();
      }
    } else {
      fail(node.source(), base, "missing key 'path' (the page's path)");
    }
    // In a fixed order (toml++ sorts keys): an addition's nopush comes after the rule's own list.
    if (const toml::node* remove = table->get("remove")) read_paths(*remove, base + ".remove", true, rule.remove);
    if (const toml::node* nopush = table->get("nopush")) read_paths(*nopush, base + ".nopush", true, rule.nopush);
    if (const toml::node* order = table->get("order")) read_paths(*order, base + ".order", false, rule.order);
    if (const toml::node* add = table->get("add")) read_additions(*add, base + ".add", rule);
    manifest.rules.push_back(std::move(rule));
  }

  void read_paths(const toml::node& node, const std::string& key, bool star, std::vector<std::string>& out) {
    const auto* array = node.as_array();
    if (array == nullptr) return fail(node.source(), key, "expected an array of paths, got " + got(node));
    for (std::size_t i = 0; i < array->size(); ++i) {
      const toml::node& item = (*array)[i];
      const auto* text = item.as_string();
      if (text == nullptr || !valid_path(text->get(), star)) {
        fail(item.source(), key + "[" + std::to_string(i) + "]",
             std::string("expected a same-origin path such as \"/css/site.css\"") + (star ? " or \"/img/*\"" : "") +
                 ", got " + got(item));
        continue;
      }
      out.push_back(text->get());
    }
  }

  void read_additions(const toml::node& node, const std::string& key, push::ManifestRule& rule) {
    const auto* array = node.as_array();
    if (array == nullptr) return fail(node.source(), key, "expected an array of tables, got " + got(node));
    for (std::size_t i = 0; i < array->size(); ++i) {
      read_addition((*array)[i], key + "[" + std::to_string(i) + "]", rule);
    }
  }

  void read_addition(const toml::node& node, const std::string& base, push::ManifestRule& rule) {
    const auto* table = node.as_table();
    if (table == nullptr) return fail(node.source(), base, "expected a table { href = ... }, got " + got(node));
    std::string href;
    std::string as;
    bool flags[3] = {false, false, false};  // critical, crossorigin, nopush
    const toml::node* as_node = nullptr;
    for (const auto& [key, value] : *table) {
      const std::string name(key.str());
      const std::string item = base + "." + name;
      static constexpr std::array<std::string_view, 3> kFlags = {"critical", "crossorigin", "nopush"};
      const auto flag = std::find(kFlags.begin(), kFlags.end(), name);
      if (name == "href" || name == "as") {
        const auto* text = value.as_string();
        if (text == nullptr) {
          fail(value.source(), item, "expected a string, got " + got(value));
        } else if (name == "href" && !valid_path(text->get(), false)) {
          fail(value.source(), item, "expected a same-origin path such as \"/css/site.css\", got " + got(value));
        } else {
          (name == "href" ? href : as) = text->get();
          if (name == "as") as_node = &value;
        }
      } else if (flag != kFlags.end()) {
        const auto* b = value.as_boolean();
        if (b == nullptr) fail(value.source(), item, "expected true or false, got " + got(value));
        flags[flag - kFlags.begin()] = b != nullptr && b->get();
      } else {
        fail(key.source(), item, "unknown key (expected href, as, critical, crossorigin or nopush)");
      }
    }
    if (!table->contains("href")) return fail(node.source(), base, "missing key 'href' (the asset's path)");
    const auto destination = destination_for(as, href);
    if (!destination) {
      return fail(as_node != nullptr ? as_node->source() : node.source(), base + ".as",
                  "expected \"\" or a destination (style, script, module_script, font, image, fetch, document, "
                  "other), got " +
                      quote(as));
    }
    push::Resource r;
    r.path = href;
    r.as = *destination;
    r.critical = flags[0];
    r.crossorigin = flags[1] || r.as == push::Destination::font || r.as == push::Destination::module_script;
    r.source = "manifest";
    rule.add.push_back(std::move(r));
    if (flags[2]) rule.nopush.push_back(std::move(href));
  }

  std::string source_;
};

}  // namespace

std::optional<push::Destination> destination_for(std::string_view as, std::string_view href) {
  using push::Destination;
  const std::string name = lower(as);
  if (!name.empty()) {
    const auto it = std::find(kDestinationNames.begin(), kDestinationNames.end(), name);
    if (it != kDestinationNames.end()) return static_cast<Destination>(it - kDestinationNames.begin());
    if (std::find(kMediaDestinations.begin(), kMediaDestinations.end(), name) != kMediaDestinations.end()) {
      return Destination::other;
    }
    return std::nullopt;
  }
  std::string_view path = href.substr(0, href.find_first_of("?#"));
  path = path.substr(path.rfind('/') + 1);
  const std::size_t dot = path.rfind('.');
  const std::string ext = dot == std::string_view::npos ? std::string() : lower(path.substr(dot + 1));
  const auto one_of = [&](std::initializer_list<std::string_view> list) {
    return std::find(list.begin(), list.end(), ext) != list.end();
  };
  if (ext == "css") return Destination::style;
  if (one_of({"js", "mjs", "cjs"})) return Destination::script;
  if (one_of({"woff2", "woff", "ttf", "otf"})) return Destination::font;
  if (one_of({"png", "jpg", "jpeg", "gif", "webp", "avif", "svg", "ico", "bmp"})) return Destination::image;
  if (one_of({"json", "wasm"})) return Destination::fetch;
  if (one_of({"html", "htm"})) return Destination::document;
  return Destination::other;
}

Result<push::Manifest, ConfigError> parse_push_manifest(std::string_view text, std::string_view source_name) {
  ManifestReader reader{std::string(source_name)};
  try {
    const toml::table root = toml::parse(text, source_name);
    reader.read(root);
  } catch (const toml::parse_error& e) {
    const toml::source_position begin = e.source().begin;
    return Unexpected{ConfigError{
        std::string(source_name),
        begin.line,
        {},
        "TOML syntax error at column " + std::to_string(begin.column) + ": " + std::string(e.description())}};
  } catch (const std::exception& e) {
    return Unexpected{ConfigError{std::string(source_name), 0, {}, std::string("cannot read the file: ") + e.what()}};
  }
  if (!reader.errors.empty()) {
    return Unexpected{*std::min_element(reader.errors.begin(), reader.errors.end(),
                                        [](const ConfigError& a, const ConfigError& b) { return a.line < b.line; })};
  }
  return std::move(reader.manifest);
}

Result<push::Manifest, ConfigError> read_push_manifest(const std::filesystem::path& path) {
  const std::string name = path.string();
  std::FILE* file = std::fopen(name.c_str(), "rb");
  if (file == nullptr) {
    return Unexpected{ConfigError{name, 0, {}, std::string("cannot open the push manifest: ") + std::strerror(errno)}};
  }
  std::string text;
  char buffer[16 * 1024];
  std::size_t n = 0;
  while ((n = std::fread(buffer, 1, sizeof buffer, file)) > 0 && text.size() <= kMaxFileSize) text.append(buffer, n);
  const int read_errno = std::ferror(file) ? errno : 0;
  std::fclose(file);
  if (read_errno != 0) {
    return Unexpected{
        ConfigError{name, 0, {}, std::string("cannot read the push manifest: ") + std::strerror(read_errno)}};
  }
  if (text.size() > kMaxFileSize) {
    return Unexpected{ConfigError{name, 0, {}, "the push manifest is larger than " + format_size(kMaxFileSize)}};
  }
  return parse_push_manifest(text, name);
}

push::Manifest manifest_from_links(const std::vector<PushLink>& links) {
  push::Manifest out;
  for (const PushLink& link : links) {
    push::ManifestRule rule;
    rule.page = link.page;
    push::Resource r;
    r.path = link.href;
    r.as = destination_for(link.as, link.href).value_or(push::Destination::other);
    r.critical = link.critical;
    r.crossorigin = r.as == push::Destination::font || r.as == push::Destination::module_script;
    r.source = "manifest";
    rule.add.push_back(std::move(r));
    if (link.nopush) rule.nopush.push_back(link.href);
    out.rules.push_back(std::move(rule));
  }
  return out;
}

Result<push::Manifest, std::string> load_push_manifest(const PushConfig& push) {
  push::Manifest out;
  if (!push.manifest.empty()) {
    auto file = read_push_manifest(push.manifest);
    if (!file) return Unexpected{file.error().to_string()};
    out = std::move(*file);
  }
  push::Manifest links = manifest_from_links(push.links);
  out.rules.insert(out.rules.end(), std::make_move_iterator(links.rules.begin()),
                   std::make_move_iterator(links.rules.end()));
  return out;
}

}  // namespace h2push::server
