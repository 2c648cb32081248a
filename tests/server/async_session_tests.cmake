# async_session_test: asynchronous handlers through real HTTP/1.1 and h2c sessions (src/server/exchange.hpp).
# Until the site planner is merged (src/push/site_plan.cpp), h2push_server does not build (serve.cpp needs it): the
# test then compiles the session sources itself with a stand-in push policy; push is off in these tests anyway.
if(EXISTS ${CMAKE_SOURCE_DIR}/src/push/site_plan.cpp)
  add_executable(async_session_test async_session_test.cpp)
  target_link_libraries(async_session_test PRIVATE h2push_server GTest::gtest GTest::gtest_main)
else()
  find_package(spdlog CONFIG REQUIRED)
  add_executable(async_session_test async_session_test.cpp push_policy_stub.cpp
    ${CMAKE_SOURCE_DIR}/src/server/server.cpp
    ${CMAKE_SOURCE_DIR}/src/server/access_log.cpp
    ${CMAKE_SOURCE_DIR}/src/server/exchange.cpp
    ${CMAKE_SOURCE_DIR}/src/server/site_handler.cpp)
  target_link_libraries(async_session_test PRIVATE h2push_net h2push_http1 h2push_http2 h2push_config
    h2push_push h2push_static spdlog::spdlog GTest::gtest GTest::gtest_main)
endif()
target_include_directories(async_session_test PRIVATE ${CMAKE_SOURCE_DIR}/src ${CMAKE_SOURCE_DIR}/tests)
h2push_warnings(async_session_test)
gtest_discover_tests(async_session_test PROPERTIES LABELS unit)
