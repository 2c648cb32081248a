# h2push_pageload: `h2push pageload`: the browser-like loader over the shaping relay, and the lab's driver (runs,
# report, HAR, waterfall). Builds on h2push_client (sessions, discovery, HAR), h2push_shaper and h2push_lab.
add_library(h2push_pageload STATIC
  ${CMAKE_CURRENT_LIST_DIR}/pageload.cpp
  ${CMAKE_CURRENT_LIST_DIR}/pageload_loader.cpp)
target_include_directories(h2push_pageload PUBLIC ${CMAKE_SOURCE_DIR}/include ${CMAKE_SOURCE_DIR}/src)
target_link_libraries(h2push_pageload PUBLIC h2push_client h2push_shaper h2push_lab)
h2push_warnings(h2push_pageload)
