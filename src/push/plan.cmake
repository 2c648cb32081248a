# The cache digest, discovery of a whole site (levels, budget, cache per file version) and the push plan.
target_sources(h2push_push PRIVATE
  ${CMAKE_CURRENT_LIST_DIR}/cache_digest.cpp
  ${CMAKE_CURRENT_LIST_DIR}/plan_ranking.cpp
  ${CMAKE_CURRENT_LIST_DIR}/site_discovery.cpp
  ${CMAKE_CURRENT_LIST_DIR}/site_plan.cpp)
