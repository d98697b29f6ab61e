// The one assertion the fuzz targets use. A target checks real invariants of the code under
// test (decode(encode(x)) == x for whatever decoded, bounds the decoder promises); a broken
// one aborts, which libFuzzer reports as a crash with the input saved, and which the replay
// driver (replay_main.cpp) reports with the input written to a file. Unlike assert(), it is
// never compiled out, so a RelWithDebInfo build checks it too.
#pragma once

#include <cstdio>
#include <cstdlib>

#define TERN_FUZZ_CHECK(cond, what)                                                              \
  do {                                                                                           \
    if (!(cond)) {                                                                               \
      std::fprintf(stderr, "%s:%d: fuzz invariant failed: %s (%s)\n", __FILE__, __LINE__, #cond, \
                   what);                                                                        \
      std::abort();                                                                              \
    }                                                                                            \
  } while (0)
