// src/push/html_discovery.cpp: walks Gumbo's tree in document order and turns the elements a browser fetches for
// into Resources. The rules (which rel, which script types, srcset, <picture>) follow the HTML Standard's fetch
// steps; what we cannot know on the server (viewport, media queries, supported image types) makes a resource
// conditional rather than dropping it.
#include "push/html_discovery.hpp"

#include <cstddef>
#include <initializer_list>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include <gumbo.h>

namespace h2push::push {
namespace {

// --- strings -------------------------------------------------------------------------------------------------

char ascii_lower(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }

// HTML's ASCII whitespace: TAB, LF, FF, CR, SPACE.
bool is_html_space(char c) { return c == '\t' || c == '\n' || c == '\f' || c == '\r' || c == ' '; }

std::string_view trim(std::string_view s) {
  while (!s.empty() && is_html_space(s.front())) s.remove_prefix(1);
  while (!s.empty() && is_html_space(s.back())) s.remove_suffix(1);
  return s;
}

std::string lower_trim(std::string_view s) {
  s = trim(s);
  std::string out;
  out.reserve(s.size());
  for (const char c : s) out.push_back(ascii_lower(c));
  return out;
}

bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (ascii_lower(a[i]) != ascii_lower(b[i])) return false;
  }
  return true;
}

bool icontains(std::string_view haystack, std::string_view needle) {
  if (needle.size() > haystack.size()) return false;
  for (std::size_t i = 0; i + needle.size() <= haystack.size(); ++i) {
    if (iequals(haystack.substr(i, needle.size()), needle)) return true;
  }
  return false;
}

// Whether the space-separated token list `list` (rel, blocking) holds `token`, ASCII case-insensitively.
bool has_token(std::string_view list, std::string_view token) {
  std::size_t i = 0;
  while (i < list.size()) {
    while (i < list.size() && is_html_space(list[i])) ++i;
    const std::size_t start = i;
    while (i < list.size() && !is_html_space(list[i])) ++i;
    if (i > start && iequals(list.substr(start, i - start), token)) return true;
  }
  return false;
}

// --- Gumbo access ----------------------------------------------------------------------------------------------

struct GumboDeleter {
  void operator()(GumboOutput* output) const { gumbo_destroy_output(&kGumboDefaultOptions, output); }
};
using GumboTree = std::unique_ptr<GumboOutput, GumboDeleter>;

std::optional<std::string_view> attr(const GumboElement& e, const char* name) {
  const GumboAttribute* a = gumbo_get_attribute(&e.attributes, name);
  if (a == nullptr) return std::nullopt;
  return std::string_view{a->value};
}

bool has_attr(const GumboElement& e, const char* name) { return gumbo_get_attribute(&e.attributes, name) != nullptr; }

bool is_html(const GumboNode* node, GumboTag tag) {
  return node != nullptr && node->type == GUMBO_NODE_ELEMENT && node->v.element.tag == tag &&
         node->v.element.tag_namespace == GUMBO_NAMESPACE_HTML;
}

// Gumbo 0.10 predates <picture>: it is an unknown element whose name we read from the source text.
bool is_picture(const GumboNode* node) {
  if (node == nullptr || node->type != GUMBO_NODE_ELEMENT) return false;
  const GumboElement& e = node->v.element;
  if (e.tag != GUMBO_TAG_UNKNOWN || e.tag_namespace != GUMBO_NAMESPACE_HTML) return false;
  GumboStringPiece name = e.original_tag;
  if (name.data == nullptr || name.length == 0) return false;
  gumbo_tag_from_original_text(&name);
  return iequals(std::string_view{name.data, name.length}, "picture");
}

// The concatenated text children of a raw-text element (<style>, <script>).
std::string text_content(const GumboElement& e) {
  std::string text;
  for (unsigned int i = 0; i < e.children.length; ++i) {
    const auto* child = static_cast<const GumboNode*>(e.children.data[i]);
    if (child->type == GUMBO_NODE_TEXT || child->type == GUMBO_NODE_CDATA || child->type == GUMBO_NODE_WHITESPACE) {
      text.append(child->v.text.text);
    }
  }
  return text;
}

// Elements in document order, without the contents of <template> (inert; Gumbo gives it its own node type) and of
// <noscript> (raw text, never fetched from, in a browser with scripting on). `in_head` tells whether the element
// sits inside <head>.
template <class Visit>
void walk(const GumboNode* root, Visit&& visit) {
  struct Frame {
    const GumboNode* node;
    bool in_head;
  };
  std::vector<Frame> stack;
  stack.push_back({root, false});
  while (!stack.empty()) {
    const Frame frame = stack.back();
    stack.pop_back();
    const GumboNode* node = frame.node;
    if (node->type != GUMBO_NODE_ELEMENT && node->type != GUMBO_NODE_DOCUMENT) continue;
    const GumboVector* children = nullptr;
    bool in_head = frame.in_head;
    if (node->type == GUMBO_NODE_DOCUMENT) {
      children = &node->v.document.children;
    } else {
      visit(node, frame.in_head);
      if (is_html(node, GUMBO_TAG_NOSCRIPT)) continue;
      in_head = in_head || is_html(node, GUMBO_TAG_HEAD);
      children = &node->v.element.children;
    }
    for (unsigned int i = children->length; i > 0; --i) {
      stack.push_back({static_cast<const GumboNode*>(children->data[i - 1]), in_head});
    }
  }
}

// --- attribute micro-syntaxes ----------------------------------------------------------------------------------

// A media attribute that matches a normal screen, so the resource is needed for the first paint. We evaluate no
// media queries: anything else ("print", "(max-width: 600px)") may not match and is treated as not matching.
bool is_default_media(std::optional<std::string_view> media) {
  if (!media) return true;
  const std::string m = lower_trim(*media);
  return m.empty() || m == "all" || m == "screen";
}

// HTML §4.2.6: a `type` on <link rel=stylesheet> or <style> other than text/css means the browser skips it.
bool is_css_type(std::optional<std::string_view> type) {
  if (!type) return true;
  std::string t = lower_trim(*type);
  if (const std::size_t semicolon = t.find(';'); semicolon != std::string::npos) t = lower_trim(t.substr(0, semicolon));
  return t.empty() || t == "text/css";
}

enum class ScriptKind : std::uint8_t { classic, module, not_fetched };

// HTML §4.12.1.1, "prepare the script element" step 8: the script's type from its `type` (or legacy `language`).
ScriptKind script_kind(const GumboElement& e) {
  static constexpr std::string_view kJavaScriptTypes[] = {
      "application/ecmascript", "application/javascript", "application/x-ecmascript", "application/x-javascript",
      "text/ecmascript",        "text/javascript",        "text/javascript1.0",       "text/javascript1.1",
      "text/javascript1.2",     "text/javascript1.3",     "text/javascript1.4",       "text/javascript1.5",
      "text/jscript",           "text/livescript",        "text/x-ecmascript",        "text/x-javascript"};
  std::string type;
  if (const auto t = attr(e, "type")) {
    type = lower_trim(*t);
  } else if (const auto language = attr(e, "language"); language && !language->empty()) {
    type = "text/" + lower_trim(*language);
  }
  if (type.empty()) return ScriptKind::classic;
  if (type == "module") return ScriptKind::module;
  for (const std::string_view js : kJavaScriptTypes) {
    if (type == js) return ScriptKind::classic;
  }
  return ScriptKind::not_fetched;  // data blocks, importmap, speculationrules, text/template, ...
}

struct SrcsetCandidate {
  std::string_view url;
  bool is_1x = false;  // a density of 1, or no descriptor at all
};

// Whether a density descriptor's number ("1", "1.0", "01.00") equals one.
bool is_one(std::string_view number) {
  std::size_t i = 0;
  while (i < number.size() && number[i] == '0') ++i;
  if (i == number.size() || number[i] != '1') return false;
  ++i;
  if (i == number.size()) return true;
  if (number[i] != '.') return false;
  for (++i; i < number.size(); ++i) {
    if (number[i] != '0') return false;
  }
  return true;
}

bool is_number(std::string_view s) {
  if (s.empty()) return false;
  for (const char c : s) {
    if (!((c >= '0' && c <= '9') || c == '.' || c == 'e' || c == 'E' || c == '+' || c == '-')) return false;
  }
  return true;
}

// HTML §4.8.4.3.10, "parse a srcset attribute", keeping what we need: each candidate's URL (commas inside a URL
// are kept; trailing commas end it) and whether it is the 1x one. Candidates with invalid descriptors are dropped,
// as browsers drop them.
std::vector<SrcsetCandidate> parse_srcset(std::string_view s, std::size_t max) {
  std::vector<SrcsetCandidate> out;
  std::size_t pos = 0;
  while (out.size() < max) {
    while (pos < s.size() && (is_html_space(s[pos]) || s[pos] == ',')) ++pos;
    if (pos == s.size()) break;
    const std::size_t url_start = pos;
    while (pos < s.size() && !is_html_space(s[pos])) ++pos;
    std::string_view url = s.substr(url_start, pos - url_start);
    std::string_view descriptors;
    if (url.back() == ',') {
      while (!url.empty() && url.back() == ',') url.remove_suffix(1);
    } else {
      const std::size_t desc_start = pos;
      int depth = 0;
      while (pos < s.size() && !(s[pos] == ',' && depth == 0)) {
        if (s[pos] == '(') ++depth;
        if (s[pos] == ')' && depth > 0) --depth;
        ++pos;
      }
      descriptors = s.substr(desc_start, pos - desc_start);
      if (pos < s.size()) ++pos;  // the ','
    }
    if (url.empty()) continue;
    bool valid = true;
    bool has_width = false;
    bool has_density = false;
    bool has_height = false;
    bool one = false;
    std::size_t i = 0;
    while (i < descriptors.size()) {
      while (i < descriptors.size() && is_html_space(descriptors[i])) ++i;
      const std::size_t start = i;
      while (i < descriptors.size() && !is_html_space(descriptors[i])) ++i;
      if (i == start) break;
      const std::string_view d = descriptors.substr(start, i - start);
      const std::string_view number = d.substr(0, d.size() - 1);
      const char unit = d.back();
      if (!is_number(number)) {
        valid = false;
      } else if (unit == 'w' && !has_width && !has_density) {
        has_width = true;
      } else if (unit == 'x' && !has_width && !has_density && !has_height) {
        has_density = true;
        one = is_one(number);
      } else if (unit == 'h' && !has_height && !has_density) {
        has_height = true;
      } else {
        valid = false;
      }
    }
    if (has_height && !has_width) valid = false;
    if (valid) out.push_back({url, one || (!has_width && !has_density)});
  }
  return out;
}

// --- the collector ---------------------------------------------------------------------------------------------

class Collector {
 public:
  Collector(const Url& page, const HtmlOptions& options, HtmlDiscovery& out)
      : page_(page), options_(options), out_(out) {}

  void element(const GumboNode* node, bool in_head) {
    const GumboElement& e = node->v.element;
    if (const auto style = attr(e, "style")) style_attribute(*style);
    if (e.tag_namespace == GUMBO_NAMESPACE_SVG) {
      if (e.tag == GUMBO_TAG_STYLE) style_element(e);
      return;
    }
    if (e.tag_namespace != GUMBO_NAMESPACE_HTML) return;
    switch (e.tag) {
      case GUMBO_TAG_LINK:
        link(e);
        break;
      case GUMBO_TAG_SCRIPT:
        script(e, in_head);
        break;
      case GUMBO_TAG_IMG:
        img(node);
        break;
      case GUMBO_TAG_SOURCE:
        source(node);
        break;
      case GUMBO_TAG_VIDEO:
        video(e);
        break;
      case GUMBO_TAG_STYLE:
        style_element(e);
        break;
      default:
        break;
    }
  }

 private:
  static Resource make(Destination as, std::string source) {
    Resource r;
    r.as = as;
    r.source = std::move(source);
    return r;
  }

  // Resolves `reference` and records it, or counts why it cannot be pushed. Blank references fetch nothing (HTML:
  // an empty src or href is an error, not the page itself).
  void add(std::string_view reference, const Resource& proto) {
    reference = trim(reference);
    if (reference.empty()) return;
    auto path = resolve_path(page_, out_.base, reference);
    if (!path) {
      if (path.error() == UrlError::cross_origin) {
        ++out_.skipped_cross_origin;
      } else {
        ++out_.skipped_unsupported;
      }
      return;
    }
    if (const auto it = index_.find(*path); it != index_.end()) {
      merge_occurrence(out_.resources[it->second], proto);
      return;
    }
    if (out_.resources.size() >= options_.max_resources) {
      out_.truncated = true;
      return;
    }
    index_.emplace(*path, out_.resources.size());
    Resource r = proto;
    r.path = std::move(*path);
    out_.resources.push_back(std::move(r));
  }

  void add_inline(InlineBlock::Kind kind, std::string text) {
    if (trim(text).empty()) return;
    if (out_.inline_blocks.size() >= options_.max_inline_blocks ||
        text.size() > options_.max_inline_bytes - inline_bytes_) {
      out_.truncated = true;
      return;
    }
    inline_bytes_ += text.size();
    out_.inline_blocks.push_back({kind, std::move(text), out_.resources.size()});
  }

  // An image source set: the default pick first (the src, else the 1x or first candidate), unconditional unless
  // `conditional`; every other candidate conditional (the browser picks one by viewport and density).
  void image_set(std::optional<std::string_view> src, std::optional<std::string_view> srcset, const Resource& proto) {
    const std::vector<SrcsetCandidate> candidates =
        srcset ? parse_srcset(*srcset, options_.max_srcset_candidates) : std::vector<SrcsetCandidate>{};
    std::optional<std::string_view> pick;
    if (src && !trim(*src).empty()) {
      pick = src;
    } else if (!candidates.empty()) {
      pick = candidates.front().url;
      for (const SrcsetCandidate& c : candidates) {
        if (c.is_1x) {
          pick = c.url;
          break;
        }
      }
    }
    if (pick) add(*pick, proto);
    Resource alternative = proto;
    alternative.conditional = true;
    for (const SrcsetCandidate& c : candidates) add(c.url, alternative);
  }

  void link(const GumboElement& e) {
    const auto rel = attr(e, "rel");
    const auto href = attr(e, "href");
    if (!rel) return;
    const std::string_view h = href.value_or(std::string_view{});
    const bool crossorigin = has_attr(e, "crossorigin");
    const bool render_blocking = has_token(attr(e, "blocking").value_or(""), "render");
    if (has_token(*rel, "stylesheet")) {
      // Alternate style sheets are not applied until chosen; disabled ones are not fetched (HTML §4.6.7.20).
      if (has_token(*rel, "alternate") || has_attr(e, "disabled") || !is_css_type(attr(e, "type"))) return;
      Resource r = make(Destination::style, "link");
      r.critical = is_default_media(attr(e, "media")) || render_blocking;
      r.crossorigin = crossorigin;
      add(h, r);
      return;
    }
    if (has_token(*rel, "modulepreload")) {
      const auto as = attr(e, "as");
      if (as && !lower_trim(*as).empty() && lower_trim(*as) != "script") return;
      Resource r = make(Destination::module_script, "link");
      r.crossorigin = true;
      add(h, r);
      return;
    }
    if (has_token(*rel, "preload")) {
      const auto as = destination_from_preload_as(lower_trim(attr(e, "as").value_or("")));
      if (!as) return;  // a preload without a valid `as` fetches nothing
      Resource r = make(*as, "link");
      r.crossorigin = *as == Destination::font || crossorigin;
      r.conditional = !is_default_media(attr(e, "media"));
      if (*as == Destination::image) {
        image_set(href, attr(e, "imagesrcset"), r);
      } else {
        add(h, r);
      }
      return;
    }
    if (has_token(*rel, "icon")) {
      add(h, make(Destination::image, "link"));
    } else if (has_token(*rel, "apple-touch-icon") || has_token(*rel, "apple-touch-icon-precomposed")) {
      Resource r = make(Destination::image, "link");
      r.conditional = true;  // fetched by iOS when the page is saved to the home screen, not to show the page
      add(h, r);
    }
  }

  void script(const GumboElement& e, bool in_head) {
    // Browsers that know modules skip nomodule scripts: a fallback for old ones, nothing to push.
    if (has_attr(e, "nomodule")) return;
    const ScriptKind kind = script_kind(e);
    if (kind == ScriptKind::not_fetched) return;
    const auto src = attr(e, "src");
    const bool render_blocking = has_token(attr(e, "blocking").value_or(""), "render");
    if (kind == ScriptKind::module) {
      if (!src) {
        add_inline(InlineBlock::Kind::module_script, text_content(e));
        return;
      }
      Resource r = make(Destination::module_script, "script");
      r.crossorigin = true;
      r.critical = render_blocking;
      add(*src, r);
      return;
    }
    if (!src) return;
    Resource r = make(Destination::script, "script");
    // A parser-inserted classic script without async or defer blocks the parser; in <head> nothing has been
    // rendered yet, so it blocks the first paint (render-blocking). In <body> it only delays what follows it.
    r.critical = (in_head && !has_attr(e, "async") && !has_attr(e, "defer")) || render_blocking;
    r.crossorigin = has_attr(e, "crossorigin");
    add(*src, r);
  }

  void img(const GumboNode* node) {
    const GumboElement& e = node->v.element;
    Resource r = make(Destination::image, "img");
    r.crossorigin = has_attr(e, "crossorigin");
    r.conditional = lower_trim(attr(e, "loading").value_or("")) == "lazy" || is_picture_fallback(node);
    image_set(attr(e, "src"), attr(e, "srcset"), r);
  }

  // The <img> of a <picture> is only a fallback when an earlier <source> without `media` exists: such a source
  // wins in every browser that supports its type. With media-only sources (art direction, a dark variant) the
  // <img> is what a default screen shows.
  static bool is_picture_fallback(const GumboNode* img) {
    const GumboNode* parent = img->parent;
    if (!is_picture(parent)) return false;
    const GumboVector& siblings = parent->v.element.children;
    for (unsigned int i = 0; i < siblings.length && i < img->index_within_parent; ++i) {
      const auto* sibling = static_cast<const GumboNode*>(siblings.data[i]);
      if (!is_html(sibling, GUMBO_TAG_SOURCE)) continue;
      const GumboElement& s = sibling->v.element;
      const auto srcset = attr(s, "srcset");
      if (srcset && !trim(*srcset).empty() && !attr(s, "media")) return true;
    }
    return false;
  }

  void source(const GumboNode* node) {
    // <source src> of <video> and <audio> is media we do not push; <source srcset> counts only in a <picture>.
    if (!is_picture(node->parent)) return;
    const auto srcset = attr(node->v.element, "srcset");
    if (!srcset) return;
    Resource r = make(Destination::image, "source");
    r.conditional = true;  // chosen by media, type, viewport and density
    r.crossorigin = has_attr(node->v.element, "crossorigin");
    for (const SrcsetCandidate& c : parse_srcset(*srcset, options_.max_srcset_candidates)) add(c.url, r);
  }

  void video(const GumboElement& e) {
    if (const auto poster = attr(e, "poster")) add(*poster, make(Destination::image, "video"));
  }

  void style_element(const GumboElement& e) {
    if (!is_css_type(attr(e, "type"))) return;
    add_inline(InlineBlock::Kind::style_element, text_content(e));
  }

  // Only declarations that can name a file are worth the CSS scanner's time: url(), image-set() with strings, or
  // escapes that could spell either.
  void style_attribute(std::string_view value) {
    if (icontains(value, "url") || icontains(value, "image-set") || value.find('\\') != std::string_view::npos) {
      add_inline(InlineBlock::Kind::style_attribute, std::string{value});
    }
  }

  const Url& page_;
  const HtmlOptions& options_;
  HtmlDiscovery& out_;
  std::unordered_map<std::string, std::size_t> index_;  // path -> position in out_.resources
  std::size_t inline_bytes_ = 0;
};

// --- nesting guard ---------------------------------------------------------------------------------------------

bool is_tag_name_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == ':';
}

bool name_in(std::string_view name, std::initializer_list<std::string_view> names) {
  for (const std::string_view n : names) {
    if (iequals(name, n)) return true;
  }
  return false;
}

// Elements that never stay open: void elements, and those whose end tag may be (and usually is) omitted because
// the next sibling closes them (HTML §13.1.2.4, optional tags).
bool never_nests(std::string_view name) {
  return name_in(name,
                 {"area",   "base",  "br",  "col",    "embed",    "hr",       "img",      "input",   "link",  "meta",
                  "source", "track", "wbr", "param",  "keygen",   "frame",    "basefont", "bgsound", "image", "p",
                  "li",     "dt",    "dd",  "option", "optgroup", "tr",       "td",       "th",      "thead", "tbody",
                  "tfoot",  "rb",    "rt",  "rtc",    "rp",       "colgroup", "caption",  "html",    "head",  "body"});
}

// Elements whose content is text up to their end tag: tags inside them open nothing.
bool is_raw_text(std::string_view name) {
  return name_in(name, {"script", "style", "textarea", "title", "xmp", "iframe", "noembed", "noframes", "noscript"});
}

std::size_t ifind(std::string_view haystack, std::string_view needle, std::size_t from) {
  for (std::size_t i = from; i + needle.size() <= haystack.size(); ++i) {
    if (iequals(haystack.substr(i, needle.size()), needle)) return i;
  }
  return std::string_view::npos;
}

// The offset of the start tag that would make the estimated depth of open elements exceed `max_depth`, or
// html.size(). An estimate, not a parser: start tags of elements that nest count up, end tags count down.
std::size_t nesting_cut(std::string_view html, std::size_t max_depth) {
  std::size_t depth = 0;
  std::size_t i = 0;
  while (true) {
    i = html.find('<', i);
    if (i == std::string_view::npos) return html.size();
    const std::size_t tag_start = i;
    if (html.substr(i, 4) == "<!--") {
      const std::size_t end = html.find("-->", i + 4);
      if (end == std::string_view::npos) return html.size();
      i = end + 3;
      continue;
    }
    const bool end_tag = i + 1 < html.size() && html[i + 1] == '/';
    std::size_t name_start = i + (end_tag ? 2 : 1);
    std::size_t name_end = name_start;
    while (name_end < html.size() && is_tag_name_char(html[name_end])) ++name_end;
    if (name_end == name_start) {
      i = name_start;
      continue;
    }
    const std::string_view name = html.substr(name_start, name_end - name_start);
    // The end of the tag, past quoted attribute values.
    i = name_end;
    char quote = 0;
    while (i < html.size() && (quote != 0 || html[i] != '>')) {
      if (quote != 0 && html[i] == quote) {
        quote = 0;
      } else if (quote == 0 && (html[i] == '"' || html[i] == '\'')) {
        quote = html[i];
      }
      ++i;
    }
    if (i == html.size()) return html.size();
    const bool self_closing = html[i - 1] == '/';
    ++i;
    if (end_tag) {
      if (!never_nests(name) && depth > 0) --depth;
      continue;
    }
    if (is_raw_text(name)) {
      std::string closing = "</";
      closing.append(name);
      const std::size_t end = ifind(html, closing, i);
      if (end == std::string_view::npos) return html.size();
      i = end + closing.size();  // past "</name": its end tag closes what its start tag never counted
      continue;
    }
    if (self_closing || never_nests(name)) continue;
    if (++depth > max_depth) return tag_start;
  }
}

// HTML §2.4.1 "document base URL": the first <base> with an href in tree order, resolved against the page URL;
// a failure or a data:/javascript: result falls back to the page URL (HTML §4.2.3, "set the frozen base URL").
Url document_base(const GumboNode* root, const Url& page) {
  std::optional<std::string_view> href;
  walk(root, [&](const GumboNode* node, bool) {
    if (!href && is_html(node, GUMBO_TAG_BASE)) href = attr(node->v.element, "href");
  });
  if (!href) return page;
  auto resolved = resolve(page, *href);
  return resolved ? std::move(*resolved) : page;
}

}  // namespace

Result<HtmlDiscovery, HtmlError> discover_html(std::string_view html, const Url& page, const HtmlOptions& options) {
  if (html.size() > options.max_document_bytes) return Unexpected{HtmlError::html_too_large};
  HtmlDiscovery out;
  if (const std::size_t cut = nesting_cut(html, options.max_nesting_depth); cut < html.size()) {
    html = html.substr(0, cut);
    out.truncated = true;
  }
  // Gumbo reads exactly html.size() bytes; an empty view may have a null data().
  const char* bytes = html.empty() ? "" : html.data();
  const GumboTree tree{gumbo_parse_with_options(&kGumboDefaultOptions, bytes, html.size())};
  out.base = document_base(tree->document, page);
  Collector collector{page, options, out};
  walk(tree->document, [&](const GumboNode* node, bool in_head) { collector.element(node, in_head); });
  return out;
}

Result<HtmlDiscovery, HtmlError> discover_html(std::string_view html, std::string_view page_url,
                                               const HtmlOptions& options) {
  auto page = parse_url(page_url);
  if (!page) return Unexpected{HtmlError::bad_page_url};
  return discover_html(html, *page, options);
}

}  // namespace h2push::push
