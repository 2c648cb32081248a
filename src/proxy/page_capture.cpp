// src/proxy/page_capture.cpp
#include "proxy/page_capture.hpp"

#include <algorithm>
#include <array>

#include "proxy/ascii.hpp"

namespace h2push::proxy {
namespace {

constexpr std::array<std::string_view, 2> kMarkers = {"</head", "<body"};
constexpr std::size_t kLongestMarker = 6;

// Whether `c` may follow a tag name ("</head>", "<body class=x>", "<body/>"): not "</header>".
bool ends_tag_name(char c) {
  return c == '>' || c == '/' || c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f';
}

// The offset of the first marker in `text` at or after `from` whose tag name ends there, else npos. A marker at the
// very end of `text` is not taken yet: the next chunk tells.
std::size_t find_marker(std::string_view text, std::size_t from) {
  std::size_t best = std::string_view::npos;
  for (const std::string_view marker : kMarkers) {
    for (std::size_t at = from; at < text.size();) {
      const auto it = std::search(text.begin() + static_cast<std::ptrdiff_t>(at), text.end(), marker.begin(),
                                  marker.end(), [](char a, char b) { return ascii::lower(a) == b; });
      if (it == text.end()) break;
      const auto pos = static_cast<std::size_t>(it - text.begin());
      if (pos + marker.size() < text.size() && ends_tag_name(text[pos + marker.size()])) {
        best = std::min(best, pos);
        break;
      }
      at = pos + 1;
    }
  }
  return best;
}

}  // namespace

bool PageCapture::append(std::string_view chunk) {
  if (overflowed_) return false;
  const std::size_t room = cap_ - text_.size();
  text_.append(chunk.substr(0, room));
  bool found_now = false;
  if (!head_seen()) {
    head_end_ = find_marker(text_, scanned_);
    found_now = head_seen();
    // A marker may straddle this chunk and the next, or end exactly here: rescan the last few octets.
    scanned_ = text_.size() > kLongestMarker ? text_.size() - kLongestMarker : 0;
  }
  if (chunk.size() > room) {
    overflowed_ = true;
    text_.resize(head_seen() ? head_end_ : 0);
    text_.shrink_to_fit();
  }
  return found_now;
}

std::string_view PageCapture::head() const noexcept {
  return head_seen() ? std::string_view(text_).substr(0, head_end_) : std::string_view();
}

}  // namespace h2push::proxy
