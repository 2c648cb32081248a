# CSS and JS module discovery (included by CMakeLists.txt): target_sources(h2push_push PRIVATE ...).
target_sources(h2push_push PRIVATE
  ${CMAKE_CURRENT_LIST_DIR}/css_tokenizer.cpp
  ${CMAKE_CURRENT_LIST_DIR}/css_discovery.cpp
  ${CMAKE_CURRENT_LIST_DIR}/js_imports.cpp)
