// Helpers shared by the files of tern-bench ingest (see ingest_common.h).
#include "ingest_common.h"

#include <algorithm>
#include <csignal>
#include <cstdio>
#include <thread>

#include "process.h"

namespace tern::bench {

std::atomic<bool> g_interrupted{false};

namespace {
void OnSignal(int) { g_interrupted = true; }
}  // namespace

void InstallInterruptHandlers() {
  std::signal(SIGINT, OnSignal);
  std::signal(SIGTERM, OnSignal);
}

void Say(const IngestArgs& a, const std::string& m) {
  if (!a.json) std::fprintf(stderr, "%s\n", m.c_str());
}

bool RootOk(const std::string& root) {
  if (root.empty()) {
    std::fprintf(stderr, "tern-bench ingest: cannot create a directory under $TMPDIR (or /tmp)\n");
  }
  return !root.empty();
}

double Since(Clock::time_point t) {
  return std::chrono::duration<double>(Clock::now() - t).count();
}

bool SleepFor(double s) {
  auto end = Clock::now() + std::chrono::duration<double>(s);
  while (Clock::now() < end) {
    if (g_interrupted) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return !g_interrupted;
}

nlohmann::json ReadJson(const std::string& path) {
  std::string text = tern::testing::ReadFile(path);
  if (text.empty()) return nlohmann::json::object();
  nlohmann::json j = nlohmann::json::parse(text, nullptr, false);
  return j.is_object() ? j : nlohmann::json::object();
}

std::string Fmt(double v, int prec) {
  char b[64];
  std::snprintf(b, sizeof b, "%.*f", prec, v);
  return b;
}

double Mean(const std::vector<double>& v, size_t from, size_t to) {
  if (to <= from) return 0;
  double s = 0;
  for (size_t i = from; i < to; ++i) s += v[i];
  return s / static_cast<double>(to - from);
}

int Channels(int record_bytes) { return std::max(1, (record_bytes - kRecordOverhead) / 8); }

}  // namespace tern::bench
