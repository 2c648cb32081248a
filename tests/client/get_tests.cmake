# Unit tests of `h2push get`'s socket-free parts: URL targets, base64url, the frame printer, the HAR writer.
add_executable(client_get_test ${CMAKE_CURRENT_LIST_DIR}/get_test.cpp)
target_include_directories(client_get_test PRIVATE ${CMAKE_SOURCE_DIR}/src ${CMAKE_SOURCE_DIR}/tests)
target_link_libraries(client_get_test PRIVATE h2push_client GTest::gtest GTest::gtest_main)
h2push_warnings(client_get_test)
gtest_discover_tests(client_get_test PROPERTIES LABELS unit)
