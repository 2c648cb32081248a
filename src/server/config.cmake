# h2push_config: the server's TOML configuration (src/server/config.hpp). toml++ is private to it: the public
# structs are plain standard-library types, and toml++'s exceptions stop inside config_parse.cpp.
find_package(tomlplusplus REQUIRED)

add_library(h2push_config STATIC
  config.cpp
  config_parse.cpp
  config_schema.cpp
  config_values.cpp)
target_include_directories(h2push_config
  PUBLIC ${CMAKE_SOURCE_DIR}/include
  PRIVATE ${CMAKE_SOURCE_DIR}/src)
target_link_libraries(h2push_config PRIVATE tomlplusplus::tomlplusplus)
h2push_warnings(h2push_config)
# [[proxy]] upstream URLs are checked with the proxy's own parser (src/proxy/routes.hpp).
target_link_libraries(h2push_config PRIVATE h2push_proxy)
