#!/bin/sh
# Fails if a doctest binary has a test case whose name CTest cannot run: doctest's CMake
# discovery splits the list of names on ';', so a TEST_CASE named "a; b" becomes two CTest
# entries that each match no test case and pass having run nothing.
# Usage: check_test_names.sh <doctest binary>...
status=0
for bin in "$@"; do
  bad=$("$bin" --list-test-cases --no-version 2>/dev/null | grep ';')
  if [ -n "$bad" ]; then
    echo "$bin: test case names with ';' (CTest would run nothing for them):"
    echo "$bad"
    status=1
  fi
done
exit $status
