# The cache digest and the site planner: discovery all levels deep over a corpus of hand-written sites
# (tests/push/sites/), the cache, the manifest, the selection of pushes and hints.
target_sources(push_test PRIVATE
  ${CMAKE_CURRENT_LIST_DIR}/cache_digest_test.cpp
  ${CMAKE_CURRENT_LIST_DIR}/site_corpus_test.cpp
  ${CMAKE_CURRENT_LIST_DIR}/site_plan_test.cpp
  ${CMAKE_CURRENT_LIST_DIR}/site_select_test.cpp)
target_compile_definitions(push_test PRIVATE H2PUSH_PLAN_SITES_DIR="${CMAKE_CURRENT_LIST_DIR}/sites")
