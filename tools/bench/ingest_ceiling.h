// The broker ceiling of tern-bench ingest: what Mosquitto moves from one QoS 1 publisher to
// one subscriber when nothing else has to happen (no storage, no acks of tern's own), with
// messages of the measured run's mean chunk size and the edge's in-flight window.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

namespace tern::bench {

struct Ceiling {
  bool ok = false;
  std::string error;
  double mb_per_s = 0, msgs_per_s = 0;
  int64_t messages = 0, bytes = 0;
};

// `count` messages of `size` random bytes through the plain broker on `port`, publisher
// window `inflight` (the edge's mqtt.max_inflight), for at most `max_s` seconds.
Ceiling MeasureCeiling(int port, size_t size, int64_t count, int inflight, double max_s);

}  // namespace tern::bench
