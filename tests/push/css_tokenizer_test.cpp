// tests/push/css_tokenizer_test.cpp: CSS Syntax Level 3 §4 tokenization: comments, strings, escapes, url tokens and
// their error recovery, at-keywords, numbers, and bounded work on hostile input.
#include "push/css_tokenizer.hpp"

#include <gtest/gtest.h>

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace h2push::push {
namespace {

std::string_view type_name(CssTokenType type) {
  switch (type) {
    case CssTokenType::ident:
      return "ident";
    case CssTokenType::function:
      return "function";
    case CssTokenType::at_keyword:
      return "at";
    case CssTokenType::hash:
      return "hash";
    case CssTokenType::string:
      return "string";
    case CssTokenType::bad_string:
      return "bad-string";
    case CssTokenType::url:
      return "url";
    case CssTokenType::bad_url:
      return "bad-url";
    case CssTokenType::delim:
      return "delim";
    case CssTokenType::number:
      return "number";
    case CssTokenType::percentage:
      return "percentage";
    case CssTokenType::dimension:
      return "dimension";
    case CssTokenType::whitespace:
      return "ws";
    case CssTokenType::cdo:
      return "cdo";
    case CssTokenType::cdc:
      return "cdc";
    case CssTokenType::colon:
      return ":";
    case CssTokenType::semicolon:
      return ";";
    case CssTokenType::comma:
      return ",";
    case CssTokenType::open_square:
      return "[";
    case CssTokenType::close_square:
      return "]";
    case CssTokenType::open_paren:
      return "(";
    case CssTokenType::close_paren:
      return ")";
    case CssTokenType::open_curly:
      return "{";
    case CssTokenType::close_curly:
      return "}";
    case CssTokenType::eof:
      return "eof";
  }
  return "?";
}

// Every token up to eof as "type" or "type:value".
std::vector<std::string> tokens(std::string_view css) {
  CssTokenizer tokenizer(css);
  std::vector<std::string> out;
  for (;;) {
    const CssToken token = tokenizer.next();
    if (token.type == CssTokenType::eof) return out;
    std::string text(type_name(token.type));
    if (!token.value.empty()) text += ":" + token.value;
    out.push_back(std::move(text));
  }
}

using Tokens = std::vector<std::string>;

TEST(CssTokenizerTest, SplitsRuleIntoTokens) {
  EXPECT_EQ(tokens("a.b>c{color:red;margin:0 auto}"),
            (Tokens{"ident:a", "delim:.", "ident:b", "delim:>", "ident:c", "{", "ident:color", ":", "ident:red", ";",
                    "ident:margin", ":", "number", "ws", "ident:auto", "}"}));
}

TEST(CssTokenizerTest, DropsCommentsWhenTheyHoldUrls) {
  EXPECT_EQ(tokens("/* url(x.png) @import 'y.css'; */a/**/b"), (Tokens{"ident:a", "ident:b"}));
  EXPECT_EQ(tokens("a /* unterminated url(x.png)"), (Tokens{"ident:a", "ws"}));
  EXPECT_EQ(tokens("/**/"), Tokens{});
}

TEST(CssTokenizerTest, DecodesEscapesInStrings) {
  EXPECT_EQ(tokens(R"("a\"b" 'it\'s')"), (Tokens{"string:a\"b", "ws", "string:it's"}));
  // §4.3.7: up to six hex digits, then one whitespace code point is part of the escape.
  EXPECT_EQ(tokens(R"("\26 B" "\26  B" "\000026B" "\41\42")"),
            (Tokens{"string:&B", "ws", "string:& B", "ws", "string:&B", "ws", "string:AB"}));
  EXPECT_EQ(tokens("\"\\26\r\nB\""), (Tokens{"string:&B"}));  // CRLF is one whitespace code point
  EXPECT_EQ(tokens(R"("\0" "\110000" "\D800")"),
            (Tokens{"string:\xEF\xBF\xBD", "ws", "string:\xEF\xBF\xBD", "ws", "string:\xEF\xBF\xBD"}));
  EXPECT_EQ(tokens(R"("\e9t\E9")"), (Tokens{"string:\xC3\xA9t\xC3\xA9"}));
}

TEST(CssTokenizerTest, JoinsLinesWhenStringHasEscapedNewline) {
  EXPECT_EQ(tokens("\"a\\\nb\" 'c\\\r\nd' 'e\\\ff'"), (Tokens{"string:ab", "ws", "string:cd", "ws", "string:ef"}));
}

TEST(CssTokenizerTest, ReturnsBadStringWhenNewlineIsUnescaped) {
  EXPECT_EQ(tokens("'abc\ndef' x"), (Tokens{"bad-string:abc", "ws", "ident:def", "string: x"}));
  EXPECT_EQ(tokens("'unterminated"), (Tokens{"string:unterminated"}));
  EXPECT_EQ(tokens("'ends with backslash\\"), (Tokens{"string:ends with backslash"}));
}

TEST(CssTokenizerTest, ReadsUnquotedUrlAsUrlToken) {
  EXPECT_EQ(tokens("url(a.png)"), (Tokens{"url:a.png"}));
  EXPECT_EQ(tokens("url(  ../img/a.png\t\n)"), (Tokens{"url:../img/a.png"}));
  EXPECT_EQ(tokens("URL(A.png) Url(b)"), (Tokens{"url:A.png", "ws", "url:b"}));
  EXPECT_EQ(tokens("url()"), (Tokens{"url"}));
  EXPECT_EQ(tokens("url(data:image/png;base64,iVBO==)"), (Tokens{"url:data:image/png;base64,iVBO=="}));
  EXPECT_EQ(tokens("url(unclosed.png"), (Tokens{"url:unclosed.png"}));
}

TEST(CssTokenizerTest, DecodesEscapesInUrlToken) {
  EXPECT_EQ(tokens(R"(url(a\)b.png) url(sp\ ace.png) url(\2f x.png))"),
            (Tokens{"url:a)b.png", "ws", "url:sp ace.png", "ws", "url:/x.png"}));
}

TEST(CssTokenizerTest, ReadsEscapedUrlNameAsUrlToken) {
  // \75 is "u": the ident is "url" once decoded, so this is a url token (§4.3.4 compares the decoded name).
  EXPECT_EQ(tokens(R"(\75 rl(x.png) u\72l(y.png) \55\52\4c(z.png))"),
            (Tokens{"url:x.png", "ws", "url:y.png", "ws", "url:z.png"}));
}

TEST(CssTokenizerTest, ReadsQuotedUrlAsFunctionAndString) {
  EXPECT_EQ(tokens(R"(url("a.png"))"), (Tokens{"function:url", "string:a.png", ")"}));
  EXPECT_EQ(tokens(R"(url(   'a.png' ))"), (Tokens{"function:url", "ws", "string:a.png", "ws", ")"}));
  EXPECT_EQ(tokens(R"(src("f.woff2") format("woff2"))"),
            (Tokens{"function:src", "string:f.woff2", ")", "ws", "function:format", "string:woff2", ")"}));
}

TEST(CssTokenizerTest, SkipsToCloseParenWhenUrlIsBad) {
  // §4.3.6: a space inside, a quote, a '(' or a non-printable code point makes a bad url, and §4.3.14 skips to ')'.
  EXPECT_EQ(tokens("url(a b) c"), (Tokens{"bad-url", "ws", "ident:c"}));
  EXPECT_EQ(tokens("url(a\"b) c"), (Tokens{"bad-url", "ws", "ident:c"}));
  EXPECT_EQ(tokens("url(a(b).png) c"), (Tokens{"bad-url", "delim:.", "ident:png", ")", "ws", "ident:c"}));
  EXPECT_EQ(tokens("url(a\x01) c"), (Tokens{"bad-url", "ws", "ident:c"}));
  // An escaped ')' does not end the remnants; a backslash before a newline is no escape.
  EXPECT_EQ(tokens(R"(url(a b\) c) d)"), (Tokens{"bad-url", "ws", "ident:d"}));
  EXPECT_EQ(tokens("url(a\\\nb) c"), (Tokens{"bad-url", "ws", "ident:c"}));
  EXPECT_EQ(tokens("url(a b"), (Tokens{"bad-url"}));
}

TEST(CssTokenizerTest, ReadsAtKeywordsAndHashes) {
  EXPECT_EQ(tokens("@import @font-face @-moz-document @ x @1"),
            (Tokens{"at:import", "ws", "at:font-face", "ws", "at:-moz-document", "ws", "delim:@", "ws", "ident:x", "ws",
                    "delim:@", "number"}));
  EXPECT_EQ(tokens("#fff #-x # #\\31 "), (Tokens{"hash:fff", "ws", "hash:-x", "ws", "delim:#", "ws", "hash:1"}));
}

TEST(CssTokenizerTest, ReadsNumericTokens) {
  EXPECT_EQ(tokens("10px 50% 1e3 -5 +.5 .5em 1.5E-2s 3e 2-x"),
            (Tokens{"dimension:px", "ws", "percentage", "ws", "number", "ws", "number", "ws", "number", "ws",
                    "dimension:em", "ws", "dimension:s", "ws", "dimension:e", "ws", "dimension:-x"}));
  EXPECT_EQ(tokens("+ - . -- -->"),
            (Tokens{"delim:+", "ws", "delim:-", "ws", "delim:.", "ws", "ident:--", "ws", "cdc"}));
}

TEST(CssTokenizerTest, ReadsCdoAndCdc) {
  EXPECT_EQ(tokens("<!-- a --> <!- <"),
            (Tokens{"cdo", "ws", "ident:a", "ws", "cdc", "ws", "delim:<", "delim:!", "delim:-", "ws", "delim:<"}));
}

TEST(CssTokenizerTest, ReplacesNulAndReadsLoneBackslash) {
  EXPECT_EQ(tokens(std::string_view("a\0b", 3)), (Tokens{"ident:a\xEF\xBF\xBD"
                                                         "b"}));
  EXPECT_EQ(tokens("\\"), (Tokens{"ident:\xEF\xBF\xBD"}));  // a backslash at the end is a valid escape
  EXPECT_EQ(tokens("\\\nx"), (Tokens{"delim:\\", "ws", "ident:x"}));
}

TEST(CssTokenizerTest, ReportsOffsetsOfTokens) {
  CssTokenizer tokenizer("a /*c*/ url(x)");
  EXPECT_EQ(tokenizer.next().offset, 0u);
  EXPECT_EQ(tokenizer.next().offset, 1u);  // whitespace
  EXPECT_EQ(tokenizer.next().offset, 7u);  // whitespace after the comment
  const CssToken url = tokenizer.next();
  EXPECT_EQ(url.type, CssTokenType::url);
  EXPECT_EQ(url.offset, 8u);
  EXPECT_EQ(tokenizer.next().type, CssTokenType::eof);
  EXPECT_EQ(tokenizer.next().type, CssTokenType::eof);
}

TEST(CssTokenizerTest, EndsWhenInputIsHostile) {
  // Deep nesting and long runs: each call consumes input, so the token count is bounded by the input size.
  const std::string input = std::string(200000, '(') + std::string(100000, '{') + "url(" + std::string(100000, '\\');
  CssTokenizer tokenizer(input);
  std::size_t count = 0;
  while (tokenizer.next().type != CssTokenType::eof) ++count;
  EXPECT_EQ(count, 300001u);
}

TEST(CssTokenizerTest, ComparesIgnoringAsciiCase) {
  EXPECT_TRUE(equals_ignoring_ascii_case("URL", "url"));
  EXPECT_TRUE(equals_ignoring_ascii_case("Font-Face", "font-face"));
  EXPECT_FALSE(equals_ignoring_ascii_case("urls", "url"));
  EXPECT_FALSE(equals_ignoring_ascii_case("\xC5RL", "url"));
}

}  // namespace
}  // namespace h2push::push
