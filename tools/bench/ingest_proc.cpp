// /proc sampling for tern-bench ingest (see ingest_proc.h).
#include "ingest_proc.h"

#include <dirent.h>
#include <unistd.h>

#include <cmath>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>

namespace tern::bench {
namespace {

std::string ReadSmall(const std::string& path) {
  std::ifstream in(path);
  return std::string((std::istreambuf_iterator<char>(in)), {});
}

// utime + stime in clock ticks from a /proc/.../stat file (fields 14 and 15; the comm field
// may hold spaces, so parse after the last ')').
uint64_t StatTicks(const std::string& stat_path) {
  std::string s = ReadSmall(stat_path);
  size_t p = s.rfind(')');
  if (p == std::string::npos) return 0;
  std::istringstream is(s.substr(p + 2));
  std::string f;
  uint64_t ut = 0, st = 0;
  for (int i = 3; i <= 15 && is >> f; ++i) {
    if (i == 14) ut = std::strtoull(f.c_str(), nullptr, 10);
    if (i == 15) st = std::strtoull(f.c_str(), nullptr, 10);
  }
  return ut + st;
}

}  // namespace

double RssMb(pid_t pid) {
  std::istringstream in(ReadSmall("/proc/" + std::to_string(pid) + "/status"));
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind("VmRSS:", 0) == 0) return std::strtod(line.c_str() + 6, nullptr) / 1024.0;
  }
  return 0;
}

uint64_t ProcTicks(pid_t pid) { return StatTicks("/proc/" + std::to_string(pid) + "/stat"); }

std::map<int, uint64_t> ThreadTicks(pid_t pid) {
  std::map<int, uint64_t> out;
  std::string dir = "/proc/" + std::to_string(pid) + "/task";
  DIR* d = opendir(dir.c_str());
  if (!d) return out;
  while (dirent* e = readdir(d)) {
    int tid = std::atoi(e->d_name);
    if (tid > 0) out[tid] = StatTicks(dir + "/" + e->d_name + "/stat");
  }
  closedir(d);
  return out;
}

double CpuPct(uint64_t ticks, double seconds) {
  static const double kTck = static_cast<double>(sysconf(_SC_CLK_TCK));
  return std::round(1000.0 * static_cast<double>(ticks) / kTck / seconds) / 10;
}

MachineTicks ReadMachineTicks() {
  std::istringstream in(ReadSmall("/proc/stat"));
  std::string cpu;
  uint64_t v[8] = {};
  in >> cpu;
  for (auto& x : v) in >> x;  // user nice system idle iowait irq softirq steal
  MachineTicks m;
  m.iowait = v[4];
  m.busy = v[0] + v[1] + v[2] + v[5] + v[6] + v[7];
  m.total = m.busy + v[3] + v[4];
  return m;
}

}  // namespace tern::bench
