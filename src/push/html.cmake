# HTML discovery, same-origin URL resolution and Link header values (included by CMakeLists.txt).
target_sources(h2push_push PRIVATE
  ${CMAKE_CURRENT_LIST_DIR}/html_discovery.cpp
  ${CMAKE_CURRENT_LIST_DIR}/link_header.cpp
  ${CMAKE_CURRENT_LIST_DIR}/url.cpp)
