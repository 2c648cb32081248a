# h2push_push_glue: what the push planner (src/push) needs from the server: a SiteSource over the static files
# (site_source.cpp, the same paths, media types and ETags as the responses) and the push manifest (push_manifest.cpp,
# a TOML file read with toml++, plus the [[push.link]] tables). Kept apart from h2push_server so that `h2push
# discover` and the tests use it without the listeners.
find_package(tomlplusplus REQUIRED)

add_library(h2push_push_glue STATIC
  ${CMAKE_CURRENT_LIST_DIR}/push_manifest.cpp
  ${CMAKE_CURRENT_LIST_DIR}/site_source.cpp)
target_include_directories(h2push_push_glue
  PUBLIC ${CMAKE_SOURCE_DIR}/include ${CMAKE_SOURCE_DIR}/src)
target_link_libraries(h2push_push_glue
  PUBLIC h2push_push h2push_static h2push_config
  PRIVATE tomlplusplus::tomlplusplus)
h2push_warnings(h2push_push_glue)
target_link_libraries(h2push_server PUBLIC h2push_push_glue)
