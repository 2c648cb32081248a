target_sources(push_test PRIVATE
  ${CMAKE_CURRENT_LIST_DIR}/cache_digest_test.cpp)
