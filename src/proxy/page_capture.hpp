// src/proxy/page_capture.hpp: a copy of an HTML page as it streams through the proxy, bounded, that also tells the
// moment the document's head has passed. Gumbo (push::discover_html) is not incremental, so this is not an
// incremental parser: it watches the stream for the end of the head ("</head" or "<body", any case, across chunk
// boundaries) so the caller can parse that prefix at once, and keeps the head even when the whole page exceeds the
// cap. It never holds bytes back: the caller forwards each chunk first and hands it here afterwards.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace h2push::proxy {

class PageCapture {
 public:
  explicit PageCapture(std::size_t cap) : cap_(cap) {}

  // Copies `chunk` (as much as fits under the cap). Returns true exactly once: for the chunk in which the end of
  // the head first appears within the first `cap` octets.
  bool append(std::string_view chunk);

  // Whether the whole page fit under the cap (else only the head, if it was seen, is kept).
  bool complete() const noexcept { return !overflowed_; }
  bool head_seen() const noexcept { return head_end_ != std::string::npos; }
  // The document up to the end of its head (before "</head" or "<body"); empty until head_seen().
  std::string_view head() const noexcept;
  // The whole page while complete(); the head alone once the cap was passed (empty if the head was not seen).
  std::string_view text() const noexcept { return text_; }

 private:
  std::size_t cap_;
  std::string text_;
  std::size_t scanned_ = 0;  // text_ before this offset holds no marker
  std::size_t head_end_ = std::string::npos;
  bool overflowed_ = false;
};

}  // namespace h2push::proxy
