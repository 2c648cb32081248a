# demo_site_test: the embedded demo site matches its sources byte for byte, has three levels of discovery with no
# dangling reference, realistic sizes, and extracts to identical files.
add_executable(demo_site_test ${CMAKE_CURRENT_LIST_DIR}/demo_site_test.cpp)
target_link_libraries(demo_site_test PRIVATE h2push_demo GTest::gtest_main)
target_compile_definitions(demo_site_test PRIVATE
  H2PUSH_DEMO_SITE_SOURCE_DIR="${CMAKE_SOURCE_DIR}/src/server/demo_site"
  H2PUSH_DEMO_SITE_GENERATED_DIR="$<TARGET_PROPERTY:h2push_demo,H2PUSH_DEMO_GENERATED_DIR>")
h2push_warnings(demo_site_test)
gtest_discover_tests(demo_site_test
  PROPERTIES LABELS unit
  DISCOVERY_TIMEOUT 60)
