// src/push/link_header.cpp: RFC 8288 §3 Link field values, read leniently and written strictly.
#include "push/link_header.hpp"

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace h2push::push {
namespace {

char ascii_lower(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }

std::string lower(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (const char c : s) out.push_back(ascii_lower(c));
  return out;
}

bool is_ows(char c) { return c == ' ' || c == '\t'; }

// RFC 9110 §5.6.2 tchar.
bool is_tchar(char c) {
  if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')) return true;
  return std::string_view{"!#$%&'*+-.^_`|~"}.find(c) != std::string_view::npos;
}

// RFC 9110 §5.6.4: qdtext and the second octet of a quoted-pair (HTAB, SP, VCHAR, obs-text).
bool is_quotable(char c) {
  const auto u = static_cast<unsigned char>(c);
  return c == '\t' || c == ' ' || (u >= 0x21 && u != 0x7F);
}

class Parser {
 public:
  explicit Parser(std::string_view in) : in_(in) {}

  ParsedLinks run() {
    ParsedLinks out;
    while (true) {
      // #rule: empty list elements (", ,") are allowed and ignored (RFC 9110 §5.6.1).
      while (pos_ < in_.size() && (is_ows(in_[pos_]) || in_[pos_] == ',')) ++pos_;
      if (pos_ == in_.size()) break;
      const std::size_t start = pos_;
      if (auto link = link_value()) {
        out.links.push_back(std::move(*link));
      } else {
        ++out.malformed;
        pos_ = start;
        skip_to_next_comma();
      }
    }
    return out;
  }

 private:
  bool at_end() const { return pos_ == in_.size(); }
  char peek() const { return in_[pos_]; }
  void skip_ows() {
    while (!at_end() && is_ows(peek())) ++pos_;
  }

  // After a malformed link-value: the next ',' outside <...> and quoted strings, or the end.
  void skip_to_next_comma() {
    while (!at_end()) {
      const char c = peek();
      if (c == ',') return;
      ++pos_;
      if (c == '<') {
        while (!at_end() && peek() != '>') ++pos_;
        if (!at_end()) ++pos_;
      } else if (c == '"') {
        while (!at_end() && peek() != '"')
          pos_ += (peek() == '\\' && pos_ + 1 < in_.size()) ? std::size_t{2} : std::size_t{1};
        if (!at_end()) ++pos_;
      }
    }
  }

  std::optional<Link> link_value() {
    if (peek() != '<') return std::nullopt;
    const std::size_t close = in_.find('>', pos_ + 1);
    if (close == std::string_view::npos) return std::nullopt;
    Link link;
    link.target = std::string{in_.substr(pos_ + 1, close - pos_ - 1)};
    for (const char c : link.target) {
      const auto u = static_cast<unsigned char>(c);
      if (u < 0x20 || u == 0x7F) return std::nullopt;
    }
    pos_ = close + 1;
    while (true) {
      skip_ows();
      if (at_end() || peek() == ',') break;
      if (peek() != ';') return std::nullopt;
      ++pos_;
      skip_ows();
      // A trailing or doubled ';' ("</a>; rel=preload;") is common and harmless: an empty parameter.
      if (at_end() || peek() == ',' || peek() == ';') continue;
      auto param = link_param();
      if (!param) return std::nullopt;
      link.params.push_back(std::move(*param));
    }
    lift(link);
    return link;
  }

  std::optional<LinkParam> link_param() {
    const std::size_t name_start = pos_;
    while (!at_end() && is_tchar(peek())) ++pos_;
    if (pos_ == name_start) return std::nullopt;
    LinkParam param;
    param.name = lower(in_.substr(name_start, pos_ - name_start));
    skip_ows();  // BWS
    if (at_end() || peek() != '=') return param;
    ++pos_;
    skip_ows();  // BWS
    if (at_end()) return std::nullopt;
    if (peek() == '"') {
      ++pos_;
      std::string value;
      while (true) {
        if (at_end()) return std::nullopt;  // unterminated
        const char c = peek();
        ++pos_;
        if (c == '"') break;
        if (c == '\\') {
          if (at_end() || !is_quotable(peek())) return std::nullopt;
          value.push_back(peek());
          ++pos_;
        } else if (is_quotable(c)) {
          value.push_back(c);
        } else {
          return std::nullopt;
        }
      }
      param.value = std::move(value);
      return param;
    }
    const std::size_t value_start = pos_;
    while (!at_end()) {
      const auto u = static_cast<unsigned char>(peek());
      if (u <= 0x20 || u >= 0x7F || peek() == ';' || peek() == ',' || peek() == '"') break;
      ++pos_;
    }
    if (pos_ == value_start) return std::nullopt;
    param.value = std::string{in_.substr(value_start, pos_ - value_start)};
    return param;
  }

  // RFC 8288 §3.3: only the first `rel` counts; the same rule for the other lifted parameters.
  static void lift(Link& link) {
    bool seen_rel = false;
    bool seen_as = false;
    for (const LinkParam& p : link.params) {
      if (p.name == "rel" && !seen_rel) {
        seen_rel = true;
        const std::string_view types = p.value ? std::string_view{*p.value} : std::string_view{};
        std::size_t i = 0;
        while (i < types.size()) {
          while (i < types.size() && is_ows(types[i])) ++i;
          const std::size_t start = i;
          while (i < types.size() && !is_ows(types[i])) ++i;
          if (i > start) link.rel.push_back(lower(types.substr(start, i - start)));
        }
      } else if (p.name == "as" && !seen_as) {
        seen_as = true;
        link.as = p.value ? lower(*p.value) : std::string{};
      } else if (p.name == "crossorigin" && !link.crossorigin) {
        link.crossorigin = p.value.value_or(std::string{});
      } else if (p.name == "nopush") {
        link.nopush = true;
      }
    }
  }

  std::string_view in_;
  std::size_t pos_ = 0;
};

// What may not stand between '<' and '>' in a field value: controls, space, '"', '<', '>', non-ASCII.
std::string encode_target(std::string_view path) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  out.reserve(path.size());
  for (const char ch : path) {
    const auto c = static_cast<unsigned char>(ch);
    if (c <= 0x20 || c >= 0x7F || c == '"' || c == '<' || c == '>') {
      out.push_back('%');
      out.push_back(kHex[c >> 4]);
      out.push_back(kHex[c & 0x0F]);
    } else {
      out.push_back(ch);
    }
  }
  return out;
}

std::optional<std::string_view> preload_as(Destination d) {
  switch (d) {
    case Destination::style:
      return "style";
    case Destination::script:
      return "script";
    case Destination::font:
      return "font";
    case Destination::image:
      return "image";
    case Destination::fetch:
      return "fetch";
    case Destination::module_script:
    case Destination::document:
    case Destination::other:
      return std::nullopt;
  }
  return std::nullopt;
}

}  // namespace

bool Link::has_rel(std::string_view relation) const {
  for (const std::string& r : rel) {
    if (r == relation) return true;
  }
  return false;
}

std::optional<std::string_view> Link::param(std::string_view name) const {
  for (const LinkParam& p : params) {
    if (p.name == name) return p.value ? std::string_view{*p.value} : std::string_view{};
  }
  return std::nullopt;
}

ParsedLinks parse_link_header(std::string_view value) { return Parser{value}.run(); }

std::optional<std::string> format_link(const Resource& resource, bool nopush) {
  std::string out;
  out.push_back('<');
  // A path that starts with "//" would read as a network-path reference ("//host/x"); "/." in front keeps it a
  // path and resolves away, as the URL Standard's serializer does it.
  if (resource.path.starts_with("//")) out.append("/.");
  out.append(encode_target(resource.path));
  out.push_back('>');
  if (resource.as == Destination::module_script) {
    // modulepreload always fetches in CORS mode; its `crossorigin` only picks the credentials mode, and a module
    // script without the attribute uses the same default, so the hint needs none.
    out += "; rel=modulepreload";
  } else {
    const auto as = preload_as(resource.as);
    if (!as) return std::nullopt;
    out += "; rel=preload; as=";
    out += *as;
    // Fonts are always fetched in CORS mode (CSS Fonts §4.8.2); without `crossorigin` the preload goes unused.
    if (resource.as == Destination::font || resource.crossorigin) out += "; crossorigin";
  }
  if (nopush) out += "; nopush";
  return out;
}

std::optional<Resource> preload_from_link(const Link& link, const Url& page, const Url& base) {
  Resource r;
  if (link.has_rel("modulepreload")) {
    // HTML §4.6.7.21: modulepreload's `as` defaults to "script"; other module types are not ours to guess.
    if (!link.as.empty() && link.as != "script") return std::nullopt;
    r.as = Destination::module_script;
    r.crossorigin = true;
  } else if (link.has_rel("preload")) {
    const auto as = destination_from_preload_as(link.as);
    if (!as) return std::nullopt;
    r.as = *as;
    r.crossorigin = *as == Destination::font || link.crossorigin.has_value();
  } else {
    return std::nullopt;
  }
  auto path = resolve_path(page, base, link.target);
  if (!path) return std::nullopt;
  r.path = std::move(*path);
  r.conditional = link.param("media").has_value() || link.param("imagesrcset").has_value();
  r.source = "link-header";
  return r;
}

}  // namespace h2push::push
