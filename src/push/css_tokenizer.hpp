// src/push/css_tokenizer.hpp: a CSS tokenizer after CSS Syntax Level 3 §4, for resource discovery.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace h2push::push {

// The token types of CSS Syntax Level 3 §4. <number>, <percentage> and <dimension> keep no numeric value: discovery
// never needs one.
enum class CssTokenType : std::uint8_t {
  ident,
  function,    // value: the function name, without "("
  at_keyword,  // value: the name, without "@"
  hash,        // value: the name, without "#"
  string,      // value: the contents, escapes decoded
  bad_string,  // an unescaped newline ended the string; value holds what came before it
  url,         // value: the URL of an unquoted url(...), escapes decoded, surrounding whitespace removed
  bad_url,     // value is empty; the tokenizer skipped to the closing ")" (§4.3.14)
  delim,       // value: the one code point, UTF-8
  number,
  percentage,
  dimension,  // value: the unit
  whitespace,
  cdo,  // <!--
  cdc,  // -->
  colon,
  semicolon,
  comma,
  open_square,
  close_square,
  open_paren,
  close_paren,
  open_curly,
  close_curly,
  eof,
};

struct CssToken {
  CssTokenType type = CssTokenType::eof;
  std::string value;       // decoded; see CssTokenType for what each type keeps
  std::size_t offset = 0;  // byte offset of the token's first code point in the input
};

// Streams tokens out of a style sheet. Comments are consumed and produce no token (§4.3.2). The input is taken as
// UTF-8 (bytes >= 0x80 are name code points, as every non-ASCII code point is); CR, FF and CRLF count as one newline
// and NUL as U+FFFD, as preprocessing (§3.3) would make them. Never fails: malformed input yields bad-string,
// bad-url or delim tokens as the specification says. Each call does work proportional to the bytes it consumes.
class CssTokenizer {
 public:
  // `input` must outlive the tokenizer.
  explicit CssTokenizer(std::string_view input) : input_(input) {}

  // The next token; after the end of input, an eof token on every call.
  CssToken next();

 private:
  int peek(std::size_t ahead = 0) const;  // byte at pos_ + ahead, or -1 past the end
  bool valid_escape_at(std::size_t ahead) const;
  bool starts_ident_sequence_at(std::size_t ahead) const;
  bool starts_number_at(std::size_t ahead) const;
  void consume_newline();
  void consume_whitespace();
  void consume_comments();
  void append_escaped(std::string& out);  // after the backslash
  std::string consume_ident_sequence();
  void consume_number();
  CssToken consume_numeric(std::size_t start);
  CssToken consume_ident_like(std::size_t start);
  CssToken consume_string(int ending, std::size_t start);
  CssToken consume_url(std::size_t start);
  void consume_bad_url_remnants();

  std::string_view input_;
  std::size_t pos_ = 0;
};

// Appends `code_point` to `out` in UTF-8; surrogates and values above U+10FFFF become U+FFFD.
void append_utf8(std::string& out, std::uint32_t code_point);

// ASCII case-insensitive equality, as CSS compares keywords; `lower` must already be lower case.
bool equals_ignoring_ascii_case(std::string_view text, std::string_view lower);

}  // namespace h2push::push
