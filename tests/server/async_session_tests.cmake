# async_session_test: asynchronous handlers through real HTTP/1.1 and h2c sessions (src/server/exchange.hpp).
add_executable(async_session_test async_session_test.cpp)
target_link_libraries(async_session_test PRIVATE h2push_server GTest::gtest GTest::gtest_main)
target_include_directories(async_session_test PRIVATE ${CMAKE_SOURCE_DIR}/src ${CMAKE_SOURCE_DIR}/tests)
h2push_warnings(async_session_test)
gtest_discover_tests(async_session_test PROPERTIES LABELS unit)

# async_push_test: pushes answered by an asynchronous handler (promised streams as Exchanges) over h2c.
add_executable(async_push_test async_push_test.cpp)
target_link_libraries(async_push_test PRIVATE h2push_server GTest::gtest GTest::gtest_main)
target_include_directories(async_push_test PRIVATE ${CMAKE_SOURCE_DIR}/src ${CMAKE_SOURCE_DIR}/tests)
h2push_warnings(async_push_test)
gtest_discover_tests(async_push_test PROPERTIES LABELS unit)

# progress_table_test: the table of bodies in flight behind timeouts.send (src/server/h2_session.hpp).
add_executable(progress_table_test progress_table_test.cpp)
target_link_libraries(progress_table_test PRIVATE h2push_server GTest::gtest GTest::gtest_main)
target_include_directories(progress_table_test PRIVATE ${CMAKE_SOURCE_DIR}/src ${CMAKE_SOURCE_DIR}/tests)
h2push_warnings(progress_table_test)
gtest_discover_tests(progress_table_test PROPERTIES LABELS unit)
