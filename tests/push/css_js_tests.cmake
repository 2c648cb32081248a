# CSS and JS module discovery tests (included by CMakeLists.txt): target_sources(push_test PRIVATE ...).
target_sources(push_test PRIVATE
  ${CMAKE_CURRENT_LIST_DIR}/css_tokenizer_test.cpp
  ${CMAKE_CURRENT_LIST_DIR}/css_discovery_test.cpp
  ${CMAKE_CURRENT_LIST_DIR}/js_imports_test.cpp)
