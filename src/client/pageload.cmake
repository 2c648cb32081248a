# h2push_lab: the page-load lab's report (summaries, JSON, text, HTML waterfall). No sockets or clocks.
find_package(nlohmann_json CONFIG REQUIRED)
add_library(h2push_lab STATIC ${CMAKE_CURRENT_LIST_DIR}/pageload_report.cpp)
target_include_directories(h2push_lab PUBLIC ${CMAKE_SOURCE_DIR}/include ${CMAKE_SOURCE_DIR}/src)
target_link_libraries(h2push_lab PUBLIC nlohmann_json::nlohmann_json)
h2push_warnings(h2push_lab)
