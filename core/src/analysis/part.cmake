# Analysis processors (design §7): window statistics, running z-score, MSMVE.
target_sources(tern_core PRIVATE
  ${CMAKE_CURRENT_SOURCE_DIR}/src/analysis/stats.cpp
  ${CMAKE_CURRENT_SOURCE_DIR}/src/analysis/msmve.cpp
)
tern_test(analysis_tests SOURCES
  src/analysis/analysis_test.cpp
  LIBS tern_core)
