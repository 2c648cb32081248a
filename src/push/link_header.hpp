// src/push/link_header.hpp: `Link` header field values (RFC 8288 §3) in both directions: reading the
// `rel=preload` links a handler or an upstream already names (h2o's model: push what the application hints), and
// writing the lines of a 103 Early Hints response (RFC 8297) for discovered resources. Pure functions.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "push/resource.hpp"
#include "push/url.hpp"

namespace h2push::push {

// One link-param: `name` ASCII-lower-cased; `value` unquoted (quoted-pairs undone), nullopt for a bare name
// ("nopush", "crossorigin").
struct LinkParam {
  std::string name;
  std::optional<std::string> value;

  friend bool operator==(const LinkParam&, const LinkParam&) = default;
};

// One link-value. The well-known parameters are lifted out for convenience; `params` keeps every parameter as
// written, in order, including repeats (of which RFC 8288 §3.3 honours only the first `rel`; we do the same for
// every lifted parameter).
struct Link {
  std::string target;                      // the URI-Reference between '<' and '>', as written, unresolved
  std::vector<std::string> rel;            // relation types, ASCII-lower-cased, from the first rel only
  std::string as;                          // first `as`, ASCII-lower-cased; empty when absent
  std::optional<std::string> crossorigin;  // first `crossorigin`: "" when bare, else its value
  bool nopush = false;                     // hint it, do not push it (a `nopush` parameter is present)
  std::vector<LinkParam> params;

  bool has_rel(std::string_view relation) const;                       // `relation` in lower case
  std::optional<std::string_view> param(std::string_view name) const;  // first value of `name` (lower case)

  friend bool operator==(const Link&, const Link&) = default;
};

struct ParsedLinks {
  std::vector<Link> links;    // the well-formed link-values, in order
  std::size_t malformed = 0;  // link-values skipped as malformed (no <target>, stray bytes, unterminated quote)
};

// Parses one Link field value, a comma-separated list of link-values:
//   link-value = "<" URI-Reference ">" *( OWS ";" OWS link-param )
//   link-param = token BWS [ "=" BWS ( token / quoted-string ) ]
// Commas inside <...> and inside quoted strings belong to the link-value; empty list elements are skipped. A
// malformed link-value is skipped up to the next top-level comma and counted, and parsing goes on: a single bad
// entry from a handler or upstream must not hide the good ones. Being lenient where practice is (as h2o is), an
// unquoted value may hold any visible ASCII other than ';', ',' and '"' (`type=text/css`). Several `Link` field
// lines are parsed one at a time (or joined with ", ", RFC 9110 §5.3).
[[nodiscard]] ParsedLinks parse_link_header(std::string_view value);

// The Link field value naming `resource` in a 103 Early Hints response, or nullopt when its destination has no
// preload form (document, other):
//   </css/main.css>; rel=preload; as=style
//   </fonts/dots.woff>; rel=preload; as=font; crossorigin
//   </js/app.js>; rel=modulepreload                        (CORS is implied by modulepreload)
// `crossorigin` is added for fonts and whenever resource.crossorigin is set (except for modulepreload); `nopush`
// is appended when asked, to hint without push. Bytes that may not appear between '<' and '>' or in a field value
// (controls, space, '<', '>', non-ASCII) are percent-encoded; a path made by resolve() contains none.
[[nodiscard]] std::optional<std::string> format_link(const Resource& resource, bool nopush = false);

// The resource a `rel=preload` (with an `as` we preload) or `rel=modulepreload` link names, its target resolved
// against `base` and kept only if it has the origin of `page`; nullopt otherwise (another relation, a missing or
// unknown `as`, a cross-origin or unsupported target). The result has source "link-header", level 1, is not
// critical, is conditional when the link carries `media` or `imagesrcset`, and is crossorigin as
// its destination requires or its `crossorigin` parameter asks. Link.nopush is left for the caller to honour.
[[nodiscard]] std::optional<Resource> preload_from_link(const Link& link, const Url& page, const Url& base);

}  // namespace h2push::push
