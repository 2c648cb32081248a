// src/server/config_schema.hpp: the table of configuration keys behind parsing, validation, formatting and the
// documentation test. One entry per key: its kind, its range and where it lives in ServerConfig.
#pragma once

#include <array>
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "server/config.hpp"

namespace h2push::server::detail {

enum class Kind : std::uint8_t {
  integer,     // TOML integer in [min, max]
  size,        // integer of bytes or a string with a unit, in [min, max]
  duration,    // string such as "200ms", in [min, max] milliseconds
  boolean,     // true / false
  string,      // any string; validate() checks what the field needs
  path,        // a file system path; relative ones are resolved against the config file's directory
  choice,      // one of an enum's names
  log_sink,    // "off", "stdout", "stderr" or a path
  addresses,   // an address or an array of them
  strings,     // an array of strings
  string_map,  // a table of strings (header values by key)
  mode_map,    // a table of push modes by path prefix
  links,       // an array of [[push.link]] tables
};

using StringMap = std::map<std::string, std::string>;
using ModeMap = std::map<std::string, PushMode>;
using Target =
    std::variant<std::uint32_t*, std::uint64_t*, std::chrono::milliseconds*, bool*, std::string*,
                 std::filesystem::path*, TlsVersion*, LogLevel*, AccessLogFormat*, PushMode*, LogSink*,
                 std::vector<Address>*, std::vector<std::string>*, StringMap*, ModeMap*, std::vector<PushLink>*>;

struct Field {
  std::string_view key;  // dotted: "limits.max_frame_size"
  Kind kind;
  std::uint64_t min = 0;  // integer, size, duration (milliseconds)
  std::uint64_t max = 0;
  Target (*target)(ServerConfig&) = nullptr;

  std::string_view section() const { return key.substr(0, key.find('.')); }
  std::string_view name() const { return key.substr(key.find('.') + 1); }
};

// Every key, in documentation order.
std::span<const Field> fields();
const Field* find_field(std::string_view key);
bool is_section(std::string_view name);

// "an integer between 1 and 2147483647", "a size between 16KiB and 16777215 bytes (...)", ...
std::string expectation(const Field& field);
bool in_range(const Field& field, std::uint64_t value);
// The field's current value in TOML syntax.
std::string format_value(const Field& field, ServerConfig& config);

// Names of an enum's values, indexed by the enumerator.
template <class E>
std::span<const std::string_view> names();
template <>
std::span<const std::string_view> names<TlsVersion>();
template <>
std::span<const std::string_view> names<LogLevel>();
template <>
std::span<const std::string_view> names<AccessLogFormat>();
template <>
std::span<const std::string_view> names<PushMode>();
// "\"auto\", \"push\", \"hints\" or \"off\""
std::string list_choices(std::span<const std::string_view> choices);
template <class E>
std::optional<E> from_name(std::string_view name) {
  const auto all = names<E>();
  for (std::size_t i = 0; i < all.size(); ++i) {
    if (all[i] == name) return static_cast<E>(i);
  }
  return std::nullopt;
}

// The keys of a [[push.link]] table.
inline constexpr std::array<std::string_view, 5> kLinkKeys = {"page", "href", "as", "critical", "nopush"};
// Request destinations accepted in push.link `as` ("" too: guessed from the extension).
inline constexpr std::array<std::string_view, 11> kDestinations = {
    "audio", "document", "embed", "fetch", "font", "image", "object", "script", "style", "track", "video"};

// TOML basic string with escapes: "a\"b".
std::string quote(std::string_view text);
// A key segment: bare when it can be ("max_frame_size"), else quoted ("\"/assets/\"").
std::string key_segment(std::string_view text);
// " (did you mean 'limits.max_frame_size'?)" for an unknown `key` among `candidates`, or "".
std::string suggestion(std::string_view key, std::span<const std::string> candidates);
// Cross-field and content checks that follow the per-field range checks in validate() (config_validate.cpp).
Status<ConfigError> validate_content(const ServerConfig& config);

}  // namespace h2push::server::detail
