# config_test: the TOML configuration (src/server/config.*). It loads docs/h2push.example.toml and checks the key
# table in docs/configuration.md, so the paths are compiled in.
add_executable(config_test config_test.cpp config_proxy_test.cpp)
target_include_directories(config_test PRIVATE ${CMAKE_SOURCE_DIR}/src ${CMAKE_SOURCE_DIR}/tests)
target_compile_definitions(config_test PRIVATE H2PUSH_DOCS_DIR="${CMAKE_SOURCE_DIR}/docs")
target_link_libraries(config_test PRIVATE h2push_config GTest::gtest GTest::gtest_main)
h2push_warnings(config_test)
gtest_discover_tests(config_test PROPERTIES LABELS unit)
