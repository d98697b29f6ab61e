// tern-bench board: speed of the Verilated control board. cycles_per_s is the whole board
// free-running (no tracing, PWM and display active); reg_accesses_per_s is register reads and
// writes through VerilatorBus, i.e. the full host stack bit-banging SPI frames into the model.
#include <time.h>

#include <chrono>
#include <cstdio>
#include <cstring>
#include <string>

#include "tern/hw/board_regs.h"
#include "tern/hw/clock_divider.h"
#include "tern/hw/mos_driver.h"
#include "tern/hw/panel.h"
#include "tern/hw/verilator_bus.h"
#include "tern/hw/watchdog.h"

namespace {

using Clock = std::chrono::steady_clock;

double Seconds(Clock::time_point a, Clock::time_point b) {
  return std::chrono::duration<double>(b - a).count();
}

// CPU time of this thread: on a shared box (three engineers building on two cores) wall-clock
// rates mostly measure the other jobs, so both are printed.
double CpuSeconds() {
  timespec ts{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) * 1e-9;
}

// Makes the board do real work while it free-runs: out of the safe state, watchdog off,
// four PWM channels switching, display scanning.
tern::Status Activate(tern::hw::VerilatorBus& bus) {
  using namespace tern::hw;
  Watchdog wd(&bus);
  TERN_RETURN_IF_ERROR(wd.LeaveSafeState());
  TERN_RETURN_IF_ERROR(wd.Configure(100, false));
  MosDriver mos(&bus);
  TERN_RETURN_IF_ERROR(mos.SetPeriod(100));
  for (unsigned ch = 0; ch < MosDriver::kChannels; ++ch) {
    TERN_RETURN_IF_ERROR(mos.SetDuty(ch, static_cast<uint16_t>(20 + 20 * ch)));
  }
  TERN_RETURN_IF_ERROR(mos.SetChannels(0xF, 0));
  Panel panel(&bus);
  TERN_RETURN_IF_ERROR(panel.ShowHex(0xBEEF));
  return ClockDivider(&bus).Set(Divider::kScan, 2);
}

}  // namespace

int BoardBenchMain(int argc, char** argv) {
  bool json = false;
  double seconds = 1.0;
  for (int i = 1; i < argc; ++i) {
    if (std::strcmp(argv[i], "--json") == 0) {
      json = true;
    } else if (std::strcmp(argv[i], "--seconds") == 0 && i + 1 < argc) {
      seconds = std::stod(argv[++i]);
    } else {
      std::fprintf(stderr,
                   "usage: tern-bench board [--json] [--seconds S]\n"
                   "  cycles_per_s        whole Verilated board, free-running, no tracing\n"
                   "  reg_accesses_per_s  SCRATCH write+read pairs through VerilatorBus\n");
      return std::strcmp(argv[i], "--help") == 0 ? 0 : 2;
    }
  }

  tern::hw::SimBoard board;
  tern::hw::VerilatorBus bus(&board);
  if (tern::Status s = Activate(bus); !s.ok()) {
    std::fprintf(stderr, "board bring-up failed: %s\n", s.ToString().c_str());
    return 1;
  }

  // Free-running cycles: tick in chunks until the time budget is used.
  constexpr uint64_t kChunk = 1'000'000;
  uint64_t cycles = 0;
  const double c0 = CpuSeconds();
  const auto t0 = Clock::now();
  auto t1 = t0;
  do {
    board.Tick(kChunk);
    cycles += kChunk;
    t1 = Clock::now();
  } while (Seconds(t0, t1) < seconds);
  const double cycles_per_s = static_cast<double>(cycles) / Seconds(t0, t1);
  const double cycles_per_cpu_s = static_cast<double>(cycles) / (CpuSeconds() - c0);
  const bool pwm_running = board.pwm_hi() != 0 || board.pwm_lo() != 0;

  // Register accesses: alternate writes and reads of SCRATCH and check every value.
  uint64_t accesses = 0, mismatches = 0, errors = 0;
  const uint64_t sim_cycles_before = board.cycles();
  const double ac0 = CpuSeconds();
  const auto a0 = Clock::now();
  auto a1 = a0;
  for (uint32_t i = 0;; ++i) {
    const uint32_t v = i * 2654435761u;
    uint32_t back = 0;
    if (!bus.Write(tern::hw::regs::scratch::kOffset, v).ok()) ++errors;
    if (!bus.Read(tern::hw::regs::scratch::kOffset, &back).ok()) ++errors;
    if (back != v) ++mismatches;
    accesses += 2;
    if ((i & 255) == 255) {
      a1 = Clock::now();
      if (Seconds(a0, a1) >= seconds) break;
    }
  }
  const double accesses_per_s = static_cast<double>(accesses) / Seconds(a0, a1);
  const double accesses_per_cpu_s = static_cast<double>(accesses) / (CpuSeconds() - ac0);
  const double clocks_per_access =
      static_cast<double>(board.cycles() - sim_cycles_before) / static_cast<double>(accesses);
  const tern::hw::BusCounters c = bus.counters();

  if (json) {
    std::printf(
        "{\"cycles_per_s\": %.0f, \"reg_accesses_per_s\": %.0f, \"cycles_per_cpu_s\": %.0f, "
        "\"reg_accesses_per_cpu_s\": %.0f, \"clocks_per_access\": %.1f, "
        "\"accesses\": %llu, \"errors\": %llu, \"mismatches\": %llu, \"crc_errors\": %llu, "
        "\"retries\": %llu, \"pwm_running\": %s}\n",
        cycles_per_s, accesses_per_s, cycles_per_cpu_s, accesses_per_cpu_s, clocks_per_access,
        static_cast<unsigned long long>(accesses), static_cast<unsigned long long>(errors),
        static_cast<unsigned long long>(mismatches), static_cast<unsigned long long>(c.crc_errors),
        static_cast<unsigned long long>(c.retries), pwm_running ? "true" : "false");
  } else {
    std::printf("board model (Verilated tern_board, no assertions, no tracing)\n");
    std::printf("  cycles_per_s        %12.0f  (%.1f M; free-running, PWM and display active)\n",
                cycles_per_s, cycles_per_s / 1e6);
    std::printf("  reg_accesses_per_s  %12.0f  (VerilatorBus, %.1f clocks per access)\n",
                accesses_per_s, clocks_per_access);
    std::printf("  per CPU-second:     %12.0f cycles, %.0f accesses (load-independent)\n",
                cycles_per_cpu_s, accesses_per_cpu_s);
    std::printf("  accesses %llu, errors %llu, mismatches %llu, crc errors %llu, retries %llu\n",
                static_cast<unsigned long long>(accesses), static_cast<unsigned long long>(errors),
                static_cast<unsigned long long>(mismatches),
                static_cast<unsigned long long>(c.crc_errors),
                static_cast<unsigned long long>(c.retries));
  }
  return errors == 0 && mismatches == 0 ? 0 : 1;
}
