// src/push/css_tokenizer.cpp: CSS Syntax Level 3 §4 tokenization, section by section.
#include "push/css_tokenizer.hpp"

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace h2push::push {
namespace {

constexpr int kEof = -1;
constexpr std::uint32_t kReplacement = 0xFFFD;
constexpr std::size_t kMaxHexDigits = 6;  // §4.3.7

bool is_digit(int c) { return c >= '0' && c <= '9'; }
bool is_hex_digit(int c) { return is_digit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'); }
int hex_value(int c) {
  if (is_digit(c)) return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  return c - 'A' + 10;
}
bool is_letter(int c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
// §4.2: CR and FF are newlines before preprocessing folds them into LF.
bool is_newline(int c) { return c == '\n' || c == '\r' || c == '\f'; }
bool is_whitespace(int c) { return is_newline(c) || c == '\t' || c == ' '; }
// Every byte of a multi-byte UTF-8 sequence is >= 0x80, so "non-ASCII code point" can be judged byte by byte; NUL
// counts too, as preprocessing (§3.3) turns it into U+FFFD.
bool is_ident_start(int c) { return is_letter(c) || c >= 0x80 || c == '_' || c == 0; }
bool is_ident_char(int c) { return is_ident_start(c) || is_digit(c) || c == '-'; }
bool is_non_printable(int c) { return (c >= 1 && c <= 0x08) || c == 0x0B || (c >= 0x0E && c <= 0x1F) || c == 0x7F; }

// Appends one input byte, with NUL replaced as preprocessing (§3.3) would.
void append_byte(std::string& out, int c) {
  if (c == 0) {
    append_utf8(out, kReplacement);
  } else {
    out.push_back(static_cast<char>(static_cast<unsigned char>(c)));
  }
}

}  // namespace

void append_utf8(std::string& out, std::uint32_t code_point) {
  if ((code_point >= 0xD800 && code_point <= 0xDFFF) || code_point > 0x10FFFF) code_point = kReplacement;
  auto put = [&out](std::uint32_t byte) { out.push_back(static_cast<char>(static_cast<unsigned char>(byte))); };
  if (code_point < 0x80) {
    put(code_point);
  } else if (code_point < 0x800) {
    put(0xC0 | (code_point >> 6));
    put(0x80 | (code_point & 0x3F));
  } else if (code_point < 0x10000) {
    put(0xE0 | (code_point >> 12));
    put(0x80 | ((code_point >> 6) & 0x3F));
    put(0x80 | (code_point & 0x3F));
  } else {
    put(0xF0 | (code_point >> 18));
    put(0x80 | ((code_point >> 12) & 0x3F));
    put(0x80 | ((code_point >> 6) & 0x3F));
    put(0x80 | (code_point & 0x3F));
  }
}

bool equals_ignoring_ascii_case(std::string_view text, std::string_view lower) {
  if (text.size() != lower.size()) return false;
  for (std::size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    if (c != lower[i]) return false;
  }
  return true;
}

int CssTokenizer::peek(std::size_t ahead) const {
  const std::size_t at = pos_ + ahead;
  if (at >= input_.size()) return kEof;
  return static_cast<unsigned char>(input_[at]);
}

// §4.3.8: a backslash not followed by a newline (a backslash at the end of input is valid and yields U+FFFD).
bool CssTokenizer::valid_escape_at(std::size_t ahead) const {
  return peek(ahead) == '\\' && !is_newline(peek(ahead + 1));
}

// §4.3.9: would the three code points from `ahead` start an ident sequence?
bool CssTokenizer::starts_ident_sequence_at(std::size_t ahead) const {
  const int first = peek(ahead);
  if (first == '-') {
    const int second = peek(ahead + 1);
    return is_ident_start(second) || second == '-' || valid_escape_at(ahead + 1);
  }
  if (is_ident_start(first)) return true;
  return valid_escape_at(ahead);
}

// §4.3.10: would the three code points from `ahead` start a number?
bool CssTokenizer::starts_number_at(std::size_t ahead) const {
  const int first = peek(ahead);
  if (first == '+' || first == '-') {
    const int second = peek(ahead + 1);
    return is_digit(second) || (second == '.' && is_digit(peek(ahead + 2)));
  }
  if (first == '.') return is_digit(peek(ahead + 1));
  return is_digit(first);
}

// CRLF is one newline (§3.3).
void CssTokenizer::consume_newline() {
  if (peek() == '\r' && peek(1) == '\n') ++pos_;
  ++pos_;
}

void CssTokenizer::consume_whitespace() {
  while (is_whitespace(peek())) ++pos_;
}

// §4.3.2: an unterminated comment runs to the end of the input.
void CssTokenizer::consume_comments() {
  while (peek() == '/' && peek(1) == '*') {
    const std::size_t end = input_.find("*/", pos_ + 2);
    pos_ = end == std::string_view::npos ? input_.size() : end + 2;
  }
}

// §4.3.7, with the backslash already consumed and known not to start a newline.
void CssTokenizer::append_escaped(std::string& out) {
  const int c = peek();
  if (c == kEof) {
    append_utf8(out, kReplacement);
    return;
  }
  if (!is_hex_digit(c)) {
    append_byte(out, c);
    ++pos_;
    return;
  }
  std::uint32_t value = 0;
  for (std::size_t digits = 0; digits < kMaxHexDigits && is_hex_digit(peek()); ++digits) {
    value = value * 16 + static_cast<std::uint32_t>(hex_value(peek()));
    ++pos_;
  }
  if (is_whitespace(peek())) consume_newline();  // one whitespace code point, CRLF counting as one
  append_utf8(out, value == 0 ? kReplacement : value);
}

// §4.3.11.
std::string CssTokenizer::consume_ident_sequence() {
  std::string out;
  for (;;) {
    const int c = peek();
    if (is_ident_char(c)) {
      append_byte(out, c);
      ++pos_;
    } else if (valid_escape_at(0)) {
      ++pos_;
      append_escaped(out);
    } else {
      return out;
    }
  }
}

// §4.3.12, keeping no value.
void CssTokenizer::consume_number() {
  if (peek() == '+' || peek() == '-') ++pos_;
  while (is_digit(peek())) ++pos_;
  if (peek() == '.' && is_digit(peek(1))) {
    pos_ += 2;
    while (is_digit(peek())) ++pos_;
  }
  if (peek() == 'e' || peek() == 'E') {
    const int sign = peek(1);
    const std::size_t digit_at = (sign == '+' || sign == '-') ? 2 : 1;
    if (is_digit(peek(digit_at))) {
      pos_ += digit_at + 1;
      while (is_digit(peek())) ++pos_;
    }
  }
}

// §4.3.3.
CssToken CssTokenizer::consume_numeric(std::size_t start) {
  consume_number();
  if (starts_ident_sequence_at(0)) return {CssTokenType::dimension, consume_ident_sequence(), start};
  if (peek() == '%') {
    ++pos_;
    return {CssTokenType::percentage, {}, start};
  }
  return {CssTokenType::number, {}, start};
}

// §4.3.4: url( followed by a quote is a function token whose string argument comes as its own token.
CssToken CssTokenizer::consume_ident_like(std::size_t start) {
  std::string name = consume_ident_sequence();
  if (peek() != '(') return {CssTokenType::ident, std::move(name), start};
  ++pos_;
  if (!equals_ignoring_ascii_case(name, "url")) return {CssTokenType::function, std::move(name), start};
  while (is_whitespace(peek()) && is_whitespace(peek(1))) ++pos_;
  const int next = peek();
  const int after = peek(1);
  if (next == '"' || next == '\'' || (is_whitespace(next) && (after == '"' || after == '\''))) {
    return {CssTokenType::function, std::move(name), start};
  }
  return consume_url(start);
}

// §4.3.5.
CssToken CssTokenizer::consume_string(int ending, std::size_t start) {
  CssToken token{CssTokenType::string, {}, start};
  for (;;) {
    const int c = peek();
    if (c == ending) {
      ++pos_;
      return token;
    }
    if (c == kEof) return token;
    if (is_newline(c)) {  // not consumed: it becomes the next whitespace token
      token.type = CssTokenType::bad_string;
      return token;
    }
    ++pos_;
    if (c == '\\') {
      const int escaped = peek();
      if (escaped == kEof) continue;
      if (is_newline(escaped)) {
        consume_newline();  // a line continuation
      } else {
        append_escaped(token.value);
      }
      continue;
    }
    append_byte(token.value, c);
  }
}

// §4.3.6, after "url(".
CssToken CssTokenizer::consume_url(std::size_t start) {
  CssToken token{CssTokenType::url, {}, start};
  consume_whitespace();
  for (;;) {
    const int c = peek();
    if (c == ')') {
      ++pos_;
      return token;
    }
    if (c == kEof) return token;
    if (is_whitespace(c)) {
      consume_whitespace();
      if (peek() == ')') {
        ++pos_;
        return token;
      }
      if (peek() == kEof) return token;
      consume_bad_url_remnants();
      return {CssTokenType::bad_url, {}, start};
    }
    if (c == '"' || c == '\'' || c == '(' || is_non_printable(c)) {
      consume_bad_url_remnants();
      return {CssTokenType::bad_url, {}, start};
    }
    if (c == '\\') {
      if (!valid_escape_at(0)) {
        consume_bad_url_remnants();
        return {CssTokenType::bad_url, {}, start};
      }
      ++pos_;
      append_escaped(token.value);
      continue;
    }
    append_byte(token.value, c);
    ++pos_;
  }
}

// §4.3.14: skips to the ")" that ends the bad url, stepping over escapes so that "\)" does not end it.
void CssTokenizer::consume_bad_url_remnants() {
  for (;;) {
    const int c = peek();
    if (c == kEof) return;
    if (c == ')') {
      ++pos_;
      return;
    }
    if (valid_escape_at(0)) {
      ++pos_;
      std::string ignored;
      append_escaped(ignored);
      continue;
    }
    ++pos_;
  }
}

// §4.3.1.
CssToken CssTokenizer::next() {
  consume_comments();
  const std::size_t start = pos_;
  const int c = peek();
  if (c == kEof) return {CssTokenType::eof, {}, start};
  if (is_whitespace(c)) {
    consume_whitespace();
    return {CssTokenType::whitespace, {}, start};
  }
  if (c == '"' || c == '\'') {
    ++pos_;
    return consume_string(c, start);
  }
  if (is_digit(c)) return consume_numeric(start);
  if (is_ident_start(c)) return consume_ident_like(start);
  auto single = [this, start](CssTokenType type) {
    ++pos_;
    return CssToken{type, {}, start};
  };
  auto delim = [this, start, c]() {
    ++pos_;
    CssToken token{CssTokenType::delim, {}, start};
    append_byte(token.value, c);
    return token;
  };
  switch (c) {
    case '#':
      if (is_ident_char(peek(1)) || valid_escape_at(1)) {
        ++pos_;
        return {CssTokenType::hash, consume_ident_sequence(), start};
      }
      return delim();
    case '(':
      return single(CssTokenType::open_paren);
    case ')':
      return single(CssTokenType::close_paren);
    case '[':
      return single(CssTokenType::open_square);
    case ']':
      return single(CssTokenType::close_square);
    case '{':
      return single(CssTokenType::open_curly);
    case '}':
      return single(CssTokenType::close_curly);
    case ',':
      return single(CssTokenType::comma);
    case ':':
      return single(CssTokenType::colon);
    case ';':
      return single(CssTokenType::semicolon);
    case '+':
    case '.':
      if (starts_number_at(0)) return consume_numeric(start);
      return delim();
    case '-':
      if (starts_number_at(0)) return consume_numeric(start);
      if (peek(1) == '-' && peek(2) == '>') {
        pos_ += 3;
        return {CssTokenType::cdc, {}, start};
      }
      if (starts_ident_sequence_at(0)) return consume_ident_like(start);
      return delim();
    case '<':
      if (peek(1) == '!' && peek(2) == '-' && peek(3) == '-') {
        pos_ += 4;
        return {CssTokenType::cdo, {}, start};
      }
      return delim();
    case '@':
      if (starts_ident_sequence_at(1)) {
        ++pos_;
        return {CssTokenType::at_keyword, consume_ident_sequence(), start};
      }
      return delim();
    case '\\':
      if (valid_escape_at(0)) return consume_ident_like(start);
      return delim();
    default:
      return delim();
  }
}

}  // namespace h2push::push
