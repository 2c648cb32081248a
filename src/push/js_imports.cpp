// src/push/js_imports.cpp: a JavaScript tokenizer that knows just enough (strings, comments, templates, regular
// expressions, braces) to find import specifiers without being fooled, and the state machine that reads them.
#include "push/js_imports.hpp"

#include <cstddef>
#include <cstdint>
#include <initializer_list>
#include <iterator>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

namespace h2push::push {
namespace {

constexpr int kEof = -1;

enum class TokenKind : std::uint8_t {
  identifier,      // identifiers and keywords, private names (#x) included
  string,          // value: decoded
  template_whole,  // a template literal without substitutions; value: decoded
  template_head,   // `...${ or }...${ : a template that continues after an expression
  template_tail,   // }...` : the end of a template with substitutions
  regex,
  number,
  punctuator,
  end,
};

struct Token {
  TokenKind kind = TokenKind::end;
  std::string_view text;  // the source text (for punctuators and identifiers)
  std::string value;      // string and template_whole only
  std::size_t offset = 0;
};

bool is_digit(int c) { return c >= '0' && c <= '9'; }
bool is_hex_digit(int c) { return is_digit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'); }
int hex_value(int c) {
  if (is_digit(c)) return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  return c - 'A' + 10;
}
// Non-ASCII bytes are taken as identifier parts: the only non-ASCII code points that are not are spaces and line
// terminators, and missing those costs nothing here.
bool is_identifier_part(int c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || is_digit(c) || c == '$' || c == '_' || c >= 0x80 ||
         c == '\\';
}
bool is_identifier_start(int c) { return is_identifier_part(c) && !is_digit(c); }
bool is_line_terminator(int c) { return c == '\n' || c == '\r'; }
bool is_space(int c) { return c == ' ' || c == '\t' || c == '\v' || c == '\f' || is_line_terminator(c); }

void append_utf8(std::string& out, std::uint32_t code_point) {
  if ((code_point >= 0xD800 && code_point <= 0xDFFF) || code_point > 0x10FFFF) code_point = 0xFFFD;
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

bool is_one_of(std::string_view text, std::initializer_list<std::string_view> words) {
  for (std::string_view word : words) {
    if (text == word) return true;
  }
  return false;
}

// Keywords after which an expression, and so a regular expression literal, may start.
bool keyword_precedes_expression(std::string_view word) {
  return is_one_of(word, {"return", "typeof", "instanceof", "in", "of", "new", "delete", "void", "throw", "case", "do",
                          "else", "yield", "await", "extends"});
}

// What '{' opens; a template's ${ is kept on the same stack so its '}' returns to the template.
enum class Brace : std::uint8_t { block, expression, substitution };

class Lexer {
 public:
  explicit Lexer(std::string_view source) : source_(source) {
    if (source_.starts_with("#!")) skip_line();  // hashbang comment (ECMA-262 §12.5)
  }

  Token next() {
    skip_space_and_comments();
    const std::size_t start = pos_;
    const int c = peek();
    Token token;
    if (c == kEof) {
      token.offset = start;
      return token;
    }
    if (c == '"' || c == '\'') {
      token = lex_string(c);
    } else if (c == '`') {
      ++pos_;
      token = lex_template_continuation(start);
    } else if (c == '}' && !braces_.empty() && braces_.back() == Brace::substitution) {
      braces_.pop_back();
      ++pos_;
      token = lex_template_continuation(start);
    } else if (is_digit(c) || (c == '.' && is_digit(peek(1)))) {
      token = lex_number();
    } else if (is_identifier_start(c) || (c == '#' && is_identifier_start(peek(1)))) {
      ++pos_;
      while (is_identifier_part(peek())) ++pos_;
      token.kind = TokenKind::identifier;
    } else if (c == '/' && regex_allowed_) {
      lex_regex();
      token.kind = TokenKind::regex;
    } else {
      lex_punctuator();
      token.kind = TokenKind::punctuator;
    }
    token.offset = start;
    token.text = source_.substr(start, pos_ - start);
    after(token);
    return token;
  }

 private:
  int peek(std::size_t ahead = 0) const {
    const std::size_t at = pos_ + ahead;
    return at < source_.size() ? static_cast<unsigned char>(source_[at]) : kEof;
  }

  void skip_line() {
    while (peek() != kEof && !is_line_terminator(peek())) ++pos_;
  }

  void skip_space_and_comments() {
    for (;;) {
      const int c = peek();
      if (is_space(c)) {
        ++pos_;
      } else if (c == '/' && peek(1) == '/') {
        skip_line();
      } else if (c == '/' && peek(1) == '*') {
        const std::size_t end = source_.find("*/", pos_ + 2);
        pos_ = end == std::string_view::npos ? source_.size() : end + 2;
      } else {
        return;
      }
    }
  }

  // After a backslash in a string or template: decodes one escape sequence into `out` (ECMA-262 §12.9.4).
  void escape(std::string& out) {
    const int c = peek();
    if (c == kEof) return;
    ++pos_;
    switch (c) {
      case '\r':
        if (peek() == '\n') ++pos_;
        return;  // line continuation
      case '\n':
        return;
      case 'n':
        out.push_back('\n');
        return;
      case 'r':
        out.push_back('\r');
        return;
      case 't':
        out.push_back('\t');
        return;
      case 'b':
        out.push_back('\b');
        return;
      case 'f':
        out.push_back('\f');
        return;
      case 'v':
        out.push_back('\v');
        return;
      case '0':
        if (!is_digit(peek())) {
          out.push_back('\0');
          return;
        }
        out.push_back('0');
        return;
      case 'x':
        if (is_hex_digit(peek()) && is_hex_digit(peek(1))) {
          append_utf8(out, static_cast<std::uint32_t>(hex_value(peek()) * 16 + hex_value(peek(1))));
          pos_ += 2;
          return;
        }
        out.push_back('x');
        return;
      case 'u':
        unicode_escape(out);
        return;
      default:
        out.push_back(static_cast<char>(static_cast<unsigned char>(c)));
        return;
    }
  }

  // \uXXXX or \u{X...}, the "\u" consumed; malformed escapes keep their text.
  void unicode_escape(std::string& out) {
    std::uint32_t value = 0;
    if (peek() == '{') {
      std::size_t i = 1;
      while (is_hex_digit(peek(i)) && value <= 0x10FFFF) {
        value = value * 16 + static_cast<std::uint32_t>(hex_value(peek(i)));
        ++i;
      }
      if (i > 1 && peek(i) == '}') {
        pos_ += i + 1;
        append_utf8(out, value);
        return;
      }
    } else if (is_hex_digit(peek()) && is_hex_digit(peek(1)) && is_hex_digit(peek(2)) && is_hex_digit(peek(3))) {
      for (std::size_t i = 0; i < 4; ++i) value = value * 16 + static_cast<std::uint32_t>(hex_value(peek(i)));
      pos_ += 4;
      append_utf8(out, value);
      return;
    }
    out.push_back('u');
  }

  // An unescaped line terminator ends an unterminated string (a syntax error; we stop there).
  Token lex_string(int quote) {
    Token token;
    token.kind = TokenKind::string;
    ++pos_;
    for (;;) {
      const int c = peek();
      if (c == kEof || is_line_terminator(c)) return token;
      ++pos_;
      if (c == quote) return token;
      if (c == '\\') {
        escape(token.value);
      } else {
        token.value.push_back(static_cast<char>(static_cast<unsigned char>(c)));
      }
    }
  }

  // After ` or the } of a substitution: up to the closing ` or the next ${. Templates may span lines.
  Token lex_template_continuation(std::size_t start) {
    Token token;
    const bool first_part = source_[start] == '`';
    for (;;) {
      const int c = peek();
      if (c == kEof || c == '`') {
        if (c == '`') ++pos_;
        token.kind = first_part ? TokenKind::template_whole : TokenKind::template_tail;
        return token;
      }
      ++pos_;
      if (c == '$' && peek() == '{') {
        ++pos_;
        braces_.push_back(Brace::substitution);
        token.kind = TokenKind::template_head;
        token.value.clear();
        return token;
      }
      if (c == '\\') {
        escape(token.value);
      } else {
        token.value.push_back(static_cast<char>(static_cast<unsigned char>(c)));
      }
    }
  }

  Token lex_number() {
    Token token;
    token.kind = TokenKind::number;
    for (;;) {
      const int c = peek();
      if (is_identifier_part(c) || c == '.') {
        ++pos_;
        if ((c == 'e' || c == 'E') && (peek() == '+' || peek() == '-')) ++pos_;
      } else {
        return token;
      }
    }
  }

  // A regular expression literal: '/' inside a class [...] does not end it; a line terminator does (unterminated).
  void lex_regex() {
    ++pos_;
    bool in_class = false;
    for (;;) {
      const int c = peek();
      if (c == kEof || is_line_terminator(c)) return;
      ++pos_;
      if (c == '\\') {
        if (peek() != kEof && !is_line_terminator(peek())) ++pos_;
      } else if (c == '[') {
        in_class = true;
      } else if (c == ']') {
        in_class = false;
      } else if (c == '/' && !in_class) {
        break;
      }
    }
    while (is_identifier_part(peek())) ++pos_;  // flags
  }

  // The punctuators whose length matters here; every other punctuator character is read alone, which is enough to
  // tell '/' after ')' from '/' after '+'.
  void lex_punctuator() {
    const int c = peek();
    const int d = peek(1);
    if ((c == '=' && d == '>') || (c == '+' && d == '+') || (c == '-' && d == '-') ||
        (c == '?' && d == '.' && !is_digit(peek(2)))) {
      pos_ += 2;
    } else if (c == '.' && d == '.' && peek(2) == '.') {
      pos_ += 3;
    } else {
      ++pos_;
    }
  }

  // Updates the regex-or-division state, the brace stack and the paren stack for the token just read.
  void after(const Token& token) {
    const bool after_dot = previous_.kind == TokenKind::punctuator && (previous_.text == "." || previous_.text == "?.");
    switch (token.kind) {
      case TokenKind::identifier:
        regex_allowed_ = !after_dot && keyword_precedes_expression(token.text);
        break;
      case TokenKind::string:
      case TokenKind::template_whole:
      case TokenKind::template_tail:
      case TokenKind::regex:
      case TokenKind::number:
        regex_allowed_ = false;
        break;
      case TokenKind::template_head:
        regex_allowed_ = true;
        break;
      case TokenKind::punctuator:
        on_punctuator(token.text);
        break;
      case TokenKind::end:
        break;
    }
    before_previous_ = previous_;
    previous_ = PreviousToken{token.kind, token.text};
    previous_after_dot_ = after_dot;
  }

  void on_punctuator(std::string_view text) {
    if (text == "(") {
      // The ')' of if (...), while (...), for (...), with (...) ends a statement head: a regex may follow.
      const bool control = previous_.kind == TokenKind::identifier && !previous_after_dot_ &&
                           (is_one_of(previous_.text, {"if", "while", "for", "with"}) ||
                            (previous_.text == "await" && before_previous_.text == "for"));
      parens_.push_back(control);
      regex_allowed_ = true;
    } else if (text == ")") {
      bool control = false;
      if (!parens_.empty()) {
        control = parens_.back();
        parens_.pop_back();
      }
      regex_allowed_ = control;
    } else if (text == "{") {
      braces_.push_back(brace_after_previous());
      regex_allowed_ = true;
    } else if (text == "}") {
      Brace brace = Brace::block;
      if (!braces_.empty()) {
        brace = braces_.back();
        braces_.pop_back();
      }
      regex_allowed_ = brace == Brace::block;
    } else if (text == "]" || text == "++" || text == "--") {
      regex_allowed_ = false;  // x++ / 2: postfix is the only reading in which a '/' can follow
    } else {
      regex_allowed_ = true;
    }
  }

  // A '{' opens an object literal where an expression is expected, else a block (or class or function body).
  Brace brace_after_previous() const {
    switch (previous_.kind) {
      case TokenKind::end:
      case TokenKind::number:
      case TokenKind::string:
      case TokenKind::template_whole:
      case TokenKind::template_tail:
      case TokenKind::regex:
        return Brace::block;
      case TokenKind::template_head:
        return Brace::expression;
      case TokenKind::identifier:
        return !previous_after_dot_ && keyword_precedes_expression(previous_.text) && previous_.text != "do" &&
                       previous_.text != "else"
                   ? Brace::expression
                   : Brace::block;
      case TokenKind::punctuator:
        return is_one_of(previous_.text, {")", "]", "}", ";", "=>", "{"}) ? Brace::block : Brace::expression;
    }
    return Brace::block;
  }

  struct PreviousToken {
    TokenKind kind = TokenKind::end;
    std::string_view text;
  };

  std::string_view source_;
  std::size_t pos_ = 0;
  bool regex_allowed_ = true;
  std::vector<Brace> braces_;
  std::vector<bool> parens_;  // per open '(': does it follow if/while/for/with?
  PreviousToken previous_;
  PreviousToken before_previous_;
  bool previous_after_dot_ = false;
};

bool is_literal(const Token& token) {
  return token.kind == TokenKind::string || token.kind == TokenKind::template_whole;
}
bool is_punct(const Token& token, std::string_view text) {
  return token.kind == TokenKind::punctuator && token.text == text;
}
bool is_word(const Token& token, std::string_view text) {
  return token.kind == TokenKind::identifier && token.text == text;
}

// Reads the references out of the significant-token stream, one token at a time.
class Recognizer {
 public:
  explicit Recognizer(std::vector<JsReference>& out) : out_(out) {}

  void feed(const Token& token) {
    if (!step(token)) {
      state_ = State::idle;
      step(token);
    }
    before_previous_ = previous_;
    previous_ = {token.kind, token.text};
  }

 private:
  enum class State : std::uint8_t {
    idle,
    after_import,     // import
    after_export,     // export
    dynamic_open,     // import(
    dynamic_literal,  // import("x"
    clause,           // import x, { y as z } / export * as ns / export { a }
    clause_from,      // ... from
    attributes,       // import "x"  (with { type: "json" } may follow)
    attributes_open,  // with {
    attribute_key,    // with { type
    attribute_colon,  // with { type:
    new_kw,           // new
    new_url,          // new URL
    new_url_open,     // new URL(
    new_url_literal,  // new URL("x"
    new_url_base,     // new URL("x", import . meta . url: `match_` counts the tokens matched
    fetch_kw,         // fetch
    fetch_open,       // fetch(
    fetch_literal,    // fetch("x"
  };

  bool after_dot() const {
    return previous_.kind == TokenKind::punctuator && (previous_.text == "." || previous_.text == "?.");
  }

  void emit(JsReferenceKind kind, const Token& literal) {
    out_.push_back(JsReference{kind, literal.value, {}, literal.offset});
  }

  // Returns false when the token does not continue the current pattern; feed() then retries it from idle.
  bool step(const Token& token) {
    switch (state_) {
      case State::idle:
        if (token.kind != TokenKind::identifier || after_dot()) {
          // window.fetch(...), globalThis.fetch(...), self.fetch(...)
          if (is_word(token, "fetch") && previous_.text == "." &&
              (before_previous_.text == "window" || before_previous_.text == "globalThis" ||
               before_previous_.text == "self")) {
            state_ = State::fetch_kw;
          }
          return true;
        }
        if (token.text == "import") {
          state_ = State::after_import;
        } else if (token.text == "export") {
          clause_kind_ = JsReferenceKind::reexport;
          state_ = State::after_export;
        } else if (token.text == "new") {
          state_ = State::new_kw;
        } else if (token.text == "fetch") {
          state_ = State::fetch_kw;
        }
        return true;
      case State::after_import:
        if (is_punct(token, "(")) {
          state_ = State::dynamic_open;
        } else if (token.kind == TokenKind::string) {
          emit(JsReferenceKind::static_import, token);
          state_ = State::attributes;
        } else if (token.kind == TokenKind::identifier || is_punct(token, "*") || is_punct(token, "{")) {
          clause_kind_ = JsReferenceKind::static_import;
          depth_ = 0;
          state_ = State::clause;
          return step(token);
        } else {
          return false;  // import.meta, or not an import at all
        }
        return true;
      case State::after_export:
        if (is_punct(token, "*") || is_punct(token, "{")) {
          depth_ = 0;
          state_ = State::clause;
          return step(token);
        }
        return false;
      case State::dynamic_open:
        if (!is_literal(token)) return false;
        literal_ = token;
        state_ = State::dynamic_literal;
        return true;
      case State::dynamic_literal:
        if (is_punct(token, ")") || is_punct(token, ",")) emit(JsReferenceKind::dynamic_import, literal_);
        return false;
      case State::clause:
        return clause_step(token);
      case State::clause_from:
        if (token.kind != TokenKind::string) {
          // `import from from "x"`, `import from, { a } from "x"`: the first `from` was the default binding.
          if (clause_kind_ != JsReferenceKind::static_import) return false;
          if (is_word(token, "from")) return true;
          if (!is_punct(token, ",")) return false;
          state_ = State::clause;
          return true;
        }
        emit(clause_kind_, token);
        state_ = State::attributes;
        return true;
      case State::attributes:
        if (is_word(token, "with") || is_word(token, "assert")) {
          state_ = State::attributes_open;
          return true;
        }
        return false;
      case State::attributes_open:
        if (!is_punct(token, "{")) return false;
        state_ = State::attribute_key;
        return true;
      case State::attribute_key:
        if (is_punct(token, "}") || is_punct(token, ";") || is_word(token, "import") || is_word(token, "export")) {
          return false;
        }
        if (is_word(token, "type") || (token.kind == TokenKind::string && token.value == "type")) {
          state_ = State::attribute_colon;
          return true;
        }
        return true;  // another attribute's tokens
      case State::attribute_colon:
        if (is_punct(token, ":")) return true;
        if (token.kind == TokenKind::string && !out_.empty()) out_.back().type = token.value;
        state_ = State::attribute_key;
        return true;
      case State::new_kw:
        if (!is_word(token, "URL")) return false;
        state_ = State::new_url;
        return true;
      case State::new_url:
        if (!is_punct(token, "(")) return false;
        state_ = State::new_url_open;
        return true;
      case State::new_url_open:
        if (!is_literal(token)) return false;
        literal_ = token;
        state_ = State::new_url_literal;
        return true;
      case State::new_url_literal:
        if (!is_punct(token, ",")) return false;
        state_ = State::new_url_base;
        match_ = 0;
        return true;
      case State::new_url_base: {
        // import . meta . url, then ')' or ','
        static constexpr std::string_view kBase[] = {"import", ".", "meta", ".", "url"};
        if (match_ < std::size(kBase)) {
          if (token.text != kBase[match_]) return false;
          ++match_;
          return true;
        }
        if (is_punct(token, ")") || is_punct(token, ",")) emit(JsReferenceKind::new_url, literal_);
        return false;
      }
      case State::fetch_kw:
        if (!is_punct(token, "(")) return false;
        state_ = State::fetch_open;
        return true;
      case State::fetch_open:
        if (!is_literal(token)) return false;
        literal_ = token;
        state_ = State::fetch_literal;
        return true;
      case State::fetch_literal:
        if (is_punct(token, ")") || is_punct(token, ",")) emit(JsReferenceKind::fetch, literal_);
        return false;
    }
    return false;
  }

  // The bindings between import/export and from: names, *, as, commas and a braced list (whose strings are
  // names: `import { "a-b" as ab } from`). An export clause not followed by `from` exports local names.
  bool clause_step(const Token& token) {
    if (token.kind == TokenKind::identifier) {
      if (token.text == "import" || token.text == "export") return false;  // a new statement
      if (depth_ == 0 && token.text == "from") {
        state_ = State::clause_from;
      }
      return true;
    }
    if (is_punct(token, "{")) {
      if (depth_ > 0) return false;
      ++depth_;
      return true;
    }
    if (is_punct(token, "}")) {
      if (depth_ == 0) return false;
      --depth_;
      return true;
    }
    if (is_punct(token, "*") || is_punct(token, ",")) return true;
    if (token.kind == TokenKind::string && depth_ > 0) return true;
    return false;
  }

  std::vector<JsReference>& out_;
  State state_ = State::idle;
  JsReferenceKind clause_kind_ = JsReferenceKind::static_import;
  int depth_ = 0;
  std::size_t match_ = 0;
  Token literal_;
  struct Previous {
    TokenKind kind = TokenKind::end;
    std::string_view text;
  };
  Previous previous_;
  Previous before_previous_;
};

// HTML "resolve a module specifier" without import maps: a URL-like specifier starts with "/", "./" or "../";
// anything else must be an absolute URL (it has a scheme), or it is bare.
bool is_followed_specifier(std::string_view specifier) {
  if (specifier.starts_with("/") || specifier.starts_with("./") || specifier.starts_with("../")) return true;
  if (specifier.empty()) return false;
  const auto alpha = [](char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); };
  if (!alpha(specifier[0])) return false;
  for (std::size_t i = 1; i < specifier.size(); ++i) {
    const char c = specifier[i];
    if (c == ':') return true;
    if (!(alpha(c) || (c >= '0' && c <= '9') || c == '+' || c == '-' || c == '.')) return false;
  }
  return false;
}

std::string lower_extension(std::string_view path) {
  path = path.substr(0, path.find_first_of("?#"));
  const std::size_t slash = path.rfind('/');
  const std::size_t dot = path.rfind('.');
  if (dot == std::string_view::npos || (slash != std::string_view::npos && dot < slash)) return {};
  std::string ext(path.substr(dot + 1));
  for (char& c : ext) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return ext;
}

// The destination of a file named by new URL(..., import.meta.url), guessed from its extension.
Destination destination_by_extension(std::string_view path) {
  const std::string ext = lower_extension(path);
  if (is_one_of(ext, {"png", "jpg", "jpeg", "gif", "webp", "avif", "svg", "ico", "bmp"})) return Destination::image;
  if (ext == "css") return Destination::style;
  if (is_one_of(ext, {"woff2", "woff", "ttf", "otf"})) return Destination::font;
  if (is_one_of(ext, {"js", "mjs", "cjs"})) return Destination::other;
  return Destination::fetch;
}

}  // namespace

std::vector<JsReference> scan_js_module(std::string_view source, const JsScanOptions& options) {
  std::vector<JsReference> out;
  Lexer lexer(source);
  Recognizer recognizer(out);
  while (out.size() < options.max_references) {
    const Token token = lexer.next();
    if (token.kind == TokenKind::end) break;
    recognizer.feed(token);
  }
  if (out.size() > options.max_references) out.resize(options.max_references);
  return out;
}

std::vector<Resource> discover_js_module(std::string_view source, const Url& module_url,
                                         const JsDiscoveryOptions& options) {
  const Url& page = options.page ? *options.page : module_url;
  std::vector<Resource> out;
  std::unordered_map<std::string, std::size_t> index;
  for (const JsReference& reference : scan_js_module(source, options.scan)) {
    Resource resource;
    resource.level = options.level;
    resource.crossorigin = true;
    const Url* base = &module_url;
    switch (reference.kind) {
      case JsReferenceKind::static_import:
      case JsReferenceKind::reexport:
        if (!is_followed_specifier(reference.specifier)) continue;
        resource.source = reference.kind == JsReferenceKind::static_import ? "js-import" : "js-export";
        resource.as = Destination::module_script;
        if (reference.type == "json") {
          resource.as = Destination::fetch;
        } else if (reference.type == "css") {
          resource.as = Destination::style;
        } else if (!reference.type.empty()) {
          continue;  // an unknown module type fails to load
        }
        break;
      case JsReferenceKind::dynamic_import:
        if (!options.dynamic_imports || !is_followed_specifier(reference.specifier)) continue;
        resource.source = "js-dynamic-import";
        resource.as = Destination::module_script;
        resource.conditional = true;
        break;
      case JsReferenceKind::new_url:
        if (!options.new_urls) continue;
        resource.source = "js-new-url";
        break;
      case JsReferenceKind::fetch:
        if (!options.fetch_document) continue;
        resource.source = "js-fetch";
        resource.as = Destination::fetch;
        base = &*options.fetch_document;
        break;
    }
    std::string_view specifier = reference.specifier;
    std::size_t begin = 0;
    while (begin < specifier.size() && static_cast<unsigned char>(specifier[begin]) <= 0x20) ++begin;
    if (begin == specifier.size() || specifier[begin] == '#') continue;  // the module or document itself
    Result<std::string, UrlError> path = resolve_path(page, *base, specifier);
    if (!path.ok()) continue;
    resource.path = std::move(path).value();
    if (reference.kind == JsReferenceKind::new_url) {
      resource.as = destination_by_extension(resource.path);
      resource.crossorigin = resource.as == Destination::fetch || resource.as == Destination::font;
    }
    const auto [it, inserted] = index.try_emplace(resource.path, out.size());
    if (inserted) {
      out.push_back(std::move(resource));
    } else {
      merge_occurrence(out[it->second], resource);
    }
  }
  return out;
}

}  // namespace h2push::push
