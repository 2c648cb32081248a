// src/push/css_discovery.cpp: walks CSS tokens with an explicit stack of blocks and parenthesised groups, the way
// CSS Syntax Level 3 §5 nests component values, and reports what fetches something (see css_discovery.hpp).
#include "push/css_discovery.hpp"

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include "push/css_tokenizer.hpp"

namespace h2push::push {
namespace {

constexpr std::size_t kNone = static_cast<std::size_t>(-1);

enum class FrameKind : std::uint8_t {
  rules,         // the sheet itself, or a conditional group rule (@media, @supports, ...) at rule level
  declarations,  // a style rule, @page, @keyframes, a nested rule: url() here is fetched
  font_face,     // an @font-face block: only src counts
  ignored,       // a block that cannot apply (@import with a block, rules nested where they are invalid)
  group,         // ( ), [ ] or a function's arguments
};

enum class GroupRole : std::uint8_t { none, url_function, format_function, image_set };

// Where the statement that a block holds has got to. Only the block frames use it.
enum class Statement : std::uint8_t { start, at_prelude, qualified_prelude, body };

struct Frame {
  FrameKind kind = FrameKind::rules;
  CssTokenType closer = CssTokenType::eof;
  std::size_t block = 0;          // index of the nearest block frame (itself for a block)
  std::size_t image_set = kNone;  // index of the nearest image-set() group, itself included
  GroupRole role = GroupRole::none;
  bool taken = false;  // url_function: its string was seen; image_set: a candidate was taken
  Statement statement = Statement::start;
  std::string at_name;  // lower-cased name of the at-rule whose prelude is being read
};

// The @import being read, at the top level only.
enum class ImportState : std::uint8_t { none, expect_url, after_url, invalid };

// What a @font-face rule has said so far.
struct FontFace {
  enum class Declaration : std::uint8_t { name, colon, value, skip };
  Declaration declaration = Declaration::name;
  bool in_src = false;
  std::optional<CssReference> source_url;  // the current comma-separated source's URL
  bool has_format = false;
  bool format_supported = false;
  std::optional<CssReference> declaration_pick;  // the source this src descriptor yields
  std::optional<CssReference> rule_pick;         // from the last src descriptor that yielded one
};

std::string ascii_lower(std::string_view text) {
  std::string out(text);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

bool is_group_rule(std::string_view name) {
  return name == "media" || name == "supports" || name == "layer" || name == "container" || name == "document" ||
         name == "-moz-document" || name == "scope" || name == "starting-style";
}

// CSS Fonts 4 §4.3.1: the formats every current browser downloads ("-variations" is the older spelling).
bool is_supported_font_format(std::string_view value) {
  std::string format = ascii_lower(value);
  constexpr std::string_view kVariations = "-variations";
  if (format.size() > kVariations.size() && format.ends_with(kVariations)) {
    format.resize(format.size() - kVariations.size());
  }
  return format == "woff2" || format == "woff" || format == "opentype" || format == "truetype";
}

class Scanner {
 public:
  Scanner(std::string_view sheet, const CssScanOptions& options) : tokens_(sheet), options_(options) {
    Frame outermost;
    if (options.declaration_list) {
      outermost.kind = FrameKind::declarations;
      outermost.statement = Statement::body;
    }
    stack_.push_back(std::move(outermost));
  }

  std::vector<CssReference> run() {
    for (;;) {
      if (out_.size() >= options_.max_references) break;
      CssToken token = tokens_.next();
      if (token.type == CssTokenType::eof) {
        finish();
        break;
      }
      on_token(std::move(token));
    }
    if (out_.size() > options_.max_references) out_.resize(options_.max_references);
    return std::move(out_);
  }

 private:
  Frame& top() { return stack_.back(); }
  std::size_t top_index() const { return stack_.size() - 1; }
  Frame& block_of_top() { return stack_[stack_.back().block]; }

  void on_token(CssToken token) {
    const CssTokenType type = token.type;
    if ((type == CssTokenType::close_curly || type == CssTokenType::close_paren ||
         type == CssTokenType::close_square) &&
        stack_.size() > 1 && top().closer == type) {
      close_frame();
      return;
    }
    Frame& block = block_of_top();
    const bool direct = top().kind != FrameKind::group;  // the token sits in the block itself, not in a group
    if (block.kind == FrameKind::rules && direct) {
      if (on_rule_level_token(token)) return;
    } else if (block.kind == FrameKind::declarations && direct) {
      on_declaration_level_token(token);
    } else if (block.kind == FrameKind::font_face && direct) {
      on_font_face_token(token);
    }
    on_url_tokens(token);
    open_frame(token);
  }

  // A token directly in the sheet or a group rule. Returns true when it was fully handled (a block was opened).
  bool on_rule_level_token(const CssToken& token) {
    Frame& block = top();
    const bool top_level = top_index() == 0;
    switch (block.statement) {
      case Statement::start:
        if (token.type == CssTokenType::whitespace || token.type == CssTokenType::cdo ||
            token.type == CssTokenType::cdc || token.type == CssTokenType::semicolon ||
            token.type == CssTokenType::close_curly) {
          return true;  // between rules: a stray '}' at the top is read as the start of a rule, which is invalid
        }
        if (token.type == CssTokenType::at_keyword) {
          block.statement = Statement::at_prelude;
          block.at_name = ascii_lower(token.value);
          if (block.at_name == "import" && top_level) import_begin(token.offset);
          return true;
        }
        block.statement = Statement::qualified_prelude;
        return false;
      case Statement::at_prelude:
        if (token.type == CssTokenType::semicolon) {
          end_at_statement(top_level);
          return true;
        }
        if (token.type == CssTokenType::open_curly) {
          open_block_for_at_rule();
          return true;
        }
        if (top_level && block.at_name == "import") import_token(token);
        return false;
      case Statement::qualified_prelude:
        if (token.type == CssTokenType::open_curly) {
          if (top_level) imports_allowed_ = false;
          push_block(FrameKind::declarations);
          return true;
        }
        return false;
      case Statement::body:
        return false;
    }
    return false;
  }

  void on_declaration_level_token(const CssToken& token) {
    Frame& block = top();
    if (block.statement == Statement::at_prelude) {
      if (token.type == CssTokenType::semicolon) {
        block.statement = Statement::body;
      } else if (token.type == CssTokenType::open_curly) {
        // CSS nesting allows conditional group rules inside style rules; @font-face there is invalid.
        const FrameKind kind = block.at_name == "font-face" ? FrameKind::ignored : FrameKind::declarations;
        block.statement = Statement::body;
        push_block(kind);
      }
      return;
    }
    if (token.type == CssTokenType::at_keyword) {
      block.statement = Statement::at_prelude;
      block.at_name = ascii_lower(token.value);
    } else if (token.type == CssTokenType::open_curly) {
      push_block(FrameKind::declarations);  // a nested style rule
    }
  }

  void on_font_face_token(const CssToken& token) {
    using Declaration = FontFace::Declaration;
    switch (token.type) {
      case CssTokenType::whitespace:
        return;
      case CssTokenType::semicolon:
        font_face_end_declaration();
        return;
      case CssTokenType::open_curly:
        push_block(FrameKind::ignored);
        return;
      default:
        break;
    }
    switch (font_.declaration) {
      case Declaration::name:
        if (token.type == CssTokenType::ident) {
          font_.in_src = equals_ignoring_ascii_case(token.value, "src");
          font_.declaration = Declaration::colon;
        } else {
          font_.declaration = Declaration::skip;
        }
        return;
      case Declaration::colon:
        font_.declaration = token.type == CssTokenType::colon ? Declaration::value : Declaration::skip;
        return;
      case Declaration::value:
        if (font_.in_src && token.type == CssTokenType::comma) font_face_end_source();
        return;
      case Declaration::skip:
        return;
    }
  }

  // url tokens and strings that name a URL, wherever they sit.
  void on_url_tokens(const CssToken& token) {
    if (token.type == CssTokenType::url) {
      found_url(token.value, token.offset, top_index(), false);
    } else if (token.type == CssTokenType::string) {
      Frame& group = top();
      if (group.role == GroupRole::url_function && !group.taken) {
        group.taken = true;
        found_url(token.value, token.offset, top_index() - 1, false);
      } else if (group.role == GroupRole::image_set) {
        found_url(token.value, token.offset, top_index(), false);
      } else if (group.role == GroupRole::format_function) {
        font_format(token.value);
      } else if (top_index() == 0) {
        found_url(token.value, token.offset, 0, true);  // @import "x.css"
      }
    } else if (token.type == CssTokenType::ident && top().role == GroupRole::format_function) {
      font_format(token.value);  // CSS Fonts 4 also allows format(woff2)
    }
  }

  // A URL named by a token whose enclosing frame (for url("...") the frame around the function) is `owner`.
  void found_url(const std::string& url, std::size_t offset, std::size_t owner, bool bare_string) {
    Frame& block = stack_[stack_[owner].block];
    switch (block.kind) {
      case FrameKind::rules:
        if (owner == 0 && block.statement == Statement::at_prelude && block.at_name == "import" &&
            import_state_ == ImportState::expect_url) {
          import_.url = url;
          import_.offset = offset;
          import_state_ = ImportState::after_url;
        }
        return;
      case FrameKind::declarations: {
        if (bare_string || block.statement == Statement::at_prelude) return;
        const std::size_t image_set = stack_[owner].image_set;
        bool conditional = false;
        if (image_set != kNone) {
          if (stack_[image_set].taken) return;
          stack_[image_set].taken = true;
          conditional = true;
        }
        out_.push_back(CssReference{CssReferenceKind::url, url, false, conditional, offset});
        return;
      }
      case FrameKind::font_face:
        if (owner == stack_[owner].block && font_.in_src && font_.declaration == FontFace::Declaration::value &&
            !font_.source_url) {
          font_.source_url = CssReference{CssReferenceKind::font_face, url, false, false, offset};
        }
        return;
      case FrameKind::ignored:
      case FrameKind::group:
        return;
    }
  }

  void font_format(const std::string& value) {
    if (block_of_top().kind != FrameKind::font_face || !font_.in_src) return;
    if (stack_[top_index() - 1].kind != FrameKind::font_face) return;  // format() directly in the descriptor
    font_.has_format = true;
    if (is_supported_font_format(value)) font_.format_supported = true;
  }

  void font_face_end_source() {
    if (font_.source_url && (!font_.has_format || font_.format_supported) && !font_.declaration_pick) {
      font_.declaration_pick = std::move(font_.source_url);
    }
    font_.source_url.reset();
    font_.has_format = false;
    font_.format_supported = false;
  }

  void font_face_end_declaration() {
    if (font_.in_src && font_.declaration == FontFace::Declaration::value) {
      font_face_end_source();
      if (font_.declaration_pick) font_.rule_pick = std::move(font_.declaration_pick);
    }
    const std::optional<CssReference> rule_pick = std::move(font_.rule_pick);
    font_ = FontFace{};
    font_.rule_pick = rule_pick;
  }

  void font_face_end_rule() {
    font_face_end_declaration();
    if (font_.rule_pick) out_.push_back(*font_.rule_pick);
    font_ = FontFace{};
  }

  // --- @import ---------------------------------------------------------------------------------------------------

  void import_begin(std::size_t offset) {
    import_state_ = ImportState::expect_url;
    import_ = CssReference{CssReferenceKind::import_rule, {}, false, false, offset};
  }

  // A token directly in the @import prelude (tokens inside its groups do not count).
  void import_token(const CssToken& token) {
    if (token.type == CssTokenType::whitespace) return;
    if (import_state_ == ImportState::expect_url) {
      const bool url_like = token.type == CssTokenType::url || token.type == CssTokenType::string ||
                            (token.type == CssTokenType::function && (equals_ignoring_ascii_case(token.value, "url") ||
                                                                      equals_ignoring_ascii_case(token.value, "src")));
      if (!url_like) import_state_ = ImportState::invalid;
      return;
    }
    if (import_state_ != ImportState::after_url) return;
    switch (token.type) {
      case CssTokenType::ident:
        if (!equals_ignoring_ascii_case(token.value, "layer") && !equals_ignoring_ascii_case(token.value, "all") &&
            !equals_ignoring_ascii_case(token.value, "screen") && !equals_ignoring_ascii_case(token.value, "only")) {
          import_.media_query = true;
        }
        return;
      case CssTokenType::function:
        if (equals_ignoring_ascii_case(token.value, "supports")) {
          import_.conditional = true;
        } else if (!equals_ignoring_ascii_case(token.value, "layer")) {
          import_.media_query = true;
        }
        return;
      case CssTokenType::open_paren:  // a media feature: (min-width: 40em)
        import_.media_query = true;
        return;
      default:
        return;
    }
  }

  void end_at_statement(bool top_level) {
    Frame& block = top();
    if (top_level) {
      if (block.at_name == "import") {
        if (import_state_ == ImportState::after_url && imports_allowed_) out_.push_back(import_);
        import_state_ = ImportState::none;
      } else if (block.at_name != "charset" && block.at_name != "layer") {
        imports_allowed_ = false;  // @namespace and anything else closes the @import section
      }
    }
    block.statement = Statement::start;
  }

  void open_block_for_at_rule() {
    Frame& block = top();
    const bool top_level = top_index() == 0;
    FrameKind kind = FrameKind::declarations;
    if (block.at_name == "import") {
      kind = FrameKind::ignored;  // an @import with a block is invalid and does not end the @import section
      import_state_ = ImportState::none;
    } else {
      if (top_level) imports_allowed_ = false;
      if (block.at_name == "font-face") {
        kind = FrameKind::font_face;
      } else if (is_group_rule(block.at_name)) {
        kind = FrameKind::rules;
      }
    }
    push_block(kind);
  }

  // --- structure -------------------------------------------------------------------------------------------------

  void push_block(FrameKind kind) {
    Frame& parent = top();
    if (parent.kind != FrameKind::group) parent.statement = Statement::body;
    if (parent.kind == FrameKind::font_face || parent.kind == FrameKind::ignored) kind = FrameKind::ignored;
    if (kind == FrameKind::font_face) font_ = FontFace{};
    Frame frame;
    frame.kind = kind;
    frame.closer = CssTokenType::close_curly;
    frame.block = stack_.size();
    frame.statement = kind == FrameKind::declarations ? Statement::body : Statement::start;
    stack_.push_back(std::move(frame));
  }

  // Opens the group a token starts, if it starts one. '{' inside a group opens a plain group: only a '{' directly
  // in a block starts a nested block, and on_*_token() has opened those already.
  void open_frame(const CssToken& token) {
    Frame frame;
    frame.kind = FrameKind::group;
    frame.block = top().block;
    frame.image_set = top().image_set;
    switch (token.type) {
      case CssTokenType::open_paren:
        frame.closer = CssTokenType::close_paren;
        break;
      case CssTokenType::open_square:
        frame.closer = CssTokenType::close_square;
        break;
      case CssTokenType::open_curly:
        if (top().kind != FrameKind::group) return;
        frame.closer = CssTokenType::close_curly;
        break;
      case CssTokenType::function:
        frame.closer = CssTokenType::close_paren;
        if (equals_ignoring_ascii_case(token.value, "url") || equals_ignoring_ascii_case(token.value, "src")) {
          frame.role = GroupRole::url_function;
        } else if (equals_ignoring_ascii_case(token.value, "format")) {
          frame.role = GroupRole::format_function;
        } else if (equals_ignoring_ascii_case(token.value, "image-set") ||
                   equals_ignoring_ascii_case(token.value, "-webkit-image-set")) {
          frame.role = GroupRole::image_set;
          frame.image_set = stack_.size();
        }
        break;
      default:
        return;
    }
    stack_.push_back(std::move(frame));
  }

  void close_frame() {
    const FrameKind kind = top().kind;
    if (kind == FrameKind::font_face) font_face_end_rule();
    stack_.pop_back();
    if (kind != FrameKind::group) {
      Frame& parent = top();
      // A nested block ends its statement in a rule list; in a declaration list the body goes on.
      if (parent.kind == FrameKind::rules) parent.statement = Statement::start;
      if (parent.kind == FrameKind::declarations) parent.statement = Statement::body;
    }
  }

  // The end of input closes every open block and statement (§5.4: EOF is a parse error that ends them all).
  void finish() {
    for (std::size_t i = stack_.size(); i-- > 0;) {
      if (stack_[i].kind == FrameKind::font_face) font_face_end_rule();
    }
    // An @import cut off at the end of input is still a complete rule (§5.4.2), even inside an unclosed group.
    const Frame& sheet = stack_[0];
    if (sheet.statement == Statement::at_prelude && sheet.at_name == "import" &&
        import_state_ == ImportState::after_url && imports_allowed_) {
      out_.push_back(import_);
    }
  }

  CssTokenizer tokens_;
  const CssScanOptions& options_;
  std::vector<Frame> stack_;
  std::vector<CssReference> out_;
  bool imports_allowed_ = true;
  ImportState import_state_ = ImportState::none;
  CssReference import_;
  FontFace font_;
};

// Drops what a browser would not fetch from us; returns the path otherwise.
std::optional<std::string> resolve_reference(const Url& page, const Url& base, std::string_view reference) {
  std::size_t begin = 0;
  while (begin < reference.size() && static_cast<unsigned char>(reference[begin]) <= 0x20) ++begin;
  if (begin == reference.size() || reference[begin] == '#') return std::nullopt;  // empty, or into the document
  Result<std::string, UrlError> path = resolve_path(page, base, reference);
  if (!path.ok()) return std::nullopt;
  return std::move(path).value();
}

}  // namespace

std::vector<CssReference> scan_css(std::string_view sheet, const CssScanOptions& options) {
  Scanner scanner(sheet, options);
  return scanner.run();
}

std::vector<Resource> discover_css(std::string_view sheet, const Url& sheet_url, const CssDiscoveryOptions& options) {
  const Url& page = options.page ? *options.page : sheet_url;
  std::vector<Resource> out;
  std::unordered_map<std::string, std::size_t> index;
  for (const CssReference& reference : scan_css(sheet, options.scan)) {
    std::optional<std::string> path = resolve_reference(page, sheet_url, reference.url);
    if (!path) continue;
    Resource resource;
    resource.path = std::move(*path);
    resource.level = options.level;
    switch (reference.kind) {
      case CssReferenceKind::import_rule:
        resource.as = Destination::style;
        resource.critical = !reference.media_query && !reference.conditional;
        resource.conditional = reference.conditional;
        resource.source = "css-import";
        break;
      case CssReferenceKind::font_face:
        resource.as = Destination::font;
        resource.critical = true;
        resource.crossorigin = true;
        resource.source = "css-font-face";
        break;
      case CssReferenceKind::url:
        resource.as = Destination::image;
        resource.conditional = reference.conditional;
        resource.source = "css-url";
        break;
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
