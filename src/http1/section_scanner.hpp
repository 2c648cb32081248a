// src/http1/section_scanner.hpp: finds the end of a message head or trailer section (RFC 9112 §2.1, §5, §7.1.2)
// across any number of input pieces, copying the section into caller-owned text and enforcing the size limits
// before anything is parsed. Line endings, NUL and bare CR are judged here, once per line.
#pragma once

#include <cstddef>
#include <optional>
#include <span>
#include <string>

#include "h2push/http1/types.hpp"

namespace h2push::http1::detail {

struct SectionLimits {
  bool has_start_line = true;  // a request (or status) line comes first; false: a trailer section
  std::size_t max_start_line = 8 * 1024;
  std::size_t max_field_line = 8 * 1024;
  std::size_t max_fields_size = 64 * 1024;  // field lines with their line endings
  std::size_t max_fields = 100;
  bool accept_bare_lf = false;
  ParseError start_line_too_long = ParseError::request_line_too_long;
  ParseError fields_too_large = ParseError::field_section_too_large;
};

struct ScanResult {
  std::size_t consumed = 0;  // input octets copied into the text
  bool complete = false;     // the empty line ending the section was reached (and consumed)
  std::optional<ParseError> error;
};

// Stops right after the section's empty line, so what follows (a body, the next request) stays in the input.
// Empty lines before a start line are skipped (RFC 9112 §2.2 SHOULD), at most kMaxLeadingEmptyLines of them.
class SectionScanner {
 public:
  static constexpr std::size_t kMaxLeadingEmptyLines = 8;

  void start(const SectionLimits& limits);
  // Appends the section's octets from `in` to `text` (which holds the section so far and nothing else).
  ScanResult feed(std::span<const std::byte> in, std::string& text);
  // True once an octet of the section other than a skipped empty line was seen.
  bool started(const std::string& text) const noexcept { return !text.empty(); }

 private:
  // Judges the line ending at the last octet of `text` ('\n'); true when the section is complete.
  std::optional<ParseError> end_line(std::string& text, bool& complete);

  SectionLimits limits_;
  std::size_t line_start_ = 0;  // offset in the text of the line being read
  bool start_line_done_ = false;
  std::size_t empty_lines_ = 0;
  std::size_t fields_ = 0;
  std::size_t fields_size_ = 0;
};

}  // namespace h2push::http1::detail
