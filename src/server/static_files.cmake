# h2push_static: the protocol-neutral static file handler (safe paths below a document root, MIME types,
# validators, conditionals, ranges, gzip/brotli, small-file cache, file bodies). See docs/static-files.md.
find_package(ZLIB REQUIRED)
find_package(PkgConfig REQUIRED)
pkg_check_modules(H2PUSH_BROTLI REQUIRED IMPORTED_TARGET libbrotlienc libbrotlidec)

add_library(h2push_static STATIC
  ${CMAKE_CURRENT_LIST_DIR}/compression.cpp
  ${CMAKE_CURRENT_LIST_DIR}/file_body.cpp
  ${CMAKE_CURRENT_LIST_DIR}/file_cache.cpp
  ${CMAKE_CURRENT_LIST_DIR}/mime_types.cpp
  ${CMAKE_CURRENT_LIST_DIR}/safe_path.cpp
  ${CMAKE_CURRENT_LIST_DIR}/static_files.cpp
  ${CMAKE_CURRENT_LIST_DIR}/static_files_http.cpp)
target_include_directories(h2push_static
  PUBLIC ${CMAKE_SOURCE_DIR}/include
  PRIVATE ${CMAKE_SOURCE_DIR}/src)
target_link_libraries(h2push_static PRIVATE ZLIB::ZLIB PkgConfig::H2PUSH_BROTLI)
h2push_warnings(h2push_static)
