// src/client/frame_printer.cpp
#include "client/frame_printer.hpp"

#include <cinttypes>
#include <variant>

#include "h2push/hpack/header_list.hpp"

namespace h2push::client {
namespace {

constexpr const char* kIndent = "          ";

std::string code_text(http2::ErrorCode code) {
  char buffer[64];
  std::snprintf(buffer, sizeof buffer, "%.*s(0x%02" PRIx32 ")", static_cast<int>(http2::to_string(code).size()),
                http2::to_string(code).data(), static_cast<std::uint32_t>(code));
  return buffer;
}

std::string hex(std::span<const std::byte> bytes) {
  std::string out;
  char buffer[4];
  for (std::byte b : bytes) {
    std::snprintf(buffer, sizeof buffer, "%02x", static_cast<unsigned>(b));
    out += buffer;
  }
  return out;
}

void flag_names(std::FILE* out, const http2::FrameHeader& h) {
  using http2::FrameType;
  std::string names;
  auto add = [&](const char* name) { names += names.empty() ? std::string("; ") + name : std::string(" | ") + name; };
  const bool data_or_headers = h.type == FrameType::data || h.type == FrameType::headers;
  if (data_or_headers && h.has(http2::kEndStream)) add("END_STREAM");
  if ((h.type == FrameType::settings || h.type == FrameType::ping) && h.has(http2::kAck)) add("ACK");
  const bool blocks =
      h.type == FrameType::headers || h.type == FrameType::push_promise || h.type == FrameType::continuation;
  if (blocks && h.has(http2::kEndHeaders)) add("END_HEADERS");
  if ((data_or_headers || h.type == FrameType::push_promise) && h.has(http2::kPadded)) add("PADDED");
  if (h.type == FrameType::headers && h.has(http2::kPriority)) add("PRIORITY");
  if (!names.empty()) std::fprintf(out, "%s%s\n", kIndent, names.c_str());
}

}  // namespace

FrameTracer::FrameTracer(bool sent, std::FILE* out, std::chrono::steady_clock::time_point start)
    : sent_(sent),
      out_(out),
      start_(start),
      reader_({.max_frame_size = http2::kMaxAllowedFrameSize,
               .preface = sent ? http2::PeerPreface::magic_then_settings : http2::PeerPreface::none}),
      decoder_({.max_table_size = 1U << 16, .max_header_list_size = std::uint64_t{1} << 32}) {}

std::string FrameTracer::stamp() const {
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, "[%7.3f]", seconds);
  return buffer;
}

void FrameTracer::feed(std::span<const std::byte> bytes) {
  while (!failed_) {
    auto frame = reader_.read(bytes);
    if (!frame) {
      failed_ = true;
      std::fprintf(out_, "%s %s: cannot trace further: %.*s\n", stamp().c_str(), sent_ ? "send" : "recv",
                   static_cast<int>(http2::to_string(frame.error().kind).size()),
                   http2::to_string(frame.error().kind).data());
      return;
    }
    if (!*frame) return;
    print(**frame);
  }
}

void FrameTracer::print_fields(std::span<const std::byte> block) {
  hpack::HeaderList list;
  if (auto status = decoder_.decode(block, list); !status) {
    std::fprintf(out_, "%s(cannot decode the field block: %.*s)\n", kIndent,
                 static_cast<int>(hpack::to_string(status.error()).size()), hpack::to_string(status.error()).data());
    return;
  }
  for (const hpack::Header& h : list) {
    std::fprintf(out_, "%s%.*s: %.*s\n", kIndent, static_cast<int>(h.name.size()), h.name.data(),
                 static_cast<int>(h.value.size()), h.value.data());
  }
}

void FrameTracer::print(const http2::FrameView& frame) {
  const http2::FrameHeader& h = frame.header;
  const std::string_view type = http2::to_string(h.type);
  std::fprintf(out_, "%s %s %.*s frame <length=%" PRIu32 ", flags=0x%02x, stream_id=%" PRIu32 ">\n", stamp().c_str(),
               sent_ ? "send" : "recv", static_cast<int>(type.size()), type.data(), h.length,
               static_cast<unsigned>(h.flags), h.stream_id.value());
  flag_names(out_, h);
  auto parsed = http2::parse_frame(h, frame.payload);
  if (!parsed) {
    std::fprintf(out_, "%s(malformed: %.*s)\n", kIndent, static_cast<int>(http2::to_string(parsed.error().kind).size()),
                 http2::to_string(parsed.error().kind).data());
    return;
  }
  const http2::Frame& f = *parsed;
  auto block_part = [&](std::span<const std::byte> fragment, bool end_headers) {
    block_.insert(block_.end(), fragment.begin(), fragment.end());
    if (!end_headers) return;
    print_fields(block_);
    block_.clear();
  };
  if (const auto* s = std::get_if<http2::SettingsFrame>(&f)) {
    std::fprintf(out_, "%s(niv=%zu)\n", kIndent, s->settings.size());
    for (const http2::Setting e : s->settings) {
      const std::string_view name = http2::to_string(e.id);
      std::fprintf(out_, "%s[%.*s(0x%02x):%" PRIu32 "]\n", kIndent, static_cast<int>(name.size()), name.data(),
                   static_cast<unsigned>(e.id), e.value);
    }
  } else if (const auto* hd = std::get_if<http2::HeadersFrame>(&f)) {
    block_.clear();
    block_part(hd->fragment, hd->end_headers);
  } else if (const auto* pp = std::get_if<http2::PushPromiseFrame>(&f)) {
    std::fprintf(out_, "%s(promised_stream_id=%" PRIu32 ")\n", kIndent, pp->promised_stream_id.value());
    block_.clear();
    block_part(pp->fragment, pp->end_headers);
  } else if (const auto* c = std::get_if<http2::ContinuationFrame>(&f)) {
    block_part(c->fragment, c->end_headers);
  } else if (const auto* r = std::get_if<http2::RstStreamFrame>(&f)) {
    std::fprintf(out_, "%s(error_code=%s)\n", kIndent, code_text(r->error_code).c_str());
  } else if (const auto* g = std::get_if<http2::GoawayFrame>(&f)) {
    const std::string_view debug(reinterpret_cast<const char*>(g->debug_data.data()), g->debug_data.size());
    std::fprintf(out_, "%s(last_stream_id=%" PRIu32 ", error_code=%s, opaque_data(%zu)=[%.*s])\n", kIndent,
                 g->last_stream_id.value(), code_text(g->error_code).c_str(), debug.size(),
                 static_cast<int>(debug.size()), debug.data());
  } else if (const auto* w = std::get_if<http2::WindowUpdateFrame>(&f)) {
    std::fprintf(out_, "%s(window_size_increment=%" PRIu32 ")\n", kIndent, w->window_size_increment);
  } else if (const auto* p = std::get_if<http2::PingFrame>(&f)) {
    std::fprintf(out_, "%s(opaque_data=%s)\n", kIndent, hex(p->opaque_data).c_str());
  } else if (const auto* u = std::get_if<http2::PriorityUpdateFrame>(&f)) {
    std::fprintf(out_, "%s(prioritized_stream_id=%" PRIu32 ", priority_field_value=%.*s)\n", kIndent,
                 u->prioritized_stream_id.value(), static_cast<int>(u->field_value.size()), u->field_value.data());
  }
}

}  // namespace h2push::client
