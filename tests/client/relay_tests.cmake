# The shaping relay: its timing model with a fake clock, its unit parsers, and the relay over loopback sockets
# (wall-clock lower bounds, generous upper bounds; about 10 s in all).
add_executable(relay_test
  ${CMAKE_CURRENT_LIST_DIR}/shaping_link_test.cpp
  ${CMAKE_CURRENT_LIST_DIR}/shaping_relay_test.cpp
  ${CMAKE_CURRENT_LIST_DIR}/shaping_units_test.cpp)
target_include_directories(relay_test PRIVATE ${CMAKE_SOURCE_DIR}/src ${CMAKE_SOURCE_DIR}/tests)
target_link_libraries(relay_test PRIVATE h2push_shaper GTest::gtest GTest::gtest_main)
h2push_warnings(relay_test)
gtest_discover_tests(relay_test PROPERTIES LABELS unit TIMEOUT 60)

# `h2push relay` end to end: curl through the CLI to `h2push serve` (the script lives with the other interop ones).
add_test(NAME RelayInterop.Curl
  COMMAND "${H2PUSH_INTEROP_PYTHON}" "${CMAKE_SOURCE_DIR}/tests/interop/relay_curl_test.py"
          --binary $<TARGET_FILE:h2push_cli>)
set_tests_properties(RelayInterop.Curl PROPERTIES LABELS interop TIMEOUT 120)
