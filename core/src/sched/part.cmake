# The core's scheduler (issue 4 part 2): lanes, class minimum shares, DRR across edges.
target_sources(tern_core PRIVATE ${CMAKE_CURRENT_SOURCE_DIR}/src/sched/scheduler.cpp)
tern_test(sched_tests SOURCES src/sched/scheduler_test.cpp src/sched/scheduler_fairness_test.cpp
  LIBS tern_core)
