// src/server/demo_site_tools/scenes.hpp: procedural pictures for the demo site (no source images involved).
#pragma once

#include <cstdint>

#include "demo_site_tools/png.hpp"

namespace h2push::demo_tools {

enum class Mood : std::uint8_t { dusk, day, night, fog, dawn };

// A harbour seen from the water: sky, sun or moon, clouds, two ranges of hills, a lighthouse on a headland, a sea
// whose waves tighten toward the horizon. Deterministic for a given seed.
Image paint_harbour(int width, int height, Mood mood, std::uint32_t seed);

// A tileable 128x128 RGBA paper texture of low opacity, laid over the page background in both colour schemes.
Image paint_paper_texture(int size, std::uint32_t seed);

// The site icon at `size` pixels: a rounded square with two chevrons ("sent ahead").
Image paint_icon(int size);

}  // namespace h2push::demo_tools
