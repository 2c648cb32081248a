// src/http1/field_parser.hpp: parses a complete section found by SectionScanner: the request line (RFC 9112 §3)
// and field lines (§5), strictly. Reusable for responses: the start line is handed back unparsed.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "h2push/http1/types.hpp"
#include "h2push/result.hpp"

namespace h2push::http1::detail {

struct RequestLine {
  std::string_view method;
  std::string_view target;
  Version version = Version::http_1_1;
};

// `line` without its line ending. Errors: malformed_request_line, invalid_method, invalid_target,
// malformed_version, unsupported_version.
Result<RequestLine, ParseError> parse_request_line(std::string_view line);

// Splits `text` (a whole section as SectionScanner left it: every line ends in LF, CRs and NULs already judged)
// and appends its fields to `out`, names lowercased in place. Returns the start line (empty when !has_start_line).
// The views point into `text`. Errors: whitespace_after_start_line, obs_fold, missing_colon,
// whitespace_before_colon, invalid_field_name, invalid_field_value.
Result<std::string_view, ParseError> parse_section(std::string& text, bool has_start_line, std::vector<Header>& out);

}  // namespace h2push::http1::detail
