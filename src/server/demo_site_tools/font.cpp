// src/server/demo_site_tools/font.cpp: a complete TrueType font written table by table (OpenType 1.9 spec), plus
// its WOFF 1.0 wrapper (W3C WOFF File Format 1.0). Every glyph is a pattern of round dots on a 5x9 grid.
#include "demo_site_tools/font.hpp"

#include <zlib.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdlib>
#include <map>
#include <string>
#include <string_view>
#include <vector>

namespace h2push::demo_tools {
namespace {

constexpr int kUnitsPerEm = 1000;
constexpr int kAdvance = 720;
constexpr int kPitch = 120;     // distance between dot centres
constexpr int kDotRadius = 46;  // dots touch nothing: 28 units of air between neighbours
constexpr int kAscender = 900;
constexpr int kDescender = -260;
constexpr std::uint32_t kFixedTime = 3786912000u;  // 2024-01-01T00:00:00Z in seconds since 1904-01-01

// Rows 0..6 stand on the baseline (row 6 is the lowest above it); rows 7 and 8 are descenders. Rows are separated
// by '|', '#' is a dot; missing rows are empty.
struct GlyphArt {
  char32_t code;
  std::string_view rows;
};

constexpr std::array kGlyphs = {
    GlyphArt{U' ', ""},
    GlyphArt{U'!', "..#..|..#..|..#..|..#..|..#..|.....|..#.."},
    GlyphArt{U'"', ".#.#.|.#.#.|.#.#."},
    GlyphArt{U'#', ".#.#.|.#.#.|#####|.#.#.|#####|.#.#.|.#.#."},
    GlyphArt{U'$', "..#..|.####|#.#..|.###.|..#.#|####.|..#.."},
    GlyphArt{U'%', "##...|##..#|...#.|..#..|.#...|#..##|...##"},
    GlyphArt{U'&', ".##..|#..#.|#.#..|.#...|#.#.#|#..#.|.##.#"},
    GlyphArt{U'\'', "..#..|..#..|.#..."},
    GlyphArt{U'(', "...#.|..#..|.#...|.#...|.#...|..#..|...#."},
    GlyphArt{U')', ".#...|..#..|...#.|...#.|...#.|..#..|.#..."},
    GlyphArt{U'*', ".....|..#..|#.#.#|.###.|#.#.#|..#..|....."},
    GlyphArt{U'+', ".....|..#..|..#..|#####|..#..|..#..|....."},
    GlyphArt{U',', ".....|.....|.....|.....|.....|.##..|.##..|..#..|.#..."},
    GlyphArt{U'-', ".....|.....|.....|#####"},
    GlyphArt{U'.', ".....|.....|.....|.....|.....|.##..|.##.."},
    GlyphArt{U'/', ".....|....#|...#.|..#..|.#...|#...."},
    GlyphArt{U'0', ".###.|#...#|#..##|#.#.#|##..#|#...#|.###."},
    GlyphArt{U'1', "..#..|.##..|..#..|..#..|..#..|..#..|.###."},
    GlyphArt{U'2', ".###.|#...#|....#|...#.|..#..|.#...|#####"},
    GlyphArt{U'3', "#####|...#.|..#..|...#.|....#|#...#|.###."},
    GlyphArt{U'4', "...#.|..##.|.#.#.|#..#.|#####|...#.|...#."},
    GlyphArt{U'5', "#####|#....|####.|....#|....#|#...#|.###."},
    GlyphArt{U'6', "..##.|.#...|#....|####.|#...#|#...#|.###."},
    GlyphArt{U'7', "#####|....#|...#.|..#..|.#...|.#...|.#..."},
    GlyphArt{U'8', ".###.|#...#|#...#|.###.|#...#|#...#|.###."},
    GlyphArt{U'9', ".###.|#...#|#...#|.####|....#|...#.|.##.."},
    GlyphArt{U':', ".....|.##..|.##..|.....|.##..|.##.."},
    GlyphArt{U';', ".....|.##..|.##..|.....|.##..|.##..|..#..|.#..."},
    GlyphArt{U'<', "...#.|..#..|.#...|#....|.#...|..#..|...#."},
    GlyphArt{U'=', ".....|.....|#####|.....|#####"},
    GlyphArt{U'>', ".#...|..#..|...#.|....#|...#.|..#..|.#..."},
    GlyphArt{U'?', ".###.|#...#|....#|...#.|..#..|.....|..#.."},
    GlyphArt{U'@', ".###.|#...#|....#|.##.#|#.#.#|#.#.#|.###."},
    GlyphArt{U'A', ".###.|#...#|#...#|#####|#...#|#...#|#...#"},
    GlyphArt{U'B', "####.|#...#|#...#|####.|#...#|#...#|####."},
    GlyphArt{U'C', ".###.|#...#|#....|#....|#....|#...#|.###."},
    GlyphArt{U'D', "###..|#..#.|#...#|#...#|#...#|#..#.|###.."},
    GlyphArt{U'E', "#####|#....|#....|####.|#....|#....|#####"},
    GlyphArt{U'F', "#####|#....|#....|####.|#....|#....|#...."},
    GlyphArt{U'G', ".###.|#...#|#....|#.###|#...#|#...#|.####"},
    GlyphArt{U'H', "#...#|#...#|#...#|#####|#...#|#...#|#...#"},
    GlyphArt{U'I', ".###.|..#..|..#..|..#..|..#..|..#..|.###."},
    GlyphArt{U'J', "..###|...#.|...#.|...#.|...#.|#..#.|.##.."},
    GlyphArt{U'K', "#...#|#..#.|#.#..|##...|#.#..|#..#.|#...#"},
    GlyphArt{U'L', "#....|#....|#....|#....|#....|#....|#####"},
    GlyphArt{U'M', "#...#|##.##|#.#.#|#.#.#|#...#|#...#|#...#"},
    GlyphArt{U'N', "#...#|#...#|##..#|#.#.#|#..##|#...#|#...#"},
    GlyphArt{U'O', ".###.|#...#|#...#|#...#|#...#|#...#|.###."},
    GlyphArt{U'P', "####.|#...#|#...#|####.|#....|#....|#...."},
    GlyphArt{U'Q', ".###.|#...#|#...#|#...#|#.#.#|#..#.|.##.#"},
    GlyphArt{U'R', "####.|#...#|#...#|####.|#.#..|#..#.|#...#"},
    GlyphArt{U'S', ".####|#....|#....|.###.|....#|....#|####."},
    GlyphArt{U'T', "#####|..#..|..#..|..#..|..#..|..#..|..#.."},
    GlyphArt{U'U', "#...#|#...#|#...#|#...#|#...#|#...#|.###."},
    GlyphArt{U'V', "#...#|#...#|#...#|#...#|#...#|.#.#.|..#.."},
    GlyphArt{U'W', "#...#|#...#|#...#|#.#.#|#.#.#|#.#.#|.#.#."},
    GlyphArt{U'X', "#...#|#...#|.#.#.|..#..|.#.#.|#...#|#...#"},
    GlyphArt{U'Y', "#...#|#...#|.#.#.|..#..|..#..|..#..|..#.."},
    GlyphArt{U'Z', "#####|....#|...#.|..#..|.#...|#....|#####"},
    GlyphArt{U'[', ".###.|.#...|.#...|.#...|.#...|.#...|.###."},
    GlyphArt{U'\\', ".....|#....|.#...|..#..|...#.|....#"},
    GlyphArt{U']', ".###.|...#.|...#.|...#.|...#.|...#.|.###."},
    GlyphArt{U'^', "..#..|.#.#.|#...#"},
    GlyphArt{U'_', ".....|.....|.....|.....|.....|.....|.....|#####"},
    GlyphArt{U'`', ".#...|..#..|...#."},
    GlyphArt{U'a', ".....|.....|.###.|....#|.####|#...#|.####"},
    GlyphArt{U'b', "#....|#....|#.##.|##..#|#...#|#...#|####."},
    GlyphArt{U'c', ".....|.....|.###.|#....|#....|#...#|.###."},
    GlyphArt{U'd', "....#|....#|.##.#|#..##|#...#|#...#|.####"},
    GlyphArt{U'e', ".....|.....|.###.|#...#|#####|#....|.###."},
    GlyphArt{U'f', "..##.|.#..#|.#...|###..|.#...|.#...|.#..."},
    GlyphArt{U'g', ".....|.....|.####|#...#|#...#|#...#|.####|....#|.###."},
    GlyphArt{U'h', "#....|#....|#.##.|##..#|#...#|#...#|#...#"},
    GlyphArt{U'i', "..#..|.....|.##..|..#..|..#..|..#..|.###."},
    GlyphArt{U'j', "...#.|.....|..##.|...#.|...#.|...#.|...#.|#..#.|.##.."},
    GlyphArt{U'k', "#....|#....|#..#.|#.#..|##...|#.#..|#..#."},
    GlyphArt{U'l', ".##..|..#..|..#..|..#..|..#..|..#..|.###."},
    GlyphArt{U'm', ".....|.....|##.#.|#.#.#|#.#.#|#.#.#|#.#.#"},
    GlyphArt{U'n', ".....|.....|#.##.|##..#|#...#|#...#|#...#"},
    GlyphArt{U'o', ".....|.....|.###.|#...#|#...#|#...#|.###."},
    GlyphArt{U'p', ".....|.....|####.|#...#|#...#|#...#|####.|#....|#...."},
    GlyphArt{U'q', ".....|.....|.####|#...#|#...#|#...#|.####|....#|....#"},
    GlyphArt{U'r', ".....|.....|#.##.|##..#|#....|#....|#...."},
    GlyphArt{U's', ".....|.....|.####|#....|.###.|....#|####."},
    GlyphArt{U't', ".#...|.#...|###..|.#...|.#...|.#..#|..##."},
    GlyphArt{U'u', ".....|.....|#...#|#...#|#...#|#..##|.##.#"},
    GlyphArt{U'v', ".....|.....|#...#|#...#|#...#|.#.#.|..#.."},
    GlyphArt{U'w', ".....|.....|#...#|#...#|#.#.#|#.#.#|.#.#."},
    GlyphArt{U'x', ".....|.....|#...#|.#.#.|..#..|.#.#.|#...#"},
    GlyphArt{U'y', ".....|.....|#...#|#...#|#...#|#...#|.####|....#|.###."},
    GlyphArt{U'z', ".....|.....|#####|...#.|..#..|.#...|#####"},
    GlyphArt{U'{', "...#.|..#..|..#..|.#...|..#..|..#..|...#."},
    GlyphArt{U'|', "..#..|..#..|..#..|..#..|..#..|..#..|..#..|..#.."},
    GlyphArt{U'}', ".#...|..#..|..#..|...#.|..#..|..#..|.#..."},
    GlyphArt{U'~', ".....|.....|.#...|#.#.#|...#."},
    GlyphArt{U'\u00A0', ""},
    GlyphArt{U'\u00B0', ".##..|#..#.|#..#.|.##.."},
    GlyphArt{U'\u00B7', ".....|.....|.....|..#.."},
    GlyphArt{U'\u00D7', ".....|#...#|.#.#.|..#..|.#.#.|#...#"},
    GlyphArt{U'\u2014', ".....|.....|.....|#####"},
    GlyphArt{U'\u2022', ".....|.....|.###.|.###.|.###."},
    GlyphArt{U'\u2026', ".....|.....|.....|.....|.....|.....|#.#.#"},
    GlyphArt{U'\u2190', ".....|..#..|.#...|#####|.#...|..#.."},
    GlyphArt{U'\u2192', ".....|..#..|...#.|#####|...#.|..#.."},
};

struct Point {
  int x = 0;
  int y = 0;
  bool on_curve = true;
};

struct Glyph {
  std::vector<std::vector<Point>> contours;
  int x_min = 0, y_min = 0, x_max = 0, y_max = 0;
};

// One dot: eight on-curve points on the circle and eight off-curve points where neighbouring tangents meet, walked
// clockwise as TrueType wants outer contours.
std::vector<Point> dot(int cx, int cy) {
  std::vector<Point> points;
  const double pi = std::acos(-1.0);
  const double off_radius = kDotRadius / std::cos(pi / 8);
  for (int k = 0; k < 8; ++k) {
    const double on_angle = pi / 2 - k * pi / 4;
    const double off_angle = on_angle - pi / 8;
    points.push_back({cx + static_cast<int>(std::lround(kDotRadius * std::cos(on_angle))),
                      cy + static_cast<int>(std::lround(kDotRadius * std::sin(on_angle))), true});
    points.push_back({cx + static_cast<int>(std::lround(off_radius * std::cos(off_angle))),
                      cy + static_cast<int>(std::lround(off_radius * std::sin(off_angle))), false});
  }
  return points;
}

void finish_bounds(Glyph& glyph) {
  bool first = true;
  for (const auto& contour : glyph.contours) {
    for (const Point& p : contour) {
      if (first) {
        glyph.x_min = glyph.x_max = p.x;
        glyph.y_min = glyph.y_max = p.y;
        first = false;
      }
      glyph.x_min = std::min(glyph.x_min, p.x);
      glyph.x_max = std::max(glyph.x_max, p.x);
      glyph.y_min = std::min(glyph.y_min, p.y);
      glyph.y_max = std::max(glyph.y_max, p.y);
    }
  }
}

Glyph glyph_from_art(std::string_view rows) {
  Glyph glyph;
  int row = 0;
  int col = 0;
  for (char c : rows) {
    if (c == '|') {
      ++row;
      col = 0;
      continue;
    }
    if (c == '#') glyph.contours.push_back(dot(120 + kPitch * col, 60 + kPitch * (6 - row)));
    ++col;
  }
  finish_bounds(glyph);
  return glyph;
}

// .notdef: a hollow box (outer contour clockwise, inner counter-clockwise).
Glyph notdef_glyph() {
  Glyph glyph;
  glyph.contours.push_back({{80, 0}, {80, 760}, {640, 760}, {640, 0}});
  glyph.contours.push_back({{140, 60}, {580, 60}, {580, 700}, {140, 700}});
  finish_bounds(glyph);
  return glyph;
}

void put_i16(Bytes& out, int value) { put_u16be(out, static_cast<std::uint32_t>(value) & 0xffff); }

// A simple glyph description (OpenType 'glyf'): flags compressed with REPEAT, coordinates as deltas, 1 byte when
// they fit.
Bytes encode_glyph(const Glyph& glyph) {
  Bytes out;
  if (glyph.contours.empty()) return out;  // an empty glyph has no data at all; loca gives it zero length
  put_i16(out, static_cast<int>(glyph.contours.size()));
  put_i16(out, glyph.x_min);
  put_i16(out, glyph.y_min);
  put_i16(out, glyph.x_max);
  put_i16(out, glyph.y_max);
  int end = -1;
  for (const auto& contour : glyph.contours) {
    end += static_cast<int>(contour.size());
    put_u16be(out, static_cast<std::uint32_t>(end));
  }
  put_u16be(out, 0);  // no instructions

  std::vector<std::uint8_t> flags;
  Bytes xs;
  Bytes ys;
  int last_x = 0;
  int last_y = 0;
  auto coordinate = [](int delta, std::uint8_t short_bit, std::uint8_t same_bit, Bytes& bytes) -> std::uint8_t {
    if (delta == 0) return same_bit;
    if (std::abs(delta) < 256) {
      bytes.push_back(static_cast<std::uint8_t>(std::abs(delta)));
      return static_cast<std::uint8_t>(short_bit | (delta > 0 ? same_bit : 0));
    }
    put_i16(bytes, delta);
    return 0;
  };
  for (const auto& contour : glyph.contours) {
    for (const Point& p : contour) {
      std::uint8_t flag = p.on_curve ? 0x01 : 0x00;
      flag = static_cast<std::uint8_t>(flag | coordinate(p.x - last_x, 0x02, 0x10, xs));
      flag = static_cast<std::uint8_t>(flag | coordinate(p.y - last_y, 0x04, 0x20, ys));
      flags.push_back(flag);
      last_x = p.x;
      last_y = p.y;
    }
  }
  for (std::size_t i = 0; i < flags.size();) {
    std::size_t run = 1;
    while (i + run < flags.size() && flags[i + run] == flags[i] && run < 256) ++run;
    if (run > 2) {
      out.push_back(static_cast<std::uint8_t>(flags[i] | 0x08));
      out.push_back(static_cast<std::uint8_t>(run - 1));
    } else {
      out.insert(out.end(), run, flags[i]);
    }
    i += run;
  }
  out.insert(out.end(), xs.begin(), xs.end());
  out.insert(out.end(), ys.begin(), ys.end());
  while (out.size() % 4 != 0) out.push_back(0);
  return out;
}

Bytes utf16be(std::string_view ascii) {
  Bytes out;
  for (char c : ascii) put_u16be(out, static_cast<std::uint8_t>(c));
  return out;
}

Bytes name_table() {
  const std::array<std::string_view, 7> names = {
      "Dot patterns designed for the h2push demo site; free to use and change.",
      "h2push Dots",
      "Regular",
      "h2push Dots Regular 1.000",
      "h2push Dots Regular",
      "Version 1.000",
      "h2pushDots-Regular",
  };
  Bytes records;
  Bytes strings;
  for (std::size_t id = 0; id < names.size(); ++id) {
    const Bytes text = utf16be(names[id]);
    put_u16be(records, 3);      // platform: Windows
    put_u16be(records, 1);      // encoding: Unicode BMP
    put_u16be(records, 0x409);  // language: en-US
    put_u16be(records, static_cast<std::uint32_t>(id));
    put_u16be(records, static_cast<std::uint32_t>(text.size()));
    put_u16be(records, static_cast<std::uint32_t>(strings.size()));
    strings.insert(strings.end(), text.begin(), text.end());
  }
  Bytes out;
  put_u16be(out, 0);
  put_u16be(out, static_cast<std::uint32_t>(names.size()));
  put_u16be(out, static_cast<std::uint32_t>(6 + records.size()));
  out.insert(out.end(), records.begin(), records.end());
  out.insert(out.end(), strings.begin(), strings.end());
  return out;
}

int floor_log2(std::uint32_t n) {
  int log = 0;
  while ((2u << log) <= n) ++log;
  return log;
}

// cmap with one format 4 subtable, listed for platform 0 (Unicode BMP) and platform 3 (Windows Unicode BMP).
Bytes cmap_table(const std::map<char32_t, int>& glyph_of) {
  struct Segment {
    std::uint32_t start, end;
    int delta;
  };
  std::vector<Segment> segments;
  for (const auto& [code, gid] : glyph_of) {
    const auto c = static_cast<std::uint32_t>(code);
    if (!segments.empty() && segments.back().end + 1 == c &&
        static_cast<int>(segments.back().end) + segments.back().delta + 1 == gid) {
      segments.back().end = c;
    } else {
      segments.push_back({c, c, gid - static_cast<int>(c)});
    }
  }
  segments.push_back({0xffff, 0xffff, 1});  // the mandatory last segment
  const auto seg_count = static_cast<std::uint32_t>(segments.size());
  const std::uint32_t search_range = 2u << floor_log2(seg_count);
  Bytes sub;
  put_u16be(sub, 4);
  put_u16be(sub, 16 + 8 * seg_count);  // length
  put_u16be(sub, 0);                   // language
  put_u16be(sub, 2 * seg_count);
  put_u16be(sub, search_range);
  put_u16be(sub, static_cast<std::uint32_t>(floor_log2(search_range / 2)));
  put_u16be(sub, 2 * seg_count - search_range);
  for (const Segment& s : segments) put_u16be(sub, s.end);
  put_u16be(sub, 0);  // reservedPad
  for (const Segment& s : segments) put_u16be(sub, s.start);
  for (const Segment& s : segments) put_i16(sub, s.delta);
  for (std::size_t i = 0; i < segments.size(); ++i) put_u16be(sub, 0);  // idRangeOffset: deltas only
  Bytes out;
  put_u16be(out, 0);
  put_u16be(out, 2);
  for (std::uint32_t platform : {0u, 3u}) {
    put_u16be(out, platform);
    put_u16be(out, platform == 0 ? 3 : 1);
    put_u32be(out, 4 + 2 * 8);
  }
  out.insert(out.end(), sub.begin(), sub.end());
  return out;
}

std::uint32_t table_checksum(const Bytes& table) {
  std::uint32_t sum = 0;
  for (std::size_t i = 0; i < table.size(); i += 4) {
    std::uint32_t word = 0;
    for (std::size_t k = 0; k < 4; ++k) word = (word << 8) | (i + k < table.size() ? table[i + k] : 0u);
    sum += word;
  }
  return sum;
}

struct Table {
  std::string tag;
  Bytes data;
};

}  // namespace

Bytes build_dot_font_ttf() {
  std::vector<Glyph> glyphs = {notdef_glyph()};
  std::map<char32_t, int> glyph_of;
  for (const GlyphArt& art : kGlyphs) {
    glyph_of[art.code] = static_cast<int>(glyphs.size());
    glyphs.push_back(glyph_from_art(art.rows));
  }

  Bytes glyf;
  Bytes loca;
  int x_min = 0, y_min = 0, x_max = 0, y_max = 0, min_rsb = kAdvance, max_points = 0, max_contours = 0;
  long width_sum = 0;
  for (const Glyph& glyph : glyphs) {
    put_u32be(loca, static_cast<std::uint32_t>(glyf.size()));
    const Bytes data = encode_glyph(glyph);
    glyf.insert(glyf.end(), data.begin(), data.end());
    width_sum += kAdvance;
    if (glyph.contours.empty()) continue;
    x_min = std::min(x_min, glyph.x_min);
    y_min = std::min(y_min, glyph.y_min);
    x_max = std::max(x_max, glyph.x_max);
    y_max = std::max(y_max, glyph.y_max);
    min_rsb = std::min(min_rsb, kAdvance - glyph.x_max);
    int points = 0;
    for (const auto& contour : glyph.contours) points += static_cast<int>(contour.size());
    max_points = std::max(max_points, points);
    max_contours = std::max(max_contours, static_cast<int>(glyph.contours.size()));
  }
  put_u32be(loca, static_cast<std::uint32_t>(glyf.size()));
  int min_lsb = kAdvance;
  for (const Glyph& glyph : glyphs) {
    if (!glyph.contours.empty()) min_lsb = std::min(min_lsb, glyph.x_min);
  }
  const auto num_glyphs = static_cast<std::uint32_t>(glyphs.size());

  Bytes head;
  put_u32be(head, 0x00010000);  // version
  put_u32be(head, 0x00010000);  // fontRevision 1.0
  put_u32be(head, 0);           // checkSumAdjustment, set once the whole font exists
  put_u32be(head, 0x5F0F3CF5);  // magicNumber
  put_u16be(head, 0x000B);      // baseline at y=0, lsb at x=0, integer scaling
  put_u16be(head, kUnitsPerEm);
  for (int i = 0; i < 2; ++i) {  // created, modified
    put_u32be(head, 0);
    put_u32be(head, kFixedTime);
  }
  put_i16(head, x_min);
  put_i16(head, y_min);
  put_i16(head, x_max);
  put_i16(head, y_max);
  put_u16be(head, 0);  // macStyle
  put_u16be(head, 8);  // lowestRecPPEM
  put_i16(head, 2);    // fontDirectionHint
  put_i16(head, 1);    // indexToLocFormat: 32-bit offsets
  put_i16(head, 0);    // glyphDataFormat

  Bytes hhea;
  put_u32be(hhea, 0x00010000);
  put_i16(hhea, kAscender);
  put_i16(hhea, kDescender);
  put_i16(hhea, 0);  // lineGap
  put_u16be(hhea, kAdvance);
  put_i16(hhea, min_lsb);
  put_i16(hhea, min_rsb);
  put_i16(hhea, x_max);                          // xMaxExtent: lsb + width = xMax for every glyph here
  put_i16(hhea, 1);                              // caretSlopeRise
  put_i16(hhea, 0);                              // caretSlopeRun
  for (int i = 0; i < 5; ++i) put_i16(hhea, 0);  // caretOffset, 4 reserved
  put_i16(hhea, 0);                              // metricDataFormat
  put_u16be(hhea, num_glyphs);                   // numberOfHMetrics

  Bytes hmtx;
  for (const Glyph& glyph : glyphs) {
    put_u16be(hmtx, kAdvance);
    put_i16(hmtx, glyph.contours.empty() ? 0 : glyph.x_min);
  }

  Bytes maxp;
  put_u32be(maxp, 0x00010000);
  put_u16be(maxp, num_glyphs);
  put_u16be(maxp, static_cast<std::uint32_t>(max_points));
  put_u16be(maxp, static_cast<std::uint32_t>(max_contours));
  put_u16be(maxp, 0);                              // maxCompositePoints
  put_u16be(maxp, 0);                              // maxCompositeContours
  put_u16be(maxp, 2);                              // maxZones
  for (int i = 0; i < 7; ++i) put_u16be(maxp, 0);  // twilight, storage, fdefs, idefs, stack, instructions, comps
  put_u16be(maxp, 0);                              // maxComponentDepth

  Bytes os2;
  put_u16be(os2, 4);  // version
  put_i16(os2, static_cast<int>(width_sum / static_cast<long>(num_glyphs)));
  put_u16be(os2, 400);                                                            // usWeightClass
  put_u16be(os2, 5);                                                              // usWidthClass
  put_u16be(os2, 0);                                                              // fsType: installable
  for (int v : {650, 600, 0, 75, 650, 600, 0, 350, 50, 300, 0}) put_i16(os2, v);  // sub/superscript, strikeout
  os2.insert(os2.end(), {2, 0, 5, 9, 0, 0, 0, 0, 0, 0});  // PANOSE: Latin text, monospaced proportion
  put_u32be(os2, 0x80000003);                             // ulUnicodeRange1: Basic Latin, Latin-1, punctuation
  put_u32be(os2, 0x00000020);                             // ulUnicodeRange2: arrows
  put_u32be(os2, 0);
  put_u32be(os2, 0);
  os2.insert(os2.end(), {'H', '2', 'P', 'S'});  // achVendID
  put_u16be(os2, 0x00C0);                       // fsSelection: REGULAR, USE_TYPO_METRICS
  put_u16be(os2, 0x20);                         // usFirstCharIndex
  put_u16be(os2, 0x2192);                       // usLastCharIndex
  put_i16(os2, kAscender);
  put_i16(os2, kDescender);
  put_i16(os2, 0);  // sTypoLineGap
  put_u16be(os2, static_cast<std::uint32_t>(std::max(kAscender, y_max)));
  put_u16be(os2, static_cast<std::uint32_t>(std::max(-kDescender, -y_min)));
  put_u32be(os2, 1);  // ulCodePageRange1: Latin 1
  put_u32be(os2, 0);
  put_i16(os2, 60 + 4 * kPitch + kDotRadius);  // sxHeight: top of row 2
  put_i16(os2, 60 + 6 * kPitch + kDotRadius);  // sCapHeight: top of row 0
  put_u16be(os2, 0);                           // usDefaultChar
  put_u16be(os2, 0x20);                        // usBreakChar
  put_u16be(os2, 1);                           // usMaxContext

  Bytes post;
  put_u32be(post, 0x00030000);  // version 3: no glyph names
  put_u32be(post, 0);           // italicAngle
  put_i16(post, -120);          // underlinePosition
  put_i16(post, 50);            // underlineThickness
  put_u32be(post, 1);           // isFixedPitch
  for (int i = 0; i < 4; ++i) put_u32be(post, 0);

  std::vector<Table> tables = {
      {"OS/2", os2},          {"cmap", cmap_table(glyph_of)},
      {"glyf", glyf},         {"head", head},
      {"hhea", hhea},         {"hmtx", hmtx},
      {"loca", loca},         {"maxp", maxp},
      {"name", name_table()}, {"post", post},
  };
  std::sort(tables.begin(), tables.end(), [](const Table& a, const Table& b) { return a.tag < b.tag; });

  const auto count = static_cast<std::uint32_t>(tables.size());
  const std::uint32_t search_range = 16u << floor_log2(count);
  Bytes out;
  put_u32be(out, 0x00010000);
  put_u16be(out, count);
  put_u16be(out, search_range);
  put_u16be(out, static_cast<std::uint32_t>(floor_log2(count)));
  put_u16be(out, count * 16 - search_range);
  std::size_t offset = 12 + 16 * tables.size();
  std::size_t head_offset = 0;
  for (const Table& table : tables) {
    out.insert(out.end(), table.tag.begin(), table.tag.end());
    put_u32be(out, table_checksum(table.data));
    put_u32be(out, static_cast<std::uint32_t>(offset));
    put_u32be(out, static_cast<std::uint32_t>(table.data.size()));
    if (table.tag == "head") head_offset = offset;
    offset += (table.data.size() + 3) & ~std::size_t{3};
  }
  for (const Table& table : tables) {
    out.insert(out.end(), table.data.begin(), table.data.end());
    while (out.size() % 4 != 0) out.push_back(0);
  }
  // OpenType 'head': checkSumAdjustment = 0xB1B0AFBA minus the checksum of the entire font.
  const std::uint32_t adjustment = 0xB1B0AFBAu - table_checksum(out);
  for (std::size_t k = 0; k < 4; ++k) out[head_offset + 8 + k] = static_cast<std::uint8_t>(adjustment >> (24 - 8 * k));
  return out;
}

Bytes wrap_woff(const Bytes& sfnt) {
  auto u16 = [&](std::size_t at) { return static_cast<std::uint32_t>((sfnt[at] << 8) | sfnt[at + 1]); };
  auto u32 = [&](std::size_t at) { return (u16(at) << 16) | u16(at + 2); };
  const std::uint32_t count = u16(4);
  struct Entry {
    std::uint32_t tag, checksum, orig_length;
    Bytes data;  // compressed or, when that does not help, the original bytes
  };
  std::vector<Entry> entries;
  std::uint32_t total_sfnt = 12 + 16 * count;
  for (std::uint32_t i = 0; i < count; ++i) {
    const std::size_t record = 12 + 16 * static_cast<std::size_t>(i);
    const std::uint32_t offset = u32(record + 8);
    const std::uint32_t length = u32(record + 12);
    const Bytes original(sfnt.begin() + offset, sfnt.begin() + offset + length);
    uLongf size = compressBound(length);
    Bytes packed(size);
    if (compress2(packed.data(), &size, original.data(), length, 9) != Z_OK) std::abort();
    packed.resize(size);
    entries.push_back({u32(record), u32(record + 4), length, packed.size() < original.size() ? packed : original});
    total_sfnt += (length + 3) & ~3u;
  }
  std::uint32_t offset = 44 + 20 * count;
  Bytes directory;
  for (const Entry& e : entries) {
    put_u32be(directory, e.tag);
    put_u32be(directory, offset);
    put_u32be(directory, static_cast<std::uint32_t>(e.data.size()));
    put_u32be(directory, e.orig_length);
    put_u32be(directory, e.checksum);
    offset += (static_cast<std::uint32_t>(e.data.size()) + 3) & ~3u;
  }
  Bytes out;
  put_u32be(out, 0x774F4646);  // 'wOFF'
  put_u32be(out, 0x00010000);  // flavor: TrueType outlines
  put_u32be(out, offset);      // length of the whole file
  put_u16be(out, count);
  put_u16be(out, 0);  // reserved
  put_u32be(out, total_sfnt);
  put_u16be(out, 1);                              // majorVersion
  put_u16be(out, 0);                              // minorVersion
  for (int i = 0; i < 5; ++i) put_u32be(out, 0);  // no metadata, no private data
  out.insert(out.end(), directory.begin(), directory.end());
  for (const Entry& e : entries) {
    out.insert(out.end(), e.data.begin(), e.data.end());
    while (out.size() % 4 != 0) out.push_back(0);
  }
  return out;
}

}  // namespace h2push::demo_tools
