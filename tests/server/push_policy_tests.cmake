# push_policy_test: who gets pushes, who gets 103s, and the digest cookie (src/server/push_policy.*).
add_executable(push_policy_test push_policy_test.cpp)
target_include_directories(push_policy_test PRIVATE ${CMAKE_SOURCE_DIR}/src)
target_link_libraries(push_policy_test PRIVATE h2push_server GTest::gtest GTest::gtest_main)
h2push_warnings(push_policy_test)
gtest_discover_tests(push_policy_test PROPERTIES LABELS unit)
