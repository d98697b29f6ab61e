// What tern-bench ingest reads from /proc: a process's resident memory, the CPU ticks of a
// process and of each of its threads, and the machine-wide busy and iowait ticks (to tell
// our load from other users' on a shared box).
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <map>

namespace tern::bench {

// VmRSS of `pid` in MB (0 if unreadable).
double RssMb(pid_t pid);
// utime + stime of `pid` in clock ticks.
uint64_t ProcTicks(pid_t pid);
// utime + stime per thread id of `pid`.
std::map<int, uint64_t> ThreadTicks(pid_t pid);
// `ticks` over `seconds` as percent of one core, one decimal.
double CpuPct(uint64_t ticks, double seconds);

struct MachineTicks {
  uint64_t busy = 0, iowait = 0, total = 0;
};
MachineTicks ReadMachineTicks();

}  // namespace tern::bench
