# h2push_shaper: the shaping relay (delay line, bandwidth, slow start) behind `h2push relay` and the page-load lab.
# Asio only (through h2push_net's compile definitions); no HTTP (docs/network-emulation.md).
find_package(Threads REQUIRED)
add_library(h2push_shaper STATIC
  ${CMAKE_CURRENT_LIST_DIR}/relay_connection.cpp
  ${CMAKE_CURRENT_LIST_DIR}/shaping_link.cpp
  ${CMAKE_CURRENT_LIST_DIR}/shaping_relay.cpp
  ${CMAKE_CURRENT_LIST_DIR}/shaping_units.cpp)
target_include_directories(h2push_shaper
  PUBLIC ${CMAKE_SOURCE_DIR}/include ${CMAKE_SOURCE_DIR}/src)
target_compile_definitions(h2push_shaper PUBLIC ASIO_STANDALONE ASIO_NO_DEPRECATED)
target_link_libraries(h2push_shaper PUBLIC Threads::Threads)
h2push_warnings(h2push_shaper)
