# h2push_client: `h2push get`: transports (TCP, TLS with ALPN), HTTP/2 and HTTP/1.1 sessions over the sans-IO
# cores, frame tracing, asset discovery through src/push, HAR output.
find_package(nlohmann_json CONFIG REQUIRED)
add_library(h2push_client STATIC
  ${CMAKE_CURRENT_LIST_DIR}/assets.cpp
  ${CMAKE_CURRENT_LIST_DIR}/frame_printer.cpp
  ${CMAKE_CURRENT_LIST_DIR}/get.cpp
  ${CMAKE_CURRENT_LIST_DIR}/h1_session.cpp
  ${CMAKE_CURRENT_LIST_DIR}/h2_session.cpp
  ${CMAKE_CURRENT_LIST_DIR}/har.cpp
  ${CMAKE_CURRENT_LIST_DIR}/pump.cpp
  ${CMAKE_CURRENT_LIST_DIR}/transport.cpp)
target_include_directories(h2push_client
  PUBLIC ${CMAKE_SOURCE_DIR}/include ${CMAKE_SOURCE_DIR}/src)
target_link_libraries(h2push_client PUBLIC h2push h2push_net h2push_http1 h2push_http2 h2push_hpack h2push_push
  nlohmann_json::nlohmann_json)
h2push_warnings(h2push_client)
