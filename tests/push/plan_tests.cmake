# The cache digest and the site planner: discovery all levels deep over a corpus of hand-written sites
# (tests/push/sites/), the cache, the manifest, the selection of pushes and hints.
target_sources(push_test PRIVATE
  ${CMAKE_CURRENT_LIST_DIR}/cache_digest_test.cpp
  ${CMAKE_CURRENT_LIST_DIR}/site_corpus_test.cpp
  ${CMAKE_CURRENT_LIST_DIR}/site_plan_test.cpp
  ${CMAKE_CURRENT_LIST_DIR}/site_select_test.cpp)
target_compile_definitions(push_test PRIVATE H2PUSH_PLAN_SITES_DIR="${CMAKE_CURRENT_LIST_DIR}/sites")

# `h2push discover` run on the test sites and on the built-in demo site (the binary, not the library).
set(H2PUSH_INTEROP_PYTHON "/usr/bin/python3" CACHE FILEPATH "Python interpreter that has the hpack module")
add_test(NAME PushCli.Discover
  COMMAND "${H2PUSH_INTEROP_PYTHON}" "${CMAKE_CURRENT_LIST_DIR}/discover_cli_test.py"
          --binary $<TARGET_FILE:h2push_cli> --sites "${CMAKE_CURRENT_LIST_DIR}/sites")
set_tests_properties(PushCli.Discover PROPERTIES LABELS unit TIMEOUT 120)
