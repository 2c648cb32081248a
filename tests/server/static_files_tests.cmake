# static_files_test: unit tests of the static file handler (src/server/static_files.cmake). Each test builds its own
# document root under $TMPDIR and removes it; zlib and libbrotlidec decompress what the handler compressed.
find_package(ZLIB REQUIRED)
find_package(PkgConfig REQUIRED)
pkg_check_modules(H2PUSH_STATIC_TEST_BROTLI REQUIRED IMPORTED_TARGET libbrotlidec libbrotlienc)

add_executable(static_files_test
  ${CMAKE_CURRENT_LIST_DIR}/static_files_body_test.cpp
  ${CMAKE_CURRENT_LIST_DIR}/static_files_cache_test.cpp
  ${CMAKE_CURRENT_LIST_DIR}/static_files_compression_test.cpp
  ${CMAKE_CURRENT_LIST_DIR}/static_files_http_test.cpp
  ${CMAKE_CURRENT_LIST_DIR}/static_files_open_cache_test.cpp
  ${CMAKE_CURRENT_LIST_DIR}/static_files_range_test.cpp
  ${CMAKE_CURRENT_LIST_DIR}/static_files_test.cpp
  ${CMAKE_CURRENT_LIST_DIR}/static_files_traversal_test.cpp)
target_include_directories(static_files_test PRIVATE ${CMAKE_SOURCE_DIR}/src ${CMAKE_CURRENT_LIST_DIR})
target_link_libraries(static_files_test PRIVATE
  h2push_static ZLIB::ZLIB PkgConfig::H2PUSH_STATIC_TEST_BROTLI GTest::gtest GTest::gtest_main)
h2push_warnings(static_files_test)
gtest_discover_tests(static_files_test
  PROPERTIES LABELS unit
  DISCOVERY_TIMEOUT 60)
