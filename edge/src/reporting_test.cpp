#include "reporting.h"

#include <doctest/doctest.h>

namespace tern::edge {
TEST_SUITE("reporting") {
  TEST_CASE("results and alarms: counted, the latest kept, the first anomaly shown") {
    Metrics m;
    ResultLog log(&m, "e1", 2);
    msg::ResultNote r;
    r.processor = "zscore";
    r.source = "vib";
    for (uint64_t i = 0; i < 3; ++i) {
      r.source_seq = i;
      log.OnResultNote(r);
    }
    r.anomalies = 2;
    r.summary = {{"anomalies", {{{"row", 4}}, {{"row", 9}}}}};
    log.OnResultNote(r);
    CHECK(m.Get("results_received") == 4);
    CHECK(m.Get("alarms_received") == 1);
    auto results = log.Results();
    REQUIRE(results.size() == 2);
    CHECK(results[0]["source_seq"] == 1);
    auto alarms = log.Alarms();
    REQUIRE(alarms.size() == 1);
    CHECK(alarms[0]["first"]["row"] == 4);
    CHECK(alarms[0]["anomalies"] == 2);
  }

  TEST_CASE("the CPU share is a fraction") {
    CpuMeter cpu;
    CHECK(cpu.Sample() == 0);  // nothing to compare with yet
    volatile double x = 0;
    for (int i = 0; i < 1000000; ++i) x = x + 1;
    double load = cpu.Sample();
    CHECK(load >= 0);
    CHECK(load <= 1);
  }
}
}  // namespace tern::edge
