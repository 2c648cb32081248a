# h2push_server: listeners, sessions (HTTP/1.1, HTTP/2), access log, the request handler, `serve`.
find_package(spdlog CONFIG REQUIRED)
find_package(nlohmann_json CONFIG REQUIRED)
add_library(h2push_server STATIC
  access_log.cpp
  exchange.cpp
  push_policy.cpp
  error_log.cpp
  serve.cpp
  server.cpp
  site_handler.cpp)
target_include_directories(h2push_server
  PUBLIC ${CMAKE_SOURCE_DIR}/include ${CMAKE_SOURCE_DIR}/src)
target_link_libraries(h2push_server PUBLIC h2push_net h2push_http1 h2push_http2 h2push_static h2push_config h2push_demo
  h2push_push
  spdlog::spdlog nlohmann_json::nlohmann_json)
h2push_warnings(h2push_server)
