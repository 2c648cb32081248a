# h2push_demo: the built-in demo site (docs/demo-site.md), embedded in the binary.
#
# Two build-time tools, built first:
#   h2push_demo_assets  paints the pictures, the icon and the font into ${H2PUSH_DEMO_GENERATED_DIR}
#                       (binary files are generated, never committed);
#   h2push_demo_embed   turns every file under src/server/demo_site/ and the generated directory into string
#                       literals in demo_site_data.cpp, which h2push_demo compiles with demo_site.cpp.
find_package(ZLIB REQUIRED)

set(H2PUSH_DEMO_SITE_DIR "${CMAKE_CURRENT_LIST_DIR}/demo_site")
set(H2PUSH_DEMO_GENERATED_DIR "${CMAKE_CURRENT_BINARY_DIR}/demo_site_generated")

add_executable(h2push_demo_assets
  ${CMAKE_CURRENT_LIST_DIR}/demo_site_tools/generate_assets.cpp
  ${CMAKE_CURRENT_LIST_DIR}/demo_site_tools/font.cpp
  ${CMAKE_CURRENT_LIST_DIR}/demo_site_tools/png.cpp
  ${CMAKE_CURRENT_LIST_DIR}/demo_site_tools/scenes.cpp)
target_include_directories(h2push_demo_assets PRIVATE ${CMAKE_CURRENT_LIST_DIR})
target_link_libraries(h2push_demo_assets PRIVATE ZLIB::ZLIB)
# Painting ~2.6 megapixels takes ~4 s of CPU at -O2 and ~6 s at -O0 (more under sanitizers): optimise the tool in
# every build type. Its output does not depend on the optimisation level (checked: identical bytes).
target_compile_options(h2push_demo_assets PRIVATE -O2)
h2push_warnings(h2push_demo_assets)

# Must list exactly what generate_assets.cpp writes; demo_site_test fails when a file is missing or extra.
set(H2PUSH_DEMO_GENERATED
  favicon.ico
  fonts/dots.woff
  img/harbour-dawn.png
  img/harbour-day.png
  img/harbour-fog.png
  img/harbour-night.png
  img/hero-1200.png
  img/hero-1600.png
  img/hero-600.png
  img/paper.png)
list(TRANSFORM H2PUSH_DEMO_GENERATED PREPEND "${H2PUSH_DEMO_GENERATED_DIR}/" OUTPUT_VARIABLE demo_generated_files)
add_custom_command(
  OUTPUT ${demo_generated_files}
  COMMAND ${CMAKE_COMMAND} -E rm -rf "${H2PUSH_DEMO_GENERATED_DIR}"
  COMMAND h2push_demo_assets "${H2PUSH_DEMO_GENERATED_DIR}"
  DEPENDS h2push_demo_assets
  COMMENT "Painting the demo site's pictures, icon and font"
  VERBATIM)

add_executable(h2push_demo_embed ${CMAKE_CURRENT_LIST_DIR}/demo_site_tools/embed.cpp)
h2push_warnings(h2push_demo_embed)

# CONFIGURE_DEPENDS: adding or removing a site file re-runs the glob, so the embedding step sees it.
file(GLOB_RECURSE demo_site_sources CONFIGURE_DEPENDS "${H2PUSH_DEMO_SITE_DIR}/*")
set(demo_site_data "${CMAKE_CURRENT_BINARY_DIR}/demo_site_data.cpp")
add_custom_command(
  OUTPUT "${demo_site_data}"
  COMMAND h2push_demo_embed "${demo_site_data}" "${H2PUSH_DEMO_SITE_DIR}" "${H2PUSH_DEMO_GENERATED_DIR}"
  DEPENDS h2push_demo_embed ${demo_site_sources} ${demo_generated_files}
  COMMENT "Embedding the demo site"
  VERBATIM)

add_library(h2push_demo STATIC ${CMAKE_CURRENT_LIST_DIR}/demo_site.cpp "${demo_site_data}")
target_include_directories(h2push_demo PUBLIC ${CMAKE_SOURCE_DIR}/include ${CMAKE_SOURCE_DIR}/src)
h2push_warnings(h2push_demo)
# Where the generated files are, for demo_site_test (a directory variable would not reach tests/server).
set_target_properties(h2push_demo PROPERTIES H2PUSH_DEMO_GENERATED_DIR "${H2PUSH_DEMO_GENERATED_DIR}")
