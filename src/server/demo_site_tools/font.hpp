// src/server/demo_site_tools/font.hpp: "h2push Dots", a dot-matrix display font built from 5x9 bitmaps.
#pragma once

#include "demo_site_tools/png.hpp"  // Bytes

namespace h2push::demo_tools {

// The font as a TrueType (glyf) sfnt: ASCII plus a few symbols, every glyph 720 units wide, 1000 units per em.
Bytes build_dot_font_ttf();

// The same font wrapped as WOFF 1.0 (each table zlib-compressed when that makes it smaller).
Bytes wrap_woff(const Bytes& sfnt);

}  // namespace h2push::demo_tools
