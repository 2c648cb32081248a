// src/server/demo_site_tools/scenes.cpp: value noise, a harbour painter, a paper texture and the site icon.
#include "demo_site_tools/scenes.hpp"

#include <algorithm>
#include <cmath>

namespace h2push::demo_tools {
namespace {

constexpr double kPi = 3.14159265358979323846;

struct Rgb {
  double r = 0;
  double g = 0;
  double b = 0;
};

Rgb mix(Rgb a, Rgb b, double t) {
  t = std::clamp(t, 0.0, 1.0);
  return {a.r + (b.r - a.r) * t, a.g + (b.g - a.g) * t, a.b + (b.b - a.b) * t};
}
Rgb scale(Rgb a, double k) { return {a.r * k, a.g * k, a.b * k}; }
Rgb hex(std::uint32_t v) {
  return {static_cast<double>((v >> 16) & 0xff), static_cast<double>((v >> 8) & 0xff), static_cast<double>(v & 0xff)};
}
double smoothstep(double e0, double e1, double x) {
  const double t = std::clamp((x - e0) / (e1 - e0), 0.0, 1.0);
  return t * t * (3 - 2 * t);
}

std::uint32_t hash3(std::uint32_t a, std::uint32_t b, std::uint32_t seed) {
  std::uint32_t h = seed * 0x9E3779B1u ^ a * 0x85EBCA77u ^ b * 0xC2B2AE3Du;
  h ^= h >> 15;
  h *= 0x2C1B3C6Du;
  h ^= h >> 12;
  h *= 0x297A2D39u;
  h ^= h >> 15;
  return h;
}
double unit(std::uint32_t h) { return static_cast<double>(h & 0xffffff) / static_cast<double>(0xffffff); }

// Value noise on an integer lattice, optionally periodic with `period` cells, in [0, 1].
class Noise {
 public:
  explicit Noise(std::uint32_t seed) : seed_(seed) {}

  double value(double x, double y, int period = 0) const {
    const double fx = std::floor(x);
    const double fy = std::floor(y);
    const auto ix = static_cast<int>(fx);
    const auto iy = static_cast<int>(fy);
    const double tx = smoothstep(0, 1, x - fx);
    const double ty = smoothstep(0, 1, y - fy);
    const double a = lattice(ix, iy, period);
    const double b = lattice(ix + 1, iy, period);
    const double c = lattice(ix, iy + 1, period);
    const double d = lattice(ix + 1, iy + 1, period);
    return (a + (b - a) * tx) + ((c + (d - c) * tx) - (a + (b - a) * tx)) * ty;
  }

  // Fractal sum of `octaves` layers, each twice the frequency and half the amplitude of the last.
  double fbm(double x, double y, int octaves, int period = 0) const {
    double sum = 0;
    double amplitude = 0.5;
    double norm = 0;
    for (int i = 0; i < octaves; ++i) {
      sum += amplitude * value(x, y, period);
      norm += amplitude;
      x *= 2;
      y *= 2;
      period *= 2;
      amplitude *= 0.5;
    }
    return sum / norm;
  }

 private:
  double lattice(int x, int y, int period) const {
    if (period > 0) {
      x = ((x % period) + period) % period;
      y = ((y % period) + period) % period;
    }
    return unit(hash3(static_cast<std::uint32_t>(x), static_cast<std::uint32_t>(y), seed_));
  }

  std::uint32_t seed_;
};

// Colours of one mood, then where the sun (or moon) stands in the frame (fractions of width and height) and how
// much of each effect the mood has (0..1).
struct Palette {
  Rgb sky_top, sky_horizon, sun, glow, cloud, hill_far, hill_near, sea_light, sea_deep, tower, lamp;
  double sun_x, sun_y, sun_radius, clouds, haze, stars, lamp_strength;
};

Palette palette_for(Mood mood) {
  switch (mood) {
    case Mood::day:
      return {.sky_top = hex(0x3d7fc4),
              .sky_horizon = hex(0xbfe0f2),
              .sun = hex(0xfffbe8),
              .glow = hex(0xfff3c4),
              .cloud = hex(0xffffff),
              .hill_far = hex(0x6f97a8),
              .hill_near = hex(0x3f6b52),
              .sea_light = hex(0x4aa3b8),
              .sea_deep = hex(0x0f4c6e),
              .tower = hex(0xf2efe6),
              .lamp = hex(0xfff6d0),
              .sun_x = 0.78,
              .sun_y = 0.16,
              .sun_radius = 0.045,
              .clouds = 0.55,
              .haze = 0.25,
              .stars = 0.0,
              .lamp_strength = 0.0};
    case Mood::night:
      return {.sky_top = hex(0x050a1c),
              .sky_horizon = hex(0x1c2a4f),
              .sun = hex(0xf4f1e0),
              .glow = hex(0x8fa3d9),
              .cloud = hex(0x2a3556),
              .hill_far = hex(0x141c33),
              .hill_near = hex(0x0b1020),
              .sea_light = hex(0x22345e),
              .sea_deep = hex(0x040814),
              .tower = hex(0x8a8fa6),
              .lamp = hex(0xffd98a),
              .sun_x = 0.24,
              .sun_y = 0.2,
              .sun_radius = 0.03,
              .clouds = 0.35,
              .haze = 0.1,
              .stars = 1.0,
              .lamp_strength = 1.0};
    case Mood::fog:
      return {.sky_top = hex(0x9aa7ad),
              .sky_horizon = hex(0xd8dcd9),
              .sun = hex(0xf6f4ec),
              .glow = hex(0xe6e6de),
              .cloud = hex(0xe9ebe8),
              .hill_far = hex(0xaab4b6),
              .hill_near = hex(0x7f8c8a),
              .sea_light = hex(0xb6c2c2),
              .sea_deep = hex(0x5d6f74),
              .tower = hex(0xe0ddd4),
              .lamp = hex(0xffe8b0),
              .sun_x = 0.6,
              .sun_y = 0.3,
              .sun_radius = 0.05,
              .clouds = 0.8,
              .haze = 0.75,
              .stars = 0.0,
              .lamp_strength = 0.4};
    case Mood::dawn:
      return {.sky_top = hex(0x2b3f78),
              .sky_horizon = hex(0xf7b88f),
              .sun = hex(0xfff0c8),
              .glow = hex(0xffc38a),
              .cloud = hex(0xf2a3a0),
              .hill_far = hex(0x6a5a86),
              .hill_near = hex(0x3a2f52),
              .sea_light = hex(0xd9909a),
              .sea_deep = hex(0x263866),
              .tower = hex(0xe8dcd2),
              .lamp = hex(0xffe2a0),
              .sun_x = 0.36,
              .sun_y = 0.42,
              .sun_radius = 0.05,
              .clouds = 0.45,
              .haze = 0.35,
              .stars = 0.25,
              .lamp_strength = 0.6};
    case Mood::dusk:
    default:
      return {.sky_top = hex(0x1d2b57),
              .sky_horizon = hex(0xf28c58),
              .sun = hex(0xfff1c1),
              .glow = hex(0xffb066),
              .cloud = hex(0xc86a6a),
              .hill_far = hex(0x4b3d6b),
              .hill_near = hex(0x231d3a),
              .sea_light = hex(0xe08a5f),
              .sea_deep = hex(0x1a2347),
              .tower = hex(0xd9cfc4),
              .lamp = hex(0xffe9a8),
              .sun_x = 0.62,
              .sun_y = 0.46,
              .sun_radius = 0.06,
              .clouds = 0.5,
              .haze = 0.3,
              .stars = 0.15,
              .lamp_strength = 0.8};
  }
}

std::uint8_t to_byte(double v) { return static_cast<std::uint8_t>(std::clamp(std::lround(v), 0L, 255L)); }

}  // namespace

Image paint_harbour(int width, int height, Mood mood, std::uint32_t seed) {
  const Palette p = palette_for(mood);
  const Noise noise(seed);
  Image image(width, height, 3);
  const double aspect = static_cast<double>(width) / height;
  const double horizon = 0.62;
  const double headland_end = 0.34;  // the near headland covers the left third
  const double tower_x = 0.16;

  for (int y = 0; y < height; ++y) {
    const double v = (y + 0.5) / height;
    for (int x = 0; x < width; ++x) {
      const double u = (x + 0.5) / width;
      Rgb c;
      const double dx = (u - p.sun_x) * aspect;
      if (v < horizon) {
        // Sky: a vertical gradient, the sun's glow, banded clouds and (at night) stars.
        c = mix(p.sky_top, p.sky_horizon, std::pow(v / horizon, 1.5));
        const double d = std::hypot(dx, v - p.sun_y);
        c = mix(c, p.glow, 0.55 * std::exp(-d * d / 0.02));
        c = mix(c, p.sun, smoothstep(p.sun_radius, p.sun_radius * 0.85, d));
        const double band = std::exp(-std::pow((v - 0.28) / 0.14, 2.0));
        const double cloud = noise.fbm(u * aspect * 2.2, v * 9.0, 6) * band;
        c = mix(c, mix(p.cloud, p.glow, 0.3 * (1 - v)), smoothstep(0.38, 0.62, cloud) * p.clouds);
        if (p.stars > 0 && hash3(static_cast<std::uint32_t>(x), static_cast<std::uint32_t>(y), seed) % 900 == 0) {
          c = mix(c, hex(0xffffff),
                  p.stars * (1 - v / horizon) *
                      unit(hash3(static_cast<std::uint32_t>(y), static_cast<std::uint32_t>(x), 7)));
        }
        // Far hills, washed out by haze, then the near headland with its lighthouse.
        const double far_top = horizon - 0.05 - 0.09 * noise.fbm(u * 4.0, 3.7, 5);
        if (v > far_top) c = mix(p.hill_far, p.sky_horizon, p.haze + 0.3 * (horizon - v) / 0.14);
        const double near_top = horizon - 0.16 * smoothstep(headland_end, 0.05, u) -
                                0.03 * noise.fbm(u * 9.0, 11.3, 4) * smoothstep(headland_end, 0.2, u);
        if (u < headland_end && v > near_top) {
          const double shade = 0.8 + 0.2 * noise.fbm(u * 40.0, v * 40.0, 3);
          c = scale(mix(p.hill_near, p.sky_horizon, p.haze * 0.5), shade);
        }
        const double tower_base = horizon - 0.16 * smoothstep(headland_end, 0.05, tower_x);
        const double tower_height = 0.2;
        const double t = (tower_base - v) / tower_height;  // 0 at the foot, 1 at the lamp
        if (t > 0 && t < 1) {
          const double half_width = (0.018 - 0.007 * t) / aspect * 1.6;
          if (std::abs(u - tower_x) < half_width) {
            const bool stripe = static_cast<int>(t * 7) % 2 == 1;
            c = stripe ? mix(p.tower, hex(0xa33a32), 0.8) : p.tower;
            c = scale(c, 0.75 + 0.25 * (1 - (u - tower_x + half_width) / (2 * half_width)));
          }
        }
        const double lamp = std::hypot((u - tower_x) * aspect, v - (tower_base - tower_height - 0.012));
        c = mix(c, p.lamp, p.lamp_strength * std::exp(-lamp * lamp / 0.0004));
      } else {
        // Sea: darker with depth, waves whose spacing shrinks toward the horizon, the sun's path on the water.
        const double depth = (v - horizon) / (1 - horizon);
        c = mix(p.sea_light, p.sea_deep, std::pow(depth, 0.6));
        const double wobble = noise.fbm(u * aspect * 6.0, v * 30.0, 4);
        const double phase = 2.2 / (depth + 0.04) + wobble * 6.0;
        const double wave = std::sin(phase * kPi);
        c = scale(c, 1.0 + 0.09 * wave * (1 - depth * 0.5));
        const double path_width = 0.02 + 0.12 * depth;
        const double path = std::exp(-dx * dx / (path_width * path_width));
        const double sparkle = smoothstep(0.3, 0.9, wave * 0.5 + 0.5 + (wobble - 0.5));
        c = mix(c, p.glow, path * sparkle * 0.8);
        const double lamp_path = std::exp(-std::pow((u - tower_x) * aspect / (0.01 + 0.05 * depth), 2.0));
        c = mix(c, p.lamp, p.lamp_strength * lamp_path * sparkle * 0.5 * (1 - depth));
        c = mix(c, p.sky_horizon, p.haze * (1 - depth) * 0.5);
      }
      // Vignette: darker corners, as a lens would give.
      const double r = std::hypot((u - 0.5) * 1.2, v - 0.5);
      c = scale(c, 1.0 - 0.35 * smoothstep(0.45, 0.95, r));
      std::uint8_t* px = image.at(x, y);
      px[0] = to_byte(c.r);
      px[1] = to_byte(c.g);
      px[2] = to_byte(c.b);
    }
  }
  return image;
}

Image paint_paper_texture(int size, std::uint32_t seed) {
  const Noise noise(seed);
  Image image(size, size, 4);
  const int period = 8;
  for (int y = 0; y < size; ++y) {
    for (int x = 0; x < size; ++x) {
      const double u = static_cast<double>(x) / size * period;
      const double v = static_cast<double>(y) / size * period;
      // Soft clouds of fibre over a fine speckle, both repeating exactly at the tile's edges; kept faint so the
      // texture reads as paper, not as a pattern.
      const double fibre = noise.fbm(u * 2, v * 2, 4, period * 2);
      const double speckle = unit(hash3(static_cast<std::uint32_t>(x), static_cast<std::uint32_t>(y), seed));
      const double alpha = 6 + 16 * smoothstep(0.3, 0.8, fibre) + 8 * speckle;
      const double shade = 110 + 40 * noise.fbm(u, v, 3, period);
      std::uint8_t* px = image.at(x, y);
      px[0] = to_byte(shade);
      px[1] = to_byte(shade * 0.97);
      px[2] = to_byte(shade * 0.92);
      px[3] = to_byte(alpha);
    }
  }
  return image;
}

Image paint_icon(int size) {
  Image image(size, size, 4);
  constexpr int kSamples = 4;  // 4x4 supersampling per pixel
  const double radius = 0.22;
  auto segment_distance = [](double px, double py, double ax, double ay, double bx, double by) {
    const double vx = bx - ax;
    const double vy = by - ay;
    const double t = std::clamp(((px - ax) * vx + (py - ay) * vy) / (vx * vx + vy * vy), 0.0, 1.0);
    return std::hypot(px - ax - t * vx, py - ay - t * vy);
  };
  for (int y = 0; y < size; ++y) {
    for (int x = 0; x < size; ++x) {
      double cover = 0;
      double ink = 0;
      for (int sy = 0; sy < kSamples; ++sy) {
        for (int sx = 0; sx < kSamples; ++sx) {
          const double u = (x + (sx + 0.5) / kSamples) / size;
          const double v = (y + (sy + 0.5) / kSamples) / size;
          // Inside the rounded square?
          const double qx = std::max(std::abs(u - 0.5) - (0.5 - radius), 0.0);
          const double qy = std::max(std::abs(v - 0.5) - (0.5 - radius), 0.0);
          if (std::hypot(qx, qy) > radius) continue;
          cover += 1;
          // Two chevrons pointing right.
          for (double ox : {0.2, 0.44}) {
            const double d = std::min(segment_distance(u, v, ox, 0.26, ox + 0.22, 0.5),
                                      segment_distance(u, v, ox + 0.22, 0.5, ox, 0.74));
            if (d < 0.075) {
              ink += 1;
              break;
            }
          }
        }
      }
      const double n = kSamples * kSamples;
      const double t = (y + 0.5) / size;
      const Rgb back = mix(hex(0x1f8a8a), hex(0x0f4c6e), t);
      const Rgb front = hex(0xfff4d6);
      const Rgb c = cover > 0 ? mix(back, front, ink / cover) : back;
      std::uint8_t* px = image.at(x, y);
      px[0] = to_byte(c.r);
      px[1] = to_byte(c.g);
      px[2] = to_byte(c.b);
      px[3] = to_byte(255.0 * cover / n);
    }
  }
  return image;
}

}  // namespace h2push::demo_tools
