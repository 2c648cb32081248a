# push_glue_test: the planner's SiteSource over the static files (same ETags and paths as the responses), the
# demo site's plan, and the TOML push manifest (src/server/push_glue.cmake).
add_executable(push_glue_test
  ${CMAKE_CURRENT_LIST_DIR}/push_manifest_test.cpp
  ${CMAKE_CURRENT_LIST_DIR}/site_source_test.cpp)
target_include_directories(push_glue_test PRIVATE ${CMAKE_SOURCE_DIR}/src ${CMAKE_CURRENT_LIST_DIR})
target_link_libraries(push_glue_test PRIVATE h2push_push_glue h2push_demo GTest::gtest GTest::gtest_main)
h2push_warnings(push_glue_test)
gtest_discover_tests(push_glue_test
  PROPERTIES LABELS unit
  DISCOVERY_TIMEOUT 60)
