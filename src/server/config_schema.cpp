// src/server/config_schema.cpp: the table of configuration keys, their ranges and their formatting.
#include "server/config_schema.hpp"

#include <algorithm>
#include <string>
#include <type_traits>

namespace h2push::server::detail {
namespace {

constexpr std::uint64_t kMinute = 60'000;  // milliseconds
constexpr std::uint64_t kHour = 60 * kMinute;
constexpr std::uint64_t kDay = 24 * kHour;
constexpr std::uint64_t kMaxWindow = 0x7fffffff;  // RFC 9113 §6.9.1: 2^31-1

// Ranges: RFC 9113 §6.5.2 where the protocol sets one; elsewhere bounds that keep memory per connection sane.
const Field kFields[] = {
    {"server.root", Kind::path, 0, 0, [](ServerConfig& c) -> Target { return &c.server.root; }},
    {"server.workers", Kind::integer, 0, 1024, [](ServerConfig& c) -> Target { return &c.server.workers; }},
    {"server.http", Kind::addresses, 0, 0, [](ServerConfig& c) -> Target { return &c.server.http; }},
    {"server.https", Kind::addresses, 0, 0, [](ServerConfig& c) -> Target { return &c.server.https; }},
    {"server.h2c", Kind::boolean, 0, 0, [](ServerConfig& c) -> Target { return &c.server.h2c; }},
    {"tls.cert", Kind::path, 0, 0, [](ServerConfig& c) -> Target { return &c.tls.cert; }},
    {"tls.key", Kind::path, 0, 0, [](ServerConfig& c) -> Target { return &c.tls.key; }},
    {"tls.min_version", Kind::choice, 0, 0, [](ServerConfig& c) -> Target { return &c.tls.min_version; }},
    {"tls.alpn", Kind::strings, 0, 0, [](ServerConfig& c) -> Target { return &c.tls.alpn; }},
    {"timeouts.tls_handshake", Kind::duration, 1, kHour,
     [](ServerConfig& c) -> Target { return &c.timeouts.tls_handshake; }},
    {"timeouts.request_header", Kind::duration, 1, kHour,
     [](ServerConfig& c) -> Target { return &c.timeouts.request_header; }},
    {"timeouts.idle", Kind::duration, 1, kDay, [](ServerConfig& c) -> Target { return &c.timeouts.idle; }},
    {"timeouts.keep_alive", Kind::duration, 0, kDay, [](ServerConfig& c) -> Target { return &c.timeouts.keep_alive; }},
    {"timeouts.settings_ack", Kind::duration, 1, kHour,
     [](ServerConfig& c) -> Target { return &c.timeouts.settings_ack; }},
    {"timeouts.send", Kind::duration, 1, kHour, [](ServerConfig& c) -> Target { return &c.timeouts.send; }},
    {"timeouts.shutdown", Kind::duration, 0, kHour, [](ServerConfig& c) -> Target { return &c.timeouts.shutdown; }},
    {"limits.max_connections", Kind::integer, 1, 1'000'000,
     [](ServerConfig& c) -> Target { return &c.limits.max_connections; }},
    {"limits.output_buffer_size", Kind::size, kKiB, kGiB,
     [](ServerConfig& c) -> Target { return &c.limits.output_buffer_size; }},
    {"limits.max_pending_output", Kind::size, 16 * kKiB, 4 * kGiB,
     [](ServerConfig& c) -> Target { return &c.limits.max_pending_output; }},
    {"limits.max_request_line", Kind::size, 256, kMiB,
     [](ServerConfig& c) -> Target { return &c.limits.max_request_line; }},
    {"limits.max_request_header_bytes", Kind::size, kKiB, 16 * kMiB,
     [](ServerConfig& c) -> Target { return &c.limits.max_request_header_bytes; }},
    {"limits.max_request_headers", Kind::integer, 1, 10'000,
     [](ServerConfig& c) -> Target { return &c.limits.max_request_headers; }},
    {"limits.max_request_body", Kind::size, 0, 1024 * kGiB,
     [](ServerConfig& c) -> Target { return &c.limits.max_request_body; }},
    {"limits.header_table_size", Kind::size, 0, 16 * kMiB,
     [](ServerConfig& c) -> Target { return &c.limits.header_table_size; }},
    {"limits.max_concurrent_streams", Kind::integer, 1, kMaxWindow,
     [](ServerConfig& c) -> Target { return &c.limits.max_concurrent_streams; }},
    {"limits.initial_window_size", Kind::size, 0, kMaxWindow,
     [](ServerConfig& c) -> Target { return &c.limits.initial_window_size; }},
    {"limits.max_frame_size", Kind::size, 16 * kKiB, 16 * kMiB - 1,
     [](ServerConfig& c) -> Target { return &c.limits.max_frame_size; }},
    {"limits.max_header_list_size", Kind::size, kKiB, kGiB,
     [](ServerConfig& c) -> Target { return &c.limits.max_header_list_size; }},
    {"limits.connection_window_size", Kind::size, 65535, kMaxWindow,
     [](ServerConfig& c) -> Target { return &c.limits.connection_window_size; }},
    {"limits.encoder_table_size", Kind::size, 0, 16 * kMiB,
     [](ServerConfig& c) -> Target { return &c.limits.encoder_table_size; }},
    {"limits.max_continuation_frames", Kind::integer, 0, 1'000'000,
     [](ServerConfig& c) -> Target { return &c.limits.max_continuation_frames; }},
    {"limits.max_field_block_size", Kind::size, kKiB, kGiB,
     [](ServerConfig& c) -> Target { return &c.limits.max_field_block_size; }},
    {"limits.max_settings_entries", Kind::integer, 1, 100'000,
     [](ServerConfig& c) -> Target { return &c.limits.max_settings_entries; }},
    {"limits.max_reserved_streams", Kind::integer, 0, 100'000,
     [](ServerConfig& c) -> Target { return &c.limits.max_reserved_streams; }},
    {"limits.max_closed_streams", Kind::integer, 0, 1'000'000,
     [](ServerConfig& c) -> Target { return &c.limits.max_closed_streams; }},
    {"limits.reset_budget", Kind::integer, 1, 100'000'000,
     [](ServerConfig& c) -> Target { return &c.limits.reset_budget; }},
    {"limits.resets_per_second", Kind::integer, 0, 100'000'000,
     [](ServerConfig& c) -> Target { return &c.limits.resets_per_second; }},
    {"limits.glitch_budget", Kind::integer, 1, 100'000'000,
     [](ServerConfig& c) -> Target { return &c.limits.glitch_budget; }},
    {"limits.glitches_per_second", Kind::integer, 0, 100'000'000,
     [](ServerConfig& c) -> Target { return &c.limits.glitches_per_second; }},
    {"static.index", Kind::strings, 0, 0, [](ServerConfig& c) -> Target { return &c.static_files.index; }},
    {"static.file_cache_size", Kind::size, 0, 64 * kGiB,
     [](ServerConfig& c) -> Target { return &c.static_files.file_cache_size; }},
    {"static.file_cache_max_entry_size", Kind::size, 0, kGiB,
     [](ServerConfig& c) -> Target { return &c.static_files.file_cache_max_entry_size; }},
    {"static.open_file_cache_validity", Kind::duration, 0, kHour,
     [](ServerConfig& c) -> Target { return &c.static_files.open_file_cache_validity; }},
    {"static.open_file_cache_entries", Kind::integer, 0, 1'000'000,
     [](ServerConfig& c) -> Target { return &c.static_files.open_file_cache_entries; }},
    {"cache.default", Kind::string, 0, 0, [](ServerConfig& c) -> Target { return &c.cache.default_value; }},
    {"cache.extensions", Kind::string_map, 0, 0, [](ServerConfig& c) -> Target { return &c.cache.extensions; }},
    {"cache.paths", Kind::string_map, 0, 0, [](ServerConfig& c) -> Target { return &c.cache.paths; }},
    {"compression.enabled", Kind::boolean, 0, 0, [](ServerConfig& c) -> Target { return &c.compression.enabled; }},
    {"compression.gzip", Kind::boolean, 0, 0, [](ServerConfig& c) -> Target { return &c.compression.gzip; }},
    {"compression.brotli", Kind::boolean, 0, 0, [](ServerConfig& c) -> Target { return &c.compression.brotli; }},
    {"compression.gzip_level", Kind::integer, 1, 9,
     [](ServerConfig& c) -> Target { return &c.compression.gzip_level; }},
    {"compression.brotli_level", Kind::integer, 0, 11,
     [](ServerConfig& c) -> Target { return &c.compression.brotli_level; }},
    {"compression.min_size", Kind::size, 0, kGiB, [](ServerConfig& c) -> Target { return &c.compression.min_size; }},
    {"compression.types", Kind::strings, 0, 0, [](ServerConfig& c) -> Target { return &c.compression.types; }},
    {"compression.precompressed", Kind::boolean, 0, 0,
     [](ServerConfig& c) -> Target { return &c.compression.precompressed; }},
    {"logging.access_log", Kind::log_sink, 0, 0, [](ServerConfig& c) -> Target { return &c.logging.access_log; }},
    {"logging.access_format", Kind::choice, 0, 0, [](ServerConfig& c) -> Target { return &c.logging.access_format; }},
    {"logging.error_log", Kind::log_sink, 0, 0, [](ServerConfig& c) -> Target { return &c.logging.error_log; }},
    {"logging.level", Kind::choice, 0, 0, [](ServerConfig& c) -> Target { return &c.logging.level; }},
    {"push.mode", Kind::choice, 0, 0, [](ServerConfig& c) -> Target { return &c.push.mode; }},
    {"push.paths", Kind::mode_map, 0, 0, [](ServerConfig& c) -> Target { return &c.push.paths; }},
    {"push.hints_h1", Kind::boolean, 0, 0, [](ServerConfig& c) -> Target { return &c.push.hints_h1; }},
    {"push.max_pushes", Kind::integer, 0, 1000, [](ServerConfig& c) -> Target { return &c.push.max_pushes; }},
    {"push.max_push_bytes", Kind::size, 0, kGiB, [](ServerConfig& c) -> Target { return &c.push.max_push_bytes; }},
    {"push.think_time", Kind::duration, 0, kMinute, [](ServerConfig& c) -> Target { return &c.push.think_time; }},
    {"push.manifest", Kind::path, 0, 0, [](ServerConfig& c) -> Target { return &c.push.manifest; }},
    {"push.link", Kind::links, 0, 0, [](ServerConfig& c) -> Target { return &c.push.links; }},
};

std::string size_bound(std::uint64_t value) {
  std::string text = format_size(value);
  if (value != 0 && text.find_first_not_of("0123456789") == std::string::npos) text += " bytes";
  return text;
}

template <class T>
inline constexpr bool kIsChoice = std::is_same_v<T, TlsVersion*> || std::is_same_v<T, LogLevel*> ||
                                  std::is_same_v<T, AccessLogFormat*> || std::is_same_v<T, PushMode*>;

template <class Range>
std::string join(const Range& items) {
  std::string out = "[";
  for (const auto& item : items) {
    if (out.size() > 1) out += ", ";
    out += quote(item);
  }
  return out + "]";
}

std::string format_link(const PushLink& link) {
  return "{ page = " + quote(link.page) + ", href = " + quote(link.href) + ", as = " + quote(link.as) +
         ", critical = " + (link.critical ? "true" : "false") + ", nopush = " + (link.nopush ? "true" : "false") + " }";
}

}  // namespace

std::span<const Field> fields() { return kFields; }

const Field* find_field(std::string_view key) {
  for (const Field& field : kFields) {
    if (field.key == key) return &field;
  }
  return nullptr;
}

bool is_section(std::string_view name) {
  return std::any_of(std::begin(kFields), std::end(kFields), [&](const Field& f) { return f.section() == name; });
}

bool in_range(const Field& field, std::uint64_t value) { return value >= field.min && value <= field.max; }

std::string expectation(const Field& field) {
  switch (field.kind) {
    case Kind::integer:
      return "an integer between " + std::to_string(field.min) + " and " + std::to_string(field.max);
    case Kind::size:
      return "a size between " + size_bound(field.min) + " and " + size_bound(field.max) +
             " (an integer of bytes, or a string such as \"64KiB\" or \"1MiB\")";
    case Kind::duration:
      return "a duration between " + format_duration(std::chrono::milliseconds{field.min}) + " and " +
             format_duration(std::chrono::milliseconds{field.max}) + " (a string such as \"200ms\", \"2s\" or \"1m\")";
    case Kind::boolean:
      return "true or false";
    case Kind::string:
      return "a string";
    case Kind::path:
      return "a path (a string)";
    case Kind::choice: {
      ServerConfig scratch;
      return std::visit(
          [](auto* target) -> std::string {
            using T = std::remove_pointer_t<decltype(target)>;
            if constexpr (kIsChoice<T*>) return "one of " + list_choices(names<T>());
            return {};
          },
          field.target(scratch));
    }
    case Kind::log_sink:
      return "\"off\", \"stdout\", \"stderr\" or a file path";
    case Kind::addresses:
      return "an address such as \"127.0.0.1:8080\", \"[::1]:443\" or \":8080\", or an array of them";
    case Kind::strings:
      return "an array of strings";
    case Kind::string_map:
      return "a table of strings";
    case Kind::mode_map:
      return "a table of push modes (" + list_choices(names<PushMode>()) + ") by path prefix";
    case Kind::links:
      return "an array of tables ([[push.link]])";
  }
  return {};
}

std::string format_value(const Field& field, ServerConfig& config) {
  return std::visit(
      [&](auto* target) -> std::string {
        using T = std::remove_pointer_t<decltype(target)>;
        if constexpr (std::is_same_v<T, std::uint32_t> || std::is_same_v<T, std::uint64_t>) {
          if (field.kind == Kind::integer) return std::to_string(*target);
          std::string text = format_size(*target);
          return text.find_first_not_of("0123456789") == std::string::npos ? text : quote(text);
        } else if constexpr (std::is_same_v<T, std::chrono::milliseconds>) {
          return quote(format_duration(*target));
        } else if constexpr (std::is_same_v<T, bool>) {
          return *target ? "true" : "false";
        } else if constexpr (std::is_same_v<T, std::string>) {
          return quote(*target);
        } else if constexpr (std::is_same_v<T, std::filesystem::path>) {
          return quote(target->string());
        } else if constexpr (kIsChoice<T*>) {
          return quote(names<T>()[static_cast<std::size_t>(*target)]);
        } else if constexpr (std::is_same_v<T, LogSink>) {
          return quote(to_string(*target));
        } else if constexpr (std::is_same_v<T, std::vector<Address>>) {
          std::vector<std::string> texts;
          for (const Address& a : *target) texts.push_back(a.to_string());
          return join(texts);
        } else if constexpr (std::is_same_v<T, std::vector<std::string>>) {
          return join(*target);
        } else if constexpr (std::is_same_v<T, StringMap> || std::is_same_v<T, ModeMap>) {
          if (target->empty()) return "{}";
          std::string out = "{ ";
          for (const auto& [key, value] : *target) {
            if (out.size() > 2) out += ", ";
            if constexpr (std::is_same_v<T, StringMap>) {
              out += key_segment(key) + " = " + quote(value);
            } else {
              out += key_segment(key) + " = " + quote(to_string(value));
            }
          }
          return out + " }";
        } else {
          static_assert(std::is_same_v<T, std::vector<PushLink>>);
          std::string out = "[";
          for (const PushLink& link : *target) {
            if (out.size() > 1) out += ", ";
            out += format_link(link);
          }
          return out + "]";
        }
      },
      field.target(config));
}

}  // namespace h2push::server::detail
