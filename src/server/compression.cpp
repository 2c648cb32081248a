// src/server/compression.cpp: Accept-Encoding parsing and the zlib / brotli calls.
#include "server/compression.hpp"

#include <brotli/encode.h>
#include <zlib.h>

#include <algorithm>
#include <climits>

namespace h2push::server {
namespace {

constexpr int kNoQ = -1;  // the coding was not listed

bool is_ows(char c) noexcept { return c == ' ' || c == '\t'; }

std::string_view trim(std::string_view s) noexcept {
  while (!s.empty() && is_ows(s.front())) s.remove_prefix(1);
  while (!s.empty() && is_ows(s.back())) s.remove_suffix(1);
  return s;
}

bool iequals(std::string_view a, std::string_view b) noexcept {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           const auto lower = [](char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; };
           return lower(x) == lower(y);
         });
}

// RFC 9110 §12.4.2: qvalue = ( "0" [ "." 0*3DIGIT ] ) / ( "1" [ "." 0*3("0") ] ), in thousandths; -1 if invalid.
int parse_qvalue(std::string_view v) noexcept {
  if (v.empty() || (v[0] != '0' && v[0] != '1')) return -1;
  int thousandths = v[0] == '1' ? 1000 : 0;
  if (v.size() == 1) return thousandths;
  if (v[1] != '.' || v.size() > 5) return -1;
  int scale = 100;
  for (const char c : v.substr(2)) {
    if (c < '0' || c > '9') return -1;
    thousandths += (c - '0') * scale;
    scale /= 10;
  }
  return thousandths > 1000 ? -1 : thousandths;
}

}  // namespace

std::string_view coding_name(ContentCoding coding) noexcept {
  switch (coding) {
    case ContentCoding::gzip:
      return "gzip";
    case ContentCoding::br:
      return "br";
    case ContentCoding::identity:
      break;
  }
  return "identity";
}

CodingPreference parse_accept_encoding(std::string_view value) noexcept {
  int q_gzip = kNoQ;
  int q_br = kNoQ;
  int q_any = kNoQ;
  while (!value.empty()) {
    const std::size_t comma = value.find(',');
    std::string_view element = value.substr(0, comma);
    value = comma == std::string_view::npos ? std::string_view() : value.substr(comma + 1);

    const std::size_t semicolon = element.find(';');
    const std::string_view coding = trim(element.substr(0, semicolon));
    if (coding.empty()) continue;
    int q = 1000;
    if (semicolon != std::string_view::npos) {
      std::string_view params = element.substr(semicolon + 1);
      while (!params.empty()) {
        const std::size_t next = params.find(';');
        const std::string_view param = trim(params.substr(0, next));
        params = next == std::string_view::npos ? std::string_view() : params.substr(next + 1);
        if (param.size() >= 2 && (param[0] == 'q' || param[0] == 'Q')) {
          const std::string_view rest = trim(param.substr(1));
          if (!rest.empty() && rest.front() == '=') {
            const int parsed = parse_qvalue(trim(rest.substr(1)));
            q = parsed < 0 ? 0 : parsed;
          }
        }
      }
    }
    // A coding listed twice keeps its highest weight.
    if (iequals(coding, "gzip") || iequals(coding, "x-gzip")) {
      q_gzip = std::max(q_gzip, q);
    } else if (iequals(coding, "br")) {
      q_br = std::max(q_br, q);
    } else if (coding == "*") {
      q_any = std::max(q_any, q);
    }
  }
  if (q_gzip == kNoQ) q_gzip = q_any;
  if (q_br == kNoQ) q_br = q_any;

  CodingPreference out;
  const bool br_first = q_br >= q_gzip;
  const ContentCoding first = br_first ? ContentCoding::br : ContentCoding::gzip;
  const ContentCoding second = br_first ? ContentCoding::gzip : ContentCoding::br;
  const int q_first = br_first ? q_br : q_gzip;
  const int q_second = br_first ? q_gzip : q_br;
  if (q_first > 0) out.order[out.count++] = first;
  if (q_second > 0) out.order[out.count++] = second;
  return out;
}

std::optional<std::string> gzip_compress(std::string_view data, int level) {
  z_stream zs{};
  // windowBits 15 + 16 asks zlib for the gzip wrapper; deflateInit2 leaves the header mtime at 0.
  if (deflateInit2(&zs, std::clamp(level, 0, 9), Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK) {
    return std::nullopt;
  }
  std::string out(deflateBound(&zs, static_cast<uLong>(data.size())), '\0');
  zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data()));  // zlib's API is not const-correct
  zs.next_out = reinterpret_cast<Bytef*>(out.data());
  std::size_t in_left = data.size();
  int rc = Z_OK;
  while (rc == Z_OK) {
    const auto chunk = static_cast<uInt>(std::min<std::size_t>(in_left, UINT_MAX));
    zs.avail_in = chunk;
    const std::size_t out_left = out.size() - zs.total_out;
    zs.avail_out = static_cast<uInt>(std::min<std::size_t>(out_left, UINT_MAX));
    rc = deflate(&zs, in_left == chunk ? Z_FINISH : Z_NO_FLUSH);
    in_left -= chunk - zs.avail_in;
    if (rc == Z_BUF_ERROR && zs.avail_out == 0) break;  // cannot happen with deflateBound; be safe anyway
  }
  const bool ok = rc == Z_STREAM_END;
  out.resize(zs.total_out);
  deflateEnd(&zs);
  if (!ok) return std::nullopt;
  return out;
}

std::optional<std::string> brotli_compress(std::string_view data, int quality, int window_bits) {
  const std::size_t bound = BrotliEncoderMaxCompressedSize(data.size());
  if (bound == 0) return std::nullopt;
  std::string out(bound, '\0');
  std::size_t out_size = out.size();
  const int ok = BrotliEncoderCompress(
      std::clamp(quality, BROTLI_MIN_QUALITY, BROTLI_MAX_QUALITY),
      std::clamp(window_bits, BROTLI_MIN_WINDOW_BITS, BROTLI_MAX_WINDOW_BITS), BROTLI_MODE_GENERIC, data.size(),
      reinterpret_cast<const std::uint8_t*>(data.data()), &out_size, reinterpret_cast<std::uint8_t*>(out.data()));
  if (ok != BROTLI_TRUE) return std::nullopt;
  out.resize(out_size);
  return out;
}

}  // namespace h2push::server
