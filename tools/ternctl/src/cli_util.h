// What every ternctl command shares: its exit codes, how it reports a failed Status, and how
// it prints JSON and sizes.
#pragma once

#include <cstdint>
#include <ctime>
#include <iostream>
#include <nlohmann/json.hpp>
#include <string>

#include "tern/common/status.h"

namespace tern::tools {

// The same for every command: 0 success (verify: the site is consistent); 1 the answer is
// "no" (problems found, not found, no good copy, refused because of the node's state); 2
// usage, connection, authentication or I/O errors.
inline constexpr int kExitOk = 0;
inline constexpr int kExitProblems = 1;
inline constexpr int kExitError = 2;

// The exit code for a failed Status: NotFound, Corruption and FailedPrecondition are answers
// ("no"), everything else (unreachable core, 401/403, bad flags, I/O) is an error.
inline int ExitFor(const Status& s) {
  switch (s.code()) {
    case Status::Code::kNotFound:
    case Status::Code::kCorruption:
    case Status::Code::kFailedPrecondition:
      return kExitProblems;
    default:
      return kExitError;
  }
}

// Prints "ternctl: <message>" on stderr and returns ExitFor(s).
inline int Fail(const Status& s) {
  std::cerr << "ternctl: " << s.message() << "\n";
  return ExitFor(s);
}

// The same for the offline commands (token, pki), naming the command: "ternctl <cmd>:
// <message>". Not found and refused because of what exists (FailedPrecondition) are 1; a
// damaged file there is an I/O error (2), unlike a corrupt chunk copy, which is an answer.
inline int FailIn(const char* cmd, const Status& s) {
  std::cerr << "ternctl " << cmd << ": " << s.message() << "\n";
  return s.code() == Status::Code::kCorruption ? kExitError : ExitFor(s);
}

// JSON text; invalid UTF-8 (e.g. in a source name) is replaced rather than thrown on.
inline std::string Dump(const nlohmann::json& j) {
  return j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

// "1.5 GiB" for a byte count (binary units, one decimal).
inline std::string HumanBytes(double b) {
  const char* units[] = {"B", "KiB", "MiB", "GiB", "TiB"};
  int u = 0;
  while (b >= 1024 && u < 4) {
    b /= 1024;
    ++u;
  }
  char buf[32];
  std::snprintf(buf, sizeof buf, u == 0 ? "%.0f %s" : "%.1f %s", b, units[u]);
  return buf;
}

// A JSON number as int64 (0 for null, missing or not a number): the server's documents may
// carry null where nothing is known yet.
inline int64_t Num(const nlohmann::json& j, const char* key) {
  if (!j.is_object() || !j.contains(key)) return 0;
  const auto& v = j[key];
  if (v.is_number_integer()) return v.get<int64_t>();
  if (v.is_number()) return static_cast<int64_t>(v.get<double>());
  return 0;
}
inline double Real(const nlohmann::json& j, const char* key) {
  if (!j.is_object() || !j.contains(key) || !j[key].is_number()) return 0;
  return j[key].get<double>();
}
inline std::string Str(const nlohmann::json& j, const char* key) {
  if (!j.is_object() || !j.contains(key)) return "";
  const auto& v = j[key];
  return v.is_string() ? v.get<std::string>() : (v.is_null() ? "" : Dump(v));
}

// "2026-11-21T10:00:00.123Z" for wall-clock ms; "-" for 0 (never).
inline std::string FormatMs(int64_t ms) {
  if (ms <= 0) return "-";
  time_t secs = static_cast<time_t>(ms / 1000);
  std::tm tm{};
  gmtime_r(&secs, &tm);
  char buf[64];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%S", &tm);
  char out[80];
  std::snprintf(out, sizeof out, "%s.%03dZ", buf, static_cast<int>(ms % 1000));
  return out;
}

// The same for an HLC stamp (its wall-clock part), "+N" for a non-zero logical count.
inline std::string FormatHlc(uint64_t stamp) {
  std::string s = FormatMs(static_cast<int64_t>(stamp >> 16));
  if ((stamp & 0xFFFF) != 0) s += "+" + std::to_string(stamp & 0xFFFF);
  return s;
}

}  // namespace tern::tools
