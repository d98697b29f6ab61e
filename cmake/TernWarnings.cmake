# Per-target warnings, so third-party and generated code keep their own flags.
# -Wconversion and -Wsign-conversion are on: narrowing and sign changes are made
# explicit (static_cast, or a checked conversion) where they happen.
function(tern_warnings target)
  target_compile_options(${target} PRIVATE -Wall -Wextra -Wpedantic -Wshadow
    -Wnon-virtual-dtor -Wold-style-cast -Wcast-align -Wunused -Woverloaded-virtual
    -Wconversion -Wsign-conversion -Wdouble-promotion -Wformat=2
    -Wno-missing-field-initializers)
endfunction()

# tern_test(<name> SOURCES ... LIBS ...): one doctest binary, each TEST_CASE a CTest test.
function(tern_test name)
  cmake_parse_arguments(T "" "" "SOURCES;LIBS;LABELS" ${ARGN})
  if(NOT TERN_BUILD_TESTS)
    return()
  endif()
  add_executable(${name} ${T_SOURCES})
  target_link_libraries(${name} PRIVATE ${T_LIBS} tern_doctest_main)
  tern_warnings(${name})
  set(labels unit)
  if(T_LABELS)
    set(labels ${T_LABELS})
  endif()
  doctest_discover_tests(${name} PROPERTIES LABELS "${labels}" TIMEOUT 600)
  set_property(GLOBAL APPEND PROPERTY TERN_DOCTEST_BINARIES "$<TARGET_FILE:${name}>")
endfunction()
