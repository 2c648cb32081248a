// src/http1/section_scanner.cpp
#include "http1/section_scanner.hpp"

#include <cstring>
#include <string_view>

namespace h2push::http1::detail {

void SectionScanner::start(const SectionLimits& limits) {
  limits_ = limits;
  line_start_ = 0;
  start_line_done_ = !limits.has_start_line;
  empty_lines_ = 0;
  fields_ = 0;
  fields_size_ = 0;
}

ScanResult SectionScanner::feed(std::span<const std::byte> in, std::string& text) {
  ScanResult result;
  std::size_t pos = 0;
  while (pos < in.size()) {
    const auto* begin = reinterpret_cast<const char*>(in.data()) + pos;
    const std::size_t avail = in.size() - pos;
    const auto* newline = static_cast<const char*>(std::memchr(begin, '\n', avail));
    const std::size_t take = newline != nullptr ? static_cast<std::size_t>(newline - begin) + 1 : avail;

    // Limits are checked before copying, so a line that never ends costs at most the limit (+ CRLF).
    const std::size_t line_so_far = text.size() - line_start_ + take;
    const std::size_t ending = newline != nullptr ? 2 : 1;  // CR LF may follow the content; a lone CR may be pending
    if (!start_line_done_) {
      if (line_so_far > limits_.max_start_line + ending) {
        result.error = limits_.start_line_too_long;
        return result;
      }
    } else {
      if (line_so_far > limits_.max_field_line + ending) {
        result.error = ParseError::field_line_too_long;
        return result;
      }
      if (fields_size_ + line_so_far > limits_.max_fields_size + 2) {  // + the final empty line
        result.error = limits_.fields_too_large;
        return result;
      }
    }

    text.append(begin, take);
    pos += take;
    result.consumed = pos;
    if (newline == nullptr) break;
    bool complete = false;
    if (auto error = end_line(text, complete)) {
      result.error = error;
      return result;
    }
    if (complete) {
      result.complete = true;
      return result;
    }
  }
  return result;
}

std::optional<ParseError> SectionScanner::end_line(std::string& text, bool& complete) {
  const std::size_t newline = text.size() - 1;
  const bool has_cr = newline > line_start_ && text[newline - 1] == '\r';
  // RFC 9112 §2.2: a recipient MAY accept a bare LF; we do only when configured.
  if (!has_cr && !limits_.accept_bare_lf) return ParseError::bare_lf;
  const std::size_t content_end = has_cr ? newline - 1 : newline;
  const std::string_view line(text.data() + line_start_, content_end - line_start_);
  if (line.find('\0') != std::string_view::npos) return ParseError::nul_byte;
  // RFC 9112 §2.2: a bare CR MUST be rejected or replaced; we reject (smuggling).
  if (line.find('\r') != std::string_view::npos) return ParseError::bare_cr;

  if (!start_line_done_) {
    if (line.empty()) {  // an empty line before the start line (RFC 9112 §2.2)
      if (++empty_lines_ > kMaxLeadingEmptyLines) return ParseError::too_many_empty_lines;
      text.erase(line_start_);
      return std::nullopt;
    }
    if (line.size() > limits_.max_start_line) return limits_.start_line_too_long;
    start_line_done_ = true;
    line_start_ = text.size();
    return std::nullopt;
  }
  if (line.empty()) {
    complete = true;
    return std::nullopt;
  }
  if (line.size() > limits_.max_field_line) return ParseError::field_line_too_long;
  if (++fields_ > limits_.max_fields) return ParseError::too_many_fields;
  fields_size_ += text.size() - line_start_;
  if (fields_size_ > limits_.max_fields_size) return limits_.fields_too_large;
  line_start_ = text.size();
  return std::nullopt;
}

}  // namespace h2push::http1::detail
